"""layers: an ordered list of layers; a module never imports a layer above its own.

The drawing of an architecture as data, as import-linter's layers contract has it: the
first layer is the top (the shell), the last the floor. A layer is one module (with its
submodules) or several siblings: ``"a | b"`` are independent (neither imports the other), a
list ``[a, b]`` shares the layer and its members may import each other. A module belongs to the most specific
name that covers it, so ``pkg.logs.gate`` can sit in another layer than ``pkg.logs``.

Imports inside functions count (they run when the function is called; hiding an upward
import in a function is how layering rots unseen) unless ``ignore_function_level``;
``if TYPE_CHECKING:`` imports never run and are ignored unless ``ignore_type_checking`` is
false. With ``container``, every module under it (the package itself aside) must belong to
a layer: a module the drawing forgot is a finding too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from truthgate.verify.errors import InvariantConfigError
from truthgate.verify.graph import ImportEdge
from truthgate.verify.kinds.base import CheckContext, InvariantKind, Violation


@dataclass(frozen=True)
class Layer:
    """One layer: its position from the top, its members, whether they are independent."""

    index: int
    members: tuple[str, ...]
    independent: bool

    @property
    def label(self) -> str:
        return " | ".join(self.members) if self.independent else ", ".join(self.members)


@dataclass(frozen=True)
class Params:
    layers: tuple[Layer, ...] = ()
    container: str = ""
    ignore_type_checking: bool = True
    ignore_function_level: bool = False


def parse_layer(index: int, spec: str | list[str]) -> Layer:
    """``"a | b"`` (independent siblings), ``[a, b]`` (siblings) or ``"a"``."""
    if isinstance(spec, list):
        return Layer(index, tuple(str(m).strip() for m in spec), False)
    members = tuple(p.strip() for p in spec.split("|") if p.strip())
    return Layer(index, members, len(members) > 1)


def parse_params(raw: Mapping[str, Any]) -> Params:
    """Params from the invariant's own (validated) keys."""
    return Params(
        layers=tuple(parse_layer(i, t if isinstance(t, list) else str(t))
                     for i, t in enumerate(raw.get("layers", ()) or ())),
        container=str(raw.get("container", "") or ""),
        ignore_type_checking=bool(raw.get("ignore_type_checking", True)),
        ignore_function_level=bool(raw.get("ignore_function_level", False)),
    )


@dataclass(frozen=True)
class _Place:
    layer: Layer
    member: str


class _Drawing:
    """Which layer and member each module belongs to (the most specific name wins)."""

    def __init__(self, layers: Iterable[Layer], container: str = "") -> None:
        self._by_name = {m: _Place(layer, m) for layer in layers for m in layer.members}
        self._container = container
        self._memo: dict[str, _Place | None] = {}

    def place(self, module: str) -> _Place | None:
        if module not in self._memo:
            found = None
            name = module
            while name:
                found = self._by_name.get(name)
                if found is not None:
                    break
                name = name.rpartition(".")[0]
            if found is not None and name == self._container and module != name:
                found = None  # the container drawn as a layer places itself, not its modules
            self._memo[module] = found
        return self._memo[module]


def _edge_violation(edge: ImportEdge, src: _Place, dst: _Place) -> Violation | None:
    if dst.layer.index < src.layer.index:
        why = f"a higher layer ({dst.layer.index + 1}: {dst.layer.label})"
    elif (dst.layer is src.layer and dst.member != src.member and src.layer.independent):
        why = f"an independent sibling in its layer ({src.layer.label})"
    else:
        return None
    where = " inside a function" if edge.in_function else ""
    return Violation(
        path=edge.path, line=edge.line, col=edge.col,
        message=(f"{edge.importer} (layer {src.layer.index + 1}: {src.member}) imports "
                 f"{edge.imported}{where}, {why}"),
        hint=("Invert the dependency: pass what the lower layer needs in as a parameter or "
              "a protocol, or move the shared code down to a layer both may use."),
        key=f"{edge.importer}->{edge.imported}",
    )


def check(ctx: CheckContext, params: Params) -> Iterable[Violation]:
    """Imports that point up the drawing, across independent siblings, or off it."""
    if len(params.layers) < 2 and not any(len(la.members) > 1 for la in params.layers):
        raise InvariantConfigError("layers needs at least two layers (or one with siblings)")
    graph = ctx.graph()
    drawing = _Drawing(params.layers, params.container)
    unplaced = [m for la in params.layers for m in la.members
                if not any(mod == m or mod.startswith(m + ".") for mod in graph.modules)]
    if unplaced:
        raise InvariantConfigError(
            f"layers: {', '.join(unplaced)} name(s) no module of the repository; the drawing "
            "would check nothing there")
    adj = graph.adjacency(ignore_type_checking=params.ignore_type_checking,
                          ignore_function_level=params.ignore_function_level)
    in_scope = sorted({m for m in (graph.module_of(f.path) for f in ctx.files) if m})
    out: list[Violation] = []
    for module in in_scope:
        src = drawing.place(module)
        if src is None:
            if params.container and module.startswith(params.container + "."):
                out.append(Violation(
                    path=graph.modules[module], line=1, col=1,
                    message=f"{module} belongs to no layer of the drawing",
                    hint="Add it to a layer (or a sibling group) in the invariant's layers.",
                    key=f"unplaced:{module}"))
            continue
        for edge in adj.get(module, ()):
            dst = drawing.place(edge.imported)
            if dst is not None and (found := _edge_violation(edge, src, dst)) is not None:
                out.append(found)
    return out


KIND = InvariantKind(
    name="layers",
    summary="An ordered list of layers: no module imports a layer above its own.",
    why=(
        "An architecture drawn in a document drifts from the code one convenient import at a "
        "time, often hidden inside a function; a machine that reads every import keeps the "
        "drawing true."
    ),
    hint="Invert the dependency or move the shared code to a lower layer.",
    params_schema={
        "properties": {
            "layers": {
                "type": "array",
                "minItems": 1,
                "items": {"oneOf": [
                    {"type": "string", "minLength": 1},
                    {"type": "array", "minItems": 1,
                     "items": {"type": "string", "minLength": 1}},
                ]},
                "description": (
                    "Layers from the top (imports nothing above it) to the floor. Each is a "
                    "module, or siblings: 'a | b' independent, [a, b] may import each other."
                ),
            },
            "container": {
                "type": "string",
                "description": "Every module under this package must belong to a layer.",
            },
            "ignore_type_checking": {
                "type": "boolean",
                "default": True,
                "description": "Ignore imports under 'if TYPE_CHECKING:' (they never run).",
            },
            "ignore_function_level": {
                "type": "boolean",
                "default": False,
                "description": "Ignore imports inside functions (they still run when called).",
            },
        },
        "required": ["layers"],
    },
    parse_params=parse_params,
    check=check,
    example=(
        "- id: layering\n  kind: layers\n  container: app\n  layers:\n    - app.web\n"
        "    - app.services\n    - app.billing | app.shipping\n    - app.domain\n"
    ),
)
