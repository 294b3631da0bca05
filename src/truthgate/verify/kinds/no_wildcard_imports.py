"""no_wildcard_imports: no ``from x import *`` in the selected files."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from truthgate.verify.graph import module_matches
from truthgate.verify.kinds import params as declared
from truthgate.verify.kinds.base import CheckContext, InvariantKind, Violation
from truthgate.verify.kinds.params import param


@dataclass(frozen=True)
class Params:
    """The star imports tolerated (declared once: schema and parser follow)."""

    allow_modules: tuple[str, ...] = param(
        "Module globs whose star import is tolerated (e.g. 'tkinter'); a glob also covers "
        "submodules.", default=())


def parse_params(raw: Mapping[str, Any]) -> Params:
    """Params from the invariant's own (validated) keys."""
    return declared.parse_params(Params, raw)


def check(ctx: CheckContext, params: Params) -> Iterable[Violation]:
    """One violation per star import whose module is not explicitly allowed."""
    for f in ctx.files:
        for imp in f.imports:
            if not (imp.is_from and "*" in imp.names):
                continue
            written = "." * imp.level + imp.module
            if any(module_matches(written, p) for p in params.allow_modules):
                continue
            yield Violation(
                path=f.path,
                message=f"wildcard import: from {written} import *",
                line=imp.line,
                col=imp.col,
                key=written,
            )


KIND = InvariantKind(
    name="no_wildcard_imports",
    summary="No 'from module import *' in the selected files.",
    why=(
        "Star imports hide where a name comes from, silently shadow other names and make "
        "the import graph (and every tool that reads it) guess."
    ),
    hint="Import the names you use explicitly: 'from module import a, b'.",
    params_schema=declared.params_schema(Params),
    parse_params=parse_params,
    check=check,
    example="- id: explicit-imports\n  kind: no_wildcard_imports\n  paths: ['app/**']\n",
)
