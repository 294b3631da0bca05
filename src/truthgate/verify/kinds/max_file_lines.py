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

from truthgate.verify.kinds.base import CheckContext, InvariantKind, Violation

DEFAULT_LIMIT = 800


@dataclass(frozen=True)
class Override:
    """A per-path limit: ``glob`` is gitignore-style ('src/legacy/**', 'routes.py')."""

    glob: str
    limit: int
    # Compiled once at parse time; left out of equality/hash (a PathSpec is not hashable).
    spec: pathspec.PathSpec[pathspec.Pattern] = field(compare=False, repr=False)


@dataclass(frozen=True)
class Params:
    limit: int = DEFAULT_LIMIT
    overrides: tuple[Override, ...] = ()

    def limit_for(self, path: str) -> int:
        """The limit of ``path``: the first matching override's, else the default."""
        for override in self.overrides:
            if override.spec.match_file(path):
                return override.limit
        return self.limit


def _positive(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{what} must be a positive integer, not {value!r}")
    return value


def parse_params(raw: Mapping[str, Any]) -> Params:
    overrides = []
    for entry in raw.get("overrides", ()) or ():
        if not isinstance(entry, Mapping) or not isinstance(entry.get("path"), str):
            raise ValueError(f"bad override {entry!r}")
        glob = entry["path"]
        overrides.append(
            Override(
                glob=glob,
                limit=_positive(entry.get("limit"), f"the limit of override {glob!r}"),
                spec=pathspec.PathSpec.from_lines("gitignore", [glob]),
            )
        )
    return Params(
        limit=_positive(raw.get("limit", DEFAULT_LIMIT), "limit"),
        overrides=tuple(overrides),
    )


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


_SCHEMA: dict[str, Any] = {
    "properties": {
        "limit": {
            "description": f"Maximum number of lines per file (default {DEFAULT_LIMIT}).",
            "type": "integer",
            "minimum": 1,
        },
        "overrides": {
            "description": "Per-path limits; the first override whose glob matches wins.",
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "path": {
                        "type": "string",
                        "description": "A gitignore-style glob, e.g. 'src/legacy/**'.",
                    },
                    "limit": {
                        "type": "integer",
                        "minimum": 1,
                        "description": "Maximum number of lines for matching files.",
                    },
                },
                "required": ["path", "limit"],
                "additionalProperties": False,
            },
        },
    },
}

KIND = InvariantKind(
    name="max_file_lines",
    summary="No file grows past a line limit (default 800), with per-path overrides.",
    why="A monolith file (a 1,832-line main.py holding every route) is where merge conflicts, "
    "untestable start-up code and unreviewable diffs come from; a cap stops the growth.",
    hint="Split the file by responsibility into smaller modules.",
    params_schema=_SCHEMA,
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
