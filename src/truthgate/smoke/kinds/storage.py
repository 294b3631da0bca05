"""``storage`` (S2): fields of the health body say the database is reachable and migrated.

Example::

    - id: S2
      kind: storage
      params:
        path: /health
        checks:
          - {query: db.reachable, equals: true}
          - {query: db.migrations_pending, equals: 0}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from truthgate.smoke.kinds.base import KindContext, Plan, ScenarioKind
from truthgate.smoke.model import Expect, JsonCheck, Request, StatusMatch, Step
from truthgate.smoke.parse import parse_json_check, parse_status
from truthgate.smoke.schema import JSON_CHECK, STATUS, s_list, s_num, s_tpl


@dataclass(frozen=True)
class StorageParams:
    """The endpoint that reports storage state and the JMESPath checks over it."""

    checks: tuple[JsonCheck, ...]
    path: str = "/health"
    status: StatusMatch = StatusMatch(codes=(200,))
    budget_ms: float | None = None


SCHEMA: dict[str, Any] = {
    "properties": {
        "path": s_tpl("Endpoint reporting storage state; '/health' by default."),
        "checks": s_list("JMESPath checks that assert reachability / migrations.",
                         JSON_CHECK, minItems=1),
        "status": STATUS,
        "budget_ms": s_num("Latency budget in ms."),
    },
    "required": ["checks"],
}


def parse(raw: Mapping[str, Any]) -> StorageParams:
    """Validated ``params`` -> StorageParams."""
    return StorageParams(
        checks=tuple(parse_json_check(c) for c in raw["checks"]),
        path=str(raw.get("path", "/health")),
        status=parse_status(raw.get("status")) or StatusMatch(codes=(200,)),
        budget_ms=raw.get("budget_ms"),
    )


def expand(p: StorageParams, ctx: KindContext) -> Plan:
    """One GET; the storage facts are ordinary JSON expectations of that step."""
    step = Step(name=f"GET {p.path}", request=Request(path=p.path),
                expect=Expect(status=p.status, max_ms=p.budget_ms, json=p.checks))
    return Plan(steps=(step,))


KIND = ScenarioKind(
    name="storage",
    summary="Health-body fields assert the database is reachable and migrations applied.",
    params_schema=SCHEMA, parse_params=parse, expand=expand,
    example="kind: storage\nparams:\n  checks: [{query: db.reachable, equals: true}]",
)
