"""forbidden_imports: modules matching A must not import modules matching B.

A transitive rule's finding is placed at the culprit edge, the import that crosses into
forbidden territory, with the chain from the source module as related locations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from truthgate.verify.errors import InvariantConfigError
from truthgate.verify.graph import ImportEdge, ImportGraph, modules_matcher
from truthgate.verify.kinds.base import CheckContext, InvariantKind, Violation


@dataclass(frozen=True)
class Rule:
    sources: tuple[str, ...]  # 'from' module globs
    forbid: tuple[str, ...]
    transitive: bool = False
    label: str = ""  # how findings name the rule


@dataclass(frozen=True)
class Params:
    rules: tuple[Rule, ...] = ()
    legacy: bool = False  # the blessed entrypoint never reaches legacy/quarantined modules
    ignore_type_checking: bool = True
    ignore_function_level: bool = False


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value or ())


def parse_params(raw: Mapping[str, Any]) -> Params:
    """Params from the invariant's own (validated) keys."""
    rules = []
    for i, r in enumerate(raw.get("rules", ()) or ()):
        sources, forbid = _strings(r.get("from")), _strings(r.get("forbid"))
        label = f"rule {i + 1} ({', '.join(sources)} must not import {', '.join(forbid)})"
        rules.append(Rule(sources, forbid, bool(r.get("transitive", False)), label))
    return Params(
        rules=tuple(rules),
        legacy=bool(raw.get("legacy", False)),
        ignore_type_checking=bool(raw.get("ignore_type_checking", True)),
        ignore_function_level=bool(raw.get("ignore_function_level", False)),
    )


def _matches(module: str, patterns: Sequence[str]) -> bool:
    return modules_matcher(tuple(patterns))(module)


def _chain_text(chain: Sequence[ImportEdge]) -> str:
    return " -> ".join([chain[0].importer] + [e.imported for e in chain])


def _check_rule(graph: ImportGraph, rule: Rule, sources: list[str], p: Params) -> list[Violation]:
    flags = {
        "ignore_type_checking": p.ignore_type_checking,
        "ignore_function_level": p.ignore_function_level,
    }
    source_set = set(sources)
    out: list[Violation] = []
    adj = graph.adjacency(**flags)
    for src in sources:
        if not rule.transitive:
            for e in adj.get(src, ()):
                if _matches(e.imported, rule.forbid):
                    out.append(_violation(rule, (e,)))
            continue
        # One finding per import that enters forbidden territory (the culprit edge), with
        # the shortest chain that leads to it from this source.
        best: dict[tuple[str, int, str], tuple[ImportEdge, ...]] = {}
        for target, chain in sorted(graph.reachable(src, **flags).items()):
            if not _matches(target, rule.forbid):
                continue
            inner = chain[:-1]
            # Deeper inside forbidden code, or reported from another source module: skip.
            if any(_matches(e.imported, rule.forbid) for e in inner):
                continue
            if any(e.importer in source_set for e in chain[1:]):
                continue
            last = chain[-1]
            key = (last.path, last.line, last.imported)
            if key not in best or len(chain) < len(best[key]):
                best[key] = chain
        out.extend(_violation(rule, chain) for _, chain in sorted(best.items()))
    return out


def _violation(rule: Rule, chain: tuple[ImportEdge, ...]) -> Violation:
    first, last = chain[0], chain[-1]
    if len(chain) == 1:
        message = f"{first.importer} imports {first.imported}, forbidden by {rule.label}"
    else:
        message = (
            f"{first.importer} reaches {last.imported} through {_chain_text(chain)}, "
            f"forbidden by {rule.label}"
        )
    steps = "; ".join(f"{e.path}:{e.line} imports {e.imported}" for e in chain)
    # The line to fix is the edge that crosses into forbidden territory (the last one; the
    # ones before it stay inside allowed code); the chain from the source leads there.
    return Violation(
        path=last.path,
        line=last.line,
        col=last.col,
        message=message,
        hint=f"Remove or invert the dependency ({steps}).",
        key=f"{rule.label}|{_chain_text(chain)}",
        related=tuple((e.path, e.line, f"chain step {i}: {e.importer} imports {e.imported}")
                      for i, e in enumerate(chain[:-1], start=1)),
    )


