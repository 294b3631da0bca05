"""``rate_limit``: a bounded burst of identical requests receives a 429.

Requests are sent back to back over one kept-alive connection, at most ``burst`` of them;
the burst stops at the first limited answer. Example::

    - id: RATE
      kind: rate_limit
      params: {request: {path: /api/search, query: {q: x}}, burst: 60}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from truthgate.smoke.kinds.base import KindContext, Plan, ScenarioKind, StepRun, Verdict
from truthgate.smoke.model import Request, StatusMatch, Step
from truthgate.smoke.parse import parse_request, parse_status, request_label
from truthgate.smoke.schema import REQUEST, STATUS, s_bool, s_int

LIMITED = StatusMatch(codes=(429,))


@dataclass(frozen=True)
class RateLimitParams:
    """The request, the most requests to send, and what "limited" looks like."""

    request: Request
    burst: int = 50
    status: StatusMatch = LIMITED
    retry_after: bool = False


SCHEMA: dict[str, Any] = {
    "properties": {
        "request": REQUEST,
        "burst": s_int("Most requests sent (2-1000); 50 by default.", minimum=2, maximum=1000),
        "status": STATUS,
        "retry_after": s_bool("The limited answer must carry Retry-After."),
    },
    "required": ["request"],
}


def parse(raw: Mapping[str, Any]) -> RateLimitParams:
    """Validated ``params`` -> RateLimitParams."""
    return RateLimitParams(
        request=parse_request(raw["request"]),
        burst=int(raw.get("burst", 50)),
        status=parse_status(raw.get("status")) or LIMITED,
        retry_after=bool(raw.get("retry_after", False)),
    )


def expand(p: RateLimitParams, ctx: KindContext) -> Plan:
    """Up to ``burst`` steps without expectations; stop at the first limited answer."""
    label = request_label(p.request)
    steps = tuple(Step(name=f"{label} #{i + 1}", request=p.request) for i in range(p.burst))

    def limited(run: StepRun) -> bool:
        return run.status is not None and p.status.matches(run.status)

    def check(runs: tuple[StepRun, ...]) -> Verdict:
        hit = next((r for r in runs if limited(r)), None)
        if hit is None:
            return Verdict(failures=(f"{len(runs)} requests in a burst were all served; "
                                     f"expected a {p.status} answer",))
        metrics = (("requests_until_limited", float(runs.index(hit) + 1)),)
        if p.retry_after and hit.header("Retry-After") is None:
            return Verdict(failures=("the limited answer carries no Retry-After header",),
                           metrics=metrics)
        return Verdict(metrics=metrics)

    return Plan(steps=steps, check=check, stop_when=limited)


KIND = ScenarioKind(
    name="rate_limit",
    summary="A bounded burst of requests receives a 429.",
    params_schema=SCHEMA, parse_params=parse, expand=expand, exclusive=True,
    example="kind: rate_limit\nparams: {request: {path: /api/search}, burst: 60}",
)
