"""``error_leak``: error answers carry no stack trace and no secret-looking text.

Each listed request (by default one to a path that cannot exist) is expected to fail
(4xx/5xx); its body must not contain a stack trace, credential-shaped strings, the value
of any secret env var the run knows, or text matching the extra ``patterns``. Example::

    - id: LEAK
      kind: error_leak
      params:
        requests: [{path: /does-not-exist}, {method: POST, path: /webhook, body: "{"}]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from truthgate.smoke.kinds.base import KindContext, Plan, ScenarioKind, StepRun, Verdict
from truthgate.smoke.kinds.leaks import leaks
from truthgate.smoke.model import Request, Step
from truthgate.smoke.parse import parse_request, request_label
from truthgate.smoke.schema import REQUEST, s_list

DEFAULT_REQUEST = Request(path="/__truthgate_missing__/${uuid}")


@dataclass(frozen=True)
class ErrorLeakParams:
    """Requests that provoke errors and extra forbidden patterns."""

    requests: tuple[Request, ...] = (DEFAULT_REQUEST,)
    patterns: tuple[str, ...] = ()


SCHEMA: dict[str, Any] = {
    "properties": {
        "requests": s_list("Requests that provoke error answers; one to a missing path by "
                           "default.", REQUEST, minItems=1),
        "patterns": s_list("Extra regexes no error body may match (RE2 syntax).",
                           {"type": "string", "format": "linear-regex"}),
    },
}


def parse(raw: Mapping[str, Any]) -> ErrorLeakParams:
    """Validated ``params`` -> ErrorLeakParams."""
    reqs = tuple(parse_request(r) for r in raw.get("requests", ()))
    return ErrorLeakParams(requests=reqs or (DEFAULT_REQUEST,),
                           patterns=tuple(raw.get("patterns", ())))


def expand(p: ErrorLeakParams, ctx: KindContext) -> Plan:
    """One step per request; the check scans every body (the runner flags known secret
    values in ``StepRun.leaks_secret``: kinds never see the secrets themselves)."""
    steps = tuple(Step(name=request_label(r), request=r) for r in p.requests)

    def check(runs: tuple[StepRun, ...]) -> Verdict:
        failures = []
        for r in runs:
            if r.status is not None and r.status < 400:
                failures.append(f"{r.name}: expected an error answer, got {r.status}")
            bad = leaks(r.body, p.patterns)
            if r.leaks_secret:
                bad.append("the value of a secret env var")
            if bad:
                failures.append(f"{r.name}: the {r.status} answer carries {' and '.join(bad)}")
        return Verdict(failures=tuple(failures))

    return Plan(steps=steps, check=check)


KIND = ScenarioKind(
    name="error_leak",
    summary="Error answers carry no stack trace and no secret-looking text.",
    params_schema=SCHEMA, parse_params=parse, expand=expand,
    example="kind: error_leak\nparams: {requests: [{path: /does-not-exist}]}",
)
