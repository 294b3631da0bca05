"""no_runtime_schema_create: the production path never creates the database schema itself.

``db.create_all()`` / ``Base.metadata.create_all(bind=engine)`` at boot silently creates
missing tables and never alters existing ones, so production drifts from the migrations.
Any call whose callee ends in one of ``calls`` (default ``create_all``) is a finding;
migrations, alembic, scripts and tests are excluded by default because creating a schema is
exactly their job. A function merely *named* like it (``create_all_users()``) does not match:
the comparison is on the whole last segment of the callee.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from truthgate.verify.kinds._secrets import callee_tail, str_tuple
from truthgate.verify.kinds.base import CheckContext, InvariantKind, Violation


@dataclass(frozen=True)
class Params:
    """Callee names (last segment) that create a schema at run time."""

    calls: tuple[str, ...] = ("create_all",)


def parse_params(raw: Mapping[str, Any]) -> Params:
    """Read ``calls`` (a list of callee tails)."""
    return Params(calls=str_tuple(raw, "calls", Params.calls))


def check(ctx: CheckContext, params: Params) -> Iterable[Violation]:
    """One violation per matching call in the selected files."""
    wanted = frozenset(params.calls)
    for facts in ctx.files:
        for call in facts.calls:
            if callee_tail(call) not in wanted:
                continue
            yield Violation(
                path=facts.path,
                message=f"{call.name}() creates the database schema at run time",
                line=call.line,
                col=call.col,
                end_line=call.end_line,
                end_col=call.end_col,
                key=call.name,
            )


KIND = InvariantKind(
    name="no_runtime_schema_create",
    summary="No create_all() (or other schema creation) on the production path.",
    why=(
        "create_all() at boot creates missing tables but never migrates existing ones: "
        "production silently diverges from the migrations and nobody notices until a "
        "column is missing."
    ),
    hint=(
        "Remove the call from the application path and apply migrations explicitly during "
        "deploy (e.g. 'alembic upgrade head' / 'flask db upgrade')."
    ),
    params_schema={
        "properties": {
            "calls": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "description": "Callee names (last dotted segment) that create a schema; "
                "default ['create_all'].",
            }
        }
    },
    parse_params=parse_params,
    check=check,
    default_paths=("**/*.py",),
    default_exclude=(
        "migrations/**", "**/migrations/**", "alembic/**", "**/alembic/**",
        "scripts/**", "**/scripts/**", "tests/**", "**/tests/**",
    ),
    example=(
        "- id: no-create-all\n"
        "  kind: no_runtime_schema_create\n"
        "  exclude: [tools/**]\n"
    ),
)
