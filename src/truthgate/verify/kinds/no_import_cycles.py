"""no_import_cycles: the selected modules import each other without cycles."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from truthgate.verify.kinds import params as declared
from truthgate.verify.kinds.base import CheckContext, InvariantKind, Violation
from truthgate.verify.kinds.params import param


@dataclass(frozen=True)
class Params:
    """Which imports make an edge of the graph (declared once: schema and parser follow)."""

    ignore_type_checking: bool = param(
        "Ignore imports under 'if TYPE_CHECKING:' (they never run).", default=True)
    ignore_function_level: bool = param(
        "Ignore imports inside functions (lazy imports run late).", default=True)


def parse_params(raw: Mapping[str, Any]) -> Params:
    """Params from the invariant's own (validated) keys."""
    return declared.parse_params(Params, raw)


def check(ctx: CheckContext, params: Params) -> Iterable[Violation]:
    """One violation per cycle group (strongly connected component), with its chain."""
    graph = ctx.graph()
    within = {m for m in (graph.module_of(f.path) for f in ctx.files) if m}
    for chain in graph.cycles(
        ignore_type_checking=params.ignore_type_checking,
        ignore_function_level=params.ignore_function_level,
        within=within,
    ):
        first = chain[0]
        names = " -> ".join([e.importer for e in chain] + [first.importer])
        steps = "; ".join(f"{e.path}:{e.line} imports {e.imported}" for e in chain)
        yield Violation(
            path=first.path,
            line=first.line,
            col=first.col,
            message=f"import cycle: {names}",
            hint=f"Break one edge of the cycle ({steps}), e.g. move the shared code into a "
            "module both can import, or import lazily inside the function that needs it.",
            key=names,
        )


KIND = InvariantKind(
    name="no_import_cycles",
    summary="The selected modules import each other without cycles.",
    why=(
        "Circular imports fail at import time depending on which module is imported first "
        "('partially initialized module'), and tie modules that should evolve separately."
    ),
    hint="Move the shared code into a module both sides import, or import lazily.",
    params_schema=declared.params_schema(Params),
    parse_params=parse_params,
    check=check,
    example="- id: no-cycles\n  kind: no_import_cycles\n  paths: ['src/**/*.py']\n",
)
