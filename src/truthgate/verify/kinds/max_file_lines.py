"""the monolith guard.

A 1,800-line ``main.py`` that holds routes, models and start-up is where every change
collides and every review gives up. Each selected file may have at most ``limit`` lines;
``overrides`` give chosen paths (gitignore-style globs, the first that matches wins) their own
limit, so a legacy file can be capped where it stands today and ratcheted down. The finding
points at the first line past the limit, where the excess starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pathspec

from truthgate.verify.kinds import params as declared
from truthgate.verify.kinds.base import CheckContext, InvariantKind, Violation
from truthgate.verify.kinds.params import param

DEFAULT_LIMIT = 800


@dataclass(frozen=True)
class Override:
    """A per-path limit (declared once: schema and parser follow)."""

    glob: str = param("A gitignore-style glob, e.g. 'src/legacy/**'.", key="path")
    limit: int = param("Maximum number of lines for matching files.", minimum=1)
    # Compiled once; left out of equality/hash (a PathSpec is not hashable).
    spec: pathspec.PathSpec[pathspec.Pattern] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "spec", pathspec.PathSpec.from_lines("gitignore", [self.glob]))


@dataclass(frozen=True)
class Params:
    """The default limit and per-path overrides (declared once: schema and parser follow)."""

    limit: int = param(f"Maximum number of lines per file (default {DEFAULT_LIMIT}).",
                       default=DEFAULT_LIMIT, minimum=1)
    overrides: tuple[Override, ...] = param(
        "Per-path limits; the first override whose glob matches wins.", default=())

    def limit_for(self, path: str) -> int:
        """The limit of ``path``: the first matching override's, else the default."""
        for override in self.overrides:
            if override.spec.match_file(path):
                return override.limit
        return self.limit


def parse_params(raw: Mapping[str, Any]) -> Params:
    """Params from the invariant's own (validated) keys."""
    return declared.parse_params(Params, raw)


def check(ctx: CheckContext, params: Params) -> Iterable[Violation]:
    for facts in ctx.files:
        if facts.problem in ("binary", "unreadable"):
            continue  # not text: a line count means nothing
        limit = params.limit_for(facts.path)
        if facts.line_count <= limit:
            continue
        yield Violation(
            facts.path,
            f"{facts.path} has {facts.line_count:,} lines, over the limit of {limit:,}",
            line=limit + 1,
            col=1,
            hint="Split it by responsibility (routes, models, services) into modules, "
            "or cap it where it stands with an override and ratchet down.",
            key="too-long",
        )


KIND = InvariantKind(
    name="max_file_lines",
    summary="No file grows past a line limit (default 800), with per-path overrides.",
    why="A monolith file (a 1,832-line main.py holding every route) is where merge conflicts, "
    "untestable start-up code and unreviewable diffs come from; a cap stops the growth.",
    hint="Split the file by responsibility into smaller modules.",
    params_schema=declared.params_schema(Params),
    parse_params=parse_params,
    check=check,
    default_paths=("**/*.py",),
    default_exclude=("**/migrations/**",),
    example="""\
- id: no-monoliths
  kind: max_file_lines
  limit: 800
  overrides:
    - {path: "app/legacy_routes.py", limit: 1900}
""",
)