def _legacy_rule(ctx: CheckContext, graph: ImportGraph) -> tuple[Rule, list[str]]:
    contract = ctx.contract
    entry = graph.module_of(contract.entrypoint.path)
    if not entry:
        raise InvariantConfigError(
            f"legacy: the entrypoint {contract.entrypoint.path!r} is not a Python module "
            "of the repository, so the blessed path cannot be checked"
        )
    qdir = contract.legacy.quarantine_dir.strip("/")
    quarantined = tuple(m for m, path in graph.modules.items() if path.startswith(qdir + "/"))
    forbid = tuple(contract.legacy.forbidden_modules) + tuple(sorted(quarantined))
    label = "the legacy rule (the blessed path must not import legacy or quarantined code)"
    # Secondary processes (entrypoint.processes: a worker) are blessed paths too.
    extra = [m for m in (graph.module_of(p.path) for p in contract.entrypoint.processes)
             if m and m != entry]
    sources = [entry, *dict.fromkeys(extra)]
    return Rule(tuple(sources), forbid, True, label), sources


def check(ctx: CheckContext, params: Params) -> Iterable[Violation]:
    """Violations of every rule; a rule that matches no module is an invariant error."""
    if not params.rules and not params.legacy:
        raise InvariantConfigError("forbidden_imports declares no rule (rules: or legacy: true)")
    graph = ctx.graph()
    in_scope = sorted({m for m in (graph.module_of(f.path) for f in ctx.files) if m})
    out: list[Violation] = []
    for rule in params.rules:
        sources = [
            m for m in in_scope if _matches(m, rule.sources) and not _matches(m, rule.forbid)
        ]
        if not sources:
            raise InvariantConfigError(
                f"{rule.label}: 'from' matches no module in the selected files, "
                "so the rule would check nothing"
            )
        out.extend(_check_rule(graph, rule, sources, params))
    if params.legacy:
        rule, sources = _legacy_rule(ctx, graph)
        out.extend(_check_rule(graph, rule, sources, params))
    return out


_GLOBS = {"type": "array", "items": {"type": "string"}, "minItems": 1}

KIND = InvariantKind(
    name="forbidden_imports",
    summary="Modules matching a pattern never import modules matching another.",
    why=(
        "Layering rules ('the core never imports the web layer', 'production never imports "
        "quarantined legacy code') rot silently unless a machine checks every import."
    ),
    hint="Remove the import, or move the code so the dependency points the allowed way.",
    params_schema={
        "properties": {
            "rules": {
                "type": "array",
                "description": "Rules 'modules matching from must not import forbid'.",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["from", "forbid"],
                    "properties": {
                        "from": {
                            **_GLOBS,
                            "description": (
                                "Module globs the rule applies to (fnmatch on dotted names; "
                                "a glob also covers submodules)."
                            ),
                        },
                        "forbid": {
                            **_GLOBS,
                            "description": "Module globs those modules must not import.",
                        },
                        "transitive": {
                            "type": "boolean",
                            "default": False,
                            "description": "Also forbid reaching them through other modules.",
                        },
                    },
                },
            },
            "legacy": {
                "type": "boolean",
                "default": False,
                "description": (
                    "The blessed entrypoint module never imports, even transitively, "
                    "legacy.forbidden_modules or modules under legacy.quarantine_dir."
                ),
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
        }
    },
    parse_params=parse_params,
    check=check,
    example=(
        "- id: layers\n  kind: forbidden_imports\n  legacy: true\n  rules:\n"
        "    - from: ['app.domain']\n      forbid: ['app.web', 'flask']\n      transitive: true\n"
    ),
)
