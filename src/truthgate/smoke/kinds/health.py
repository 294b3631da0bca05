"""``health`` (S0): the health endpoint answers 200, with a schema-valid body, within budget.

Example::

    - id: S0
      name: Health endpoint
      kind: health
      params: {path: /health, budget_ms: 300, schema_file: product/health.schema.json}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from truthgate.smoke.kinds.base import KindContext, Plan, ScenarioKind
from truthgate.smoke.model import Expect, JsonCheck, Request, StatusMatch, Step
from truthgate.smoke.parse import pairs, parse_json_check, parse_status
from truthgate.smoke.schema import JSON_CHECK, STATUS, s_list, s_map, s_num, s_str, s_tpl


@dataclass(frozen=True)
class HealthParams:
    """Where the health endpoint is and what a healthy answer looks like."""

    path: str = "/health"
    status: StatusMatch = StatusMatch(codes=(200,))
    budget_ms: float | None = None
    json_schema: Any = None
    schema_file: str = ""
    json: tuple[JsonCheck, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()


SCHEMA: dict[str, Any] = {
    "properties": {
        "path": s_tpl("Health endpoint path; '/health' by default."),
        "status": STATUS,
        "budget_ms": s_num("Latency budget in ms (defaults.budget_ms when omitted)."),
        "json_schema": {"type": ["object", "boolean"],
                        "description": "Inline JSON Schema of the health body."},
        "schema_file": s_str("Repository path of the health body's JSON Schema.",
                             format="repo-path"),
        "json": s_list("Extra JMESPath checks over the body.", JSON_CHECK),
        "headers": s_map("Request headers.", {"type": "string", "x-interpolate": True}),
    },
}


def parse(raw: Mapping[str, Any]) -> HealthParams:
    """Validated ``params`` -> HealthParams."""
    return HealthParams(
        path=str(raw.get("path", "/health")),
        status=parse_status(raw.get("status")) or StatusMatch(codes=(200,)),
        budget_ms=raw.get("budget_ms"),
        json_schema=raw.get("json_schema"),
        schema_file=str(raw.get("schema_file", "")),
        json=tuple(parse_json_check(c) for c in raw.get("json", ())),
        headers=pairs(raw.get("headers")),
    )


def expand(p: HealthParams, ctx: KindContext) -> Plan:
    """One GET whose expectations carry the whole promise; no extra check needed."""
    step = Step(
        name=f"GET {p.path}",
        request=Request(path=p.path, headers=p.headers),
        expect=Expect(status=p.status, max_ms=p.budget_ms, json_schema=p.json_schema,
                      schema_file=p.schema_file, json=p.json),
    )
    return Plan(steps=(step,))


KIND = ScenarioKind(
    name="health",
    summary="The health endpoint answers 200 with a schema-valid body within budget.",
    params_schema=SCHEMA, parse_params=parse, expand=expand,
    example="kind: health\nparams: {path: /health, budget_ms: 300}",
)
