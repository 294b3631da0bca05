"""``idempotency`` (S6): the same request sent N times has its effect once.

Templates in the request are rendered once per scenario run (``${uuid}`` is stable within
a run), so every repeat carries the same idempotency key / update id. The effect is
measured through a ``counter`` (a JMESPath over a state endpoint, read before and after:
the delta must equal ``expected_delta``); without a counter the repeated responses must be
identical (status and body). Example::

    - id: S6
      kind: idempotency
      unsafe: true
      params:
        request: {path: /webhook, json: {update_id: "${uuid}"}}
        repeat: 3
        counter: {request: {path: /stats}, query: processed}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from truthgate.smoke.jpath import MISS, search
from truthgate.smoke.kinds.base import (
    MISSING,
    KindContext,
    Plan,
    ScenarioKind,
    StepRun,
    Verdict,
)
from truthgate.smoke.model import ANY_2XX, Expect, Request, StatusMatch, Step
from truthgate.smoke.parse import parse_request, parse_status, request_label
from truthgate.smoke.schema import REQUEST, STATUS, s_int, s_num, s_obj, s_str

_BEFORE, _AFTER = "counter before", "counter after"


@dataclass(frozen=True)
class IdempotencyParams:
    """The repeated request and how its effect is observed."""

    request: Request
    repeat: int = 3
    status: StatusMatch = ANY_2XX
    counter_request: Request | None = None
    counter_query: str = ""
    expected_delta: float = 1


SCHEMA: dict[str, Any] = {
    "properties": {
        "request": REQUEST,
        "repeat": s_int("How many times the identical request is sent (2-20).",
                        minimum=2, maximum=20),
        "status": STATUS,
        "counter": s_obj("A state endpoint read before and after the repeats.", {
            "request": REQUEST,
            "query": s_str("JMESPath to a number in its JSON body."),
        }, required=["request", "query"]),
        "expected_delta": s_num("How much the counter must grow; 1 by default.",
                                minimum=-1e12),
    },
    "required": ["request"],
}


def parse(raw: Mapping[str, Any]) -> IdempotencyParams:
    """Validated ``params`` -> IdempotencyParams."""
    counter = raw.get("counter") or {}
    return IdempotencyParams(
        request=parse_request(raw["request"], method="POST"),
        repeat=int(raw.get("repeat", 3)),
        status=parse_status(raw.get("status")) or ANY_2XX,
        counter_request=parse_request(counter["request"]) if counter else None,
        counter_query=str(counter.get("query", "")),
        expected_delta=float(raw.get("expected_delta", 1)),
    )


def _number(run: StepRun, query: str) -> float | None:
    if run.json is MISSING:
        return None
    value = search(query, run.json)
    if value is MISS:
        return None
    is_num = isinstance(value, (int, float)) and not isinstance(value, bool)
    return float(value) if is_num else None


def expand(p: IdempotencyParams, ctx: KindContext) -> Plan:
    """[counter before] + N repeats + [counter after], then compare."""
    label = request_label(p.request)
    repeats = [Step(name=f"{label} #{i + 1}", request=p.request, expect=Expect(status=p.status))
               for i in range(p.repeat)]
    steps = list(repeats)
    if p.counter_request is not None:
        read = Expect(status=ANY_2XX)
        steps = [Step(name=_BEFORE, request=p.counter_request, expect=read), *repeats,
                 Step(name=_AFTER, request=p.counter_request, expect=read)]

    def check(runs: tuple[StepRun, ...]) -> Verdict:
        by_name = {r.name: r for r in runs}
        if p.counter_request is not None:
            if _BEFORE not in by_name or _AFTER not in by_name:
                return Verdict()  # a step failed already; its failure says why
            before = _number(by_name[_BEFORE], p.counter_query)
            after = _number(by_name[_AFTER], p.counter_query)
            if before is None or after is None:
                return Verdict(failures=(f"the counter query {p.counter_query!r} did not "
                                         "yield a number",))
            delta = after - before
            metrics = (("counter_delta", delta),)
            if delta != p.expected_delta:
                return Verdict(failures=(
                    f"{p.repeat} identical requests moved {p.counter_query!r} by "
                    f"{delta:g}; expected {p.expected_delta:g} (the effect must happen once)",
                ), metrics=metrics)
            return Verdict(metrics=metrics)
        answers = {(r.status, r.body) for r in runs}
        if len(answers) > 1:
            statuses = ", ".join(str(r.status) for r in runs)
            return Verdict(failures=(f"{p.repeat} identical requests got different "
                                     f"responses (statuses {statuses}); expected the "
                                     "same answer each time",))
        return Verdict()

    return Plan(steps=tuple(steps), check=check)


KIND = ScenarioKind(
    name="idempotency",
    summary="The same request sent N times has its effect once.",
    params_schema=SCHEMA, parse_params=parse, expand=expand, exclusive=True,
    example="kind: idempotency\nunsafe: true\nparams:\n  request: {path: /webhook, json: "
            "{update_id: '${uuid}'}}\n  counter: {request: {path: /stats}, query: processed}",
)
