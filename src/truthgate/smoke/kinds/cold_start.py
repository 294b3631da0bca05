"""``cold_start`` (S8): from the first attempt, poll health until ready; fail past budget.

Refused connections and timeouts while polling mean "not up yet", not an error. The
measured time to ready is reported as the metric ``ready_ms``. Use it with ``--wait-ready``
off (the default), right after a deploy or a restart. Example::

    - id: S8
      kind: cold_start
      params: {path: /health, budget_s: 60, json: [{query: status, equals: ok}]}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from truthgate.smoke.kinds.base import KindContext, Plan, ScenarioKind, StepRun, Verdict
from truthgate.smoke.model import Expect, JsonCheck, Poll, Request, StatusMatch, Step
from truthgate.smoke.parse import parse_json_check, parse_status
from truthgate.smoke.schema import JSON_CHECK, STATUS, s_int, s_list, s_num, s_tpl


@dataclass(frozen=True)
class ColdStartParams:
    """The readiness endpoint, what "ready" means and how long it may take."""

    path: str = "/health"
    status: StatusMatch = StatusMatch(codes=(200,))
    json: tuple[JsonCheck, ...] = ()
    budget_s: float = 60.0
    interval_ms: float = 250.0
    max_attempts: int = 2000


SCHEMA: dict[str, Any] = {
    "properties": {
        "path": s_tpl("Readiness endpoint; '/health' by default."),
        "status": STATUS,
        "json": s_list("JMESPath checks that must hold once ready.", JSON_CHECK),
        "budget_s": s_num("Ready within this many seconds; 60 by default.", maximum=3600),
        "interval_ms": s_num("Pause between attempts; 250 ms by default.", minimum=10),
        "max_attempts": s_int("Hard cap on attempts.", minimum=1, maximum=100000),
    },
}


def parse(raw: Mapping[str, Any]) -> ColdStartParams:
    """Validated ``params`` -> ColdStartParams."""
    return ColdStartParams(
        path=str(raw.get("path", "/health")),
        status=parse_status(raw.get("status")) or StatusMatch(codes=(200,)),
        json=tuple(parse_json_check(c) for c in raw.get("json", ())),
        budget_s=float(raw.get("budget_s", 60)),
        interval_ms=float(raw.get("interval_ms", 250)),
        max_attempts=int(raw.get("max_attempts", 2000)),
    )


def expand(p: ColdStartParams, ctx: KindContext) -> Plan:
    """One polled step; the check turns "never ready" into a failure with the reason."""
    step = Step(name=f"poll {p.path}", request=Request(path=p.path),
                expect=Expect(status=p.status, json=p.json),
                poll=Poll(until_s=p.budget_s, interval_ms=p.interval_ms,
                          max_attempts=p.max_attempts))

    def check(runs: tuple[StepRun, ...]) -> Verdict:
        run = runs[0]
        if run.ok:
            # Time from the first attempt to the ready answer, measured by the runner.
            return Verdict(metrics=(("ready_ms", run.total_ms or run.elapsed_ms or 0.0),
                                    ("attempts", float(run.attempts))))
        last = run.error or "; ".join(run.failures)
        return Verdict(failures=(f"not ready within {p.budget_s:g} s after {run.attempts} "
                                 f"attempts; last answer: {last}",),
                       metrics=(("attempts", float(run.attempts)),))

    return Plan(steps=(step,), check=check, tolerate_errors=True)


KIND = ScenarioKind(
    name="cold_start",
    summary="From the first attempt, health becomes ready within the budget.",
    params_schema=SCHEMA, parse_params=parse, expand=expand,
    example="kind: cold_start\nparams: {path: /health, budget_s: 60}",
)
