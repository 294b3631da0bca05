"""``responsive`` (S1): an endpoint answers with an accepted status within its budget.

The request is sent ``repeat`` times (keep-alive) so one lucky answer does not hide a slow
endpoint; every latency is reported. Example::

    - id: S1
      kind: responsive
      params: {request: {path: /api/ping}, budget_ms: 3000}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from truthgate.smoke.kinds.base import KindContext, Plan, ScenarioKind
from truthgate.smoke.model import ANY_2XX, Expect, Request, StatusMatch, Step
from truthgate.smoke.parse import parse_request, parse_status, request_label
from truthgate.smoke.schema import REQUEST, STATUS, s_int, s_num


@dataclass(frozen=True)
class ResponsiveParams:
    """The request, its accepted status and its latency budget."""

    request: Request
    budget_ms: float
    status: StatusMatch = ANY_2XX
    repeat: int = 1


def schema(default_method: str) -> dict[str, Any]:
    """The params schema; ``default_method`` only changes the wording."""
    return {
        "properties": {
            "request": REQUEST,
            "budget_ms": s_num("Every answer must arrive within this many milliseconds."),
            "status": STATUS,
            "repeat": s_int(f"Send the request this many times (1-50); method defaults to "
                            f"{default_method}.", minimum=1, maximum=50),
        },
        "required": ["request", "budget_ms"],
    }


def parser(default_method: str) -> Any:
    """A params parser whose request method defaults to ``default_method``."""

    def parse(raw: Mapping[str, Any]) -> ResponsiveParams:
        return ResponsiveParams(
            request=parse_request(raw["request"], method=default_method),
            budget_ms=float(raw["budget_ms"]),
            status=parse_status(raw.get("status")) or ANY_2XX,
            repeat=int(raw.get("repeat", 1)),
        )

    return parse


def expand(p: ResponsiveParams, ctx: KindContext) -> Plan:
    """``repeat`` identical steps, each with the status and the budget as expectations."""
    label = request_label(p.request)
    steps = tuple(
        Step(name=label if p.repeat == 1 else f"{label} #{i + 1}", request=p.request,
             expect=Expect(status=p.status, max_ms=p.budget_ms))
        for i in range(p.repeat)
    )
    return Plan(steps=steps)


KIND = ScenarioKind(
    name="responsive",
    summary="An endpoint answers with an accepted status within its latency budget.",
    params_schema=schema("GET"), parse_params=parser("GET"), expand=expand,
    example="kind: responsive\nparams: {request: {path: /api/ping}, budget_ms: 3000}",
)
