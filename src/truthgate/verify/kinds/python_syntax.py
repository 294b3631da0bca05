"""python_syntax: every Python file in scope parses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from truthgate.verify.kinds.base import CheckContext, InvariantKind, Violation
from truthgate.verify.pytarget import classify, fmt, project_target, too_new


@dataclass(frozen=True)
class Params:
    """python_syntax takes no parameters."""


def parse_params(raw: Mapping[str, Any]) -> Params:
    """Params from the invariant's own (validated) keys."""
    return Params()


def check(ctx: CheckContext, params: Params) -> Iterable[Violation]:
    """One violation per selected Python file that does not parse on the project's Python.

    A file that fails only because it is newer than the Python truthgate runs on (valid
    3.12 code on 3.11) is no syntax error: the engine reports it once as a configuration
    problem (``truthgate-python``). One that needs a newer Python than the project targets
    is reported here, saying so.
    """
    target = None
    for f in ctx.files:
        if not (f.is_python and f.problem == "syntax"):
            continue
        feature = classify(ctx, f)
        if feature is not None:
            if target is None:
                target = project_target(ctx, (g.path for g in ctx.all_files))
            if too_new(feature, target):
                continue
            assert target is not None
            yield Violation(
                path=f.path,
                message=f"{feature.needs()}; the project targets {fmt(target.version)} "
                        f"({target.source})",
                line=f.problem_line, col=f.problem_col, key=feature.name,
            )
            continue
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
    hint=(
        "Fix the syntax error at the reported line, or move the file out of the scanned "
        "paths; for a construct of a newer Python, raise the project's Python "
        "(requires-python, verify.python) or rewrite it."
    ),
    params_schema={"properties": {}},
    parse_params=parse_params,
    check=check,
    example="- id: code-parses\n  kind: python_syntax\n",
)
