"""python_syntax: every Python file in scope parses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from truthgate.verify.kinds.base import CheckContext, InvariantKind, Violation


@dataclass(frozen=True)
class Params:
    """python_syntax takes no parameters."""


def parse_params(raw: Mapping[str, Any]) -> Params:
    """Params from the invariant's own (validated) keys."""
    return Params()


def check(ctx: CheckContext, params: Params) -> Iterable[Violation]:
    """One violation per selected Python file that does not parse."""
    for f in ctx.files:
        if f.is_python and f.problem == "syntax":
            yield Violation(
                path=f.path,
                message=f"does not parse: {f.problem_detail}",
                line=f.problem_line,
                col=f.problem_col,
                key=f.problem_detail,
            )


KIND = InvariantKind(
    name="python_syntax",
    summary="Every Python file in scope parses.",
    why=(
        "A file that does not parse crashes the process that imports it, and hides itself "
        "from every other static check."
    ),
    hint="Fix the syntax error at the reported line, or move the file out of the scanned paths.",
    params_schema={"properties": {}},
    parse_params=parse_params,
    check=check,
    example="- id: code-parses\n  kind: python_syntax\n",
)
