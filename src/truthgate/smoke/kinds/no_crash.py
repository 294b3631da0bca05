"""``no_crash`` (S7): bad inputs get 4xx answers without stack traces; health survives.

The battery (``cases``, all by default): ``invalid_json``, ``wrong_content_type``,
``oversized_body``, ``deep_nesting``, ``wrong_types``, ``missing_fields``,
``invalid_utf8``. ``sample`` is a valid JSON body: ``wrong_types`` sends it with every
top-level value replaced by one of another type. Every case runs, whatever the one before
it did (a reset connection is that case's failure, not the end of the battery); an answer
larger than the response cap (a framework's 422 echoing the 2 MiB body) is read up to the
cap and judged by its status. Afterwards the health endpoint is probed again and must still
answer 200. Example::

    - id: S7
      kind: no_crash
      unsafe: true
      params:
        request: {path: /webhook}
        sample: {update_id: 1, message: {text: hi}}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from truthgate.smoke.kinds.base import PASS, KindContext, Plan, ScenarioKind, StepRun, Verdict
from truthgate.smoke.kinds.leaks import leaks
from truthgate.smoke.model import ANY_4XX, Expect, Request, StatusMatch, Step
from truthgate.smoke.parse import parse_request, parse_status
from truthgate.smoke.schema import REQUEST, STATUS, s_int, s_list, s_str, s_tpl

CASES = ("invalid_json", "wrong_content_type", "oversized_body", "deep_nesting",
         "wrong_types", "missing_fields", "invalid_utf8")
_HEALTH = "health afterwards"


@dataclass(frozen=True)
class NoCrashParams:
    """The endpoint under attack, the battery and what a graceful refusal looks like."""

    request: Request
    sample: Any = None
    cases: tuple[str, ...] = CASES
    status: StatusMatch = ANY_4XX
    oversized_bytes: int = 2 * 1024 * 1024
    nesting_depth: int = 10000
    health_path: str = "/health"


SCHEMA: dict[str, Any] = {
    "properties": {
        "request": REQUEST,
        "sample": {"description": "A valid JSON body for the endpoint (basis of wrong_types)."},
        "cases": s_list("Which bad inputs to send; all by default.",
                        s_str("A case name.", enum=list(CASES)), minItems=1),
        "status": STATUS,
        "oversized_bytes": s_int("Size of the oversized body; 2 MiB by default.",
                                 minimum=1024, maximum=64 * 1024 * 1024),
        "nesting_depth": s_int("Depth of the deeply nested JSON; 10000 by default.",
                               minimum=10, maximum=1_000_000),
        "health_path": s_tpl("Health endpoint checked afterwards; '' to skip."),
    },
    "required": ["request"],
}


def parse(raw: Mapping[str, Any]) -> NoCrashParams:
    """Validated ``params`` -> NoCrashParams."""
    return NoCrashParams(
        request=parse_request(raw["request"], method="POST"),
        sample=raw.get("sample"),
        cases=tuple(raw.get("cases", CASES)),
        status=parse_status(raw.get("status")) or ANY_4XX,
        oversized_bytes=int(raw.get("oversized_bytes", 2 * 1024 * 1024)),
        nesting_depth=int(raw.get("nesting_depth", 10000)),
        health_path=str(raw.get("health_path", "/health")),
    )


def _mistyped(value: Any) -> Any:
    """A value of another JSON type (strings become numbers, everything else a string)."""
    if isinstance(value, str):
        return 12345
    if isinstance(value, dict):
        return [value]
    return "not-a-" + type(value).__name__


def _body(case: str, p: NoCrashParams) -> tuple[bytes, str]:
    """The bytes and content type of one bad input."""
    ctype = "application/json"
    if case == "invalid_json":
        return b'{"truthgate": "invalid json",', ctype
    if case == "wrong_content_type":
        payload = json.dumps(p.sample if p.sample is not None else {}).encode()
        return payload, "text/plain"
    if case == "oversized_body":
        pad = b"x" * p.oversized_bytes
        return b'{"padding": "' + pad + b'"}', ctype
    if case == "deep_nesting":
        return b"[" * p.nesting_depth + b"]" * p.nesting_depth, ctype
    if case == "wrong_types":
        if isinstance(p.sample, dict) and p.sample:
            bad: Any = {k: _mistyped(v) for k, v in p.sample.items()}
        else:
            bad = ["truthgate", "wrong", "types"]
        return json.dumps(bad).encode(), ctype
    if case == "missing_fields":
        return b"{}", ctype
    # invalid_utf8: a JSON-looking body with bytes that are not UTF-8.
    return b'{"text": "\xff\xfe\xfa"}', ctype


def expand(p: NoCrashParams, ctx: KindContext) -> Plan:
    """One step per case (4xx expected, no trace) + a health step; the check scans bodies."""
    steps = []
    for case in p.cases:
        raw, ctype = _body(case, p)
        headers = tuple(h for h in p.request.headers if h[0].lower() != "content-type")
        req = replace(p.request, headers=(*headers, ("Content-Type", ctype)), json=None,
                      has_json=False, body=None, form=(), raw_body=raw, truncate_body=True)
        steps.append(Step(name=case, request=req, expect=Expect(status=p.status)))
    if p.health_path:
        steps.append(Step(name=_HEALTH, request=Request(path=p.health_path),
                          expect=Expect(status=StatusMatch(codes=(200,)))))

    def check(runs: tuple[StepRun, ...]) -> Verdict:
        # The plan tolerates errors so every case runs: a case without an answer is a
        # failure here; the steps' unmet expectations count on their steps.
        found: list[str] = []
        for r in runs:
            if r.error_class:
                found.append(f"{r.name}: no answer ({r.error_class}: {r.error})")
                continue
            bad = leaks(r.body, secrets=False)
            if bad:
                found.append(f"{r.name}: the {r.status} answer carries {' and '.join(bad)}")
        return Verdict(failures=tuple(found)) if found else PASS

    return Plan(steps=tuple(steps), check=check, tolerate_errors=True,
                step_failures_count=True)


KIND = ScenarioKind(
    name="no_crash",
    summary="Bad inputs get 4xx answers without stack traces, and health stays OK.",
    params_schema=SCHEMA, parse_params=parse, expand=expand,
    example="kind: no_crash\nunsafe: true\nparams: {request: {path: /webhook}, "
            "sample: {update_id: 1}}",
)
