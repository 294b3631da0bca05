"""Each scenario problem is shown once, in every format, for reports the engine really builds.

The smoke engine copies a step's failures into its scenario's ``failures`` (``"<step>:
<failure>"``) and an errored step's error into the scenario's ``error``; the reporters
used to print both copies. The JSON record keeps both (it is the full record).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import jsonschema
import pytest
import yaml
from reports_samples import smoke_engine_report

from truthgate.contract.model import Contract, Entrypoint, Env, Kb, Legacy, Product
from truthgate.model import Outcome, RunReport, ScenarioResult, StepResult
from truthgate.reports import render
from truthgate.reports._common import scenario_breakdown, scenario_problems
from truthgate.smoke.runner import run_smoke
from truthgate.smoke.spec import SMOKE_SCHEMA, parse_smoke

PROBLEMS = ("json $.items: expected at least 1 item, got 0",
            "header Cache-Control: expected present",
            "refused the connection (nothing listens there)",
            "status: expected 201, got 500",
            "the repeated request created a second order",
            "KeyError('p95')")
# Formats that show problems as text a person reads, and how to get that text: JUnit's
# ``message`` attribute is a one-line summary by convention (the first problem) and SARIF
# also names a crashed scenario in a tool notification, so for those two the count is
# taken over the detail a reader scrolls through: element text, result messages.
HUMAN = ("text", "markdown", "html", "github", "junit", "sarif")


def _detail(fmt: str, out: str) -> str:
    if fmt == "junit":
        return "\n".join(el.text or "" for el in ET.fromstring(out).iter())
    if fmt == "sarif":
        results = json.loads(out)["runs"][0]["results"]
        return "\n".join(r["message"]["text"] for r in results)
    return out


@pytest.mark.parametrize("fmt", HUMAN)
def test_engine_shaped_problems_appear_once(fmt: str) -> None:
    out = _detail(fmt, render(fmt, smoke_engine_report()))
    for problem in PROBLEMS:
        # Markdown escapes "_" in prose; HTML escapes quotes.
        variants = {problem, problem.replace("_", "\\_"), problem.replace("'", "&#x27;")}
        assert sum(out.count(v) for v in variants) == 1, (fmt, problem)


def test_json_keeps_the_engine_record() -> None:
    data = json.loads(render("json", smoke_engine_report()))
    s1 = data["scenarios"][1]
    assert s1["failures"] == ["GET /api/products: " + PROBLEMS[0],
                              "GET /api/products: " + PROBLEMS[1]]
    assert s1["steps"][1]["failures"] == list(PROBLEMS[:2])
    s2 = data["scenarios"][2]
    assert s2["error"].startswith("GET /api/orders: ") and s2["error_class"] == \
        "connect-refused"
    assert s2["steps"][0]["error_class"] == "connect-refused"


def test_text_puts_step_problems_under_the_step() -> None:
    lines = render("text", smoke_engine_report()).splitlines()
    at = lines.index("    GET /api/products:")
    assert lines[at + 1:at + 3] == [f"      - {PROBLEMS[0]}", f"      - {PROBLEMS[1]}"]
    assert lines[at + 3] == "      | GET https://staging.example.test/api/products"
    # The kind's own verdict stays at the scenario; the copied step failure does not.
    s4 = lines.index("FAIL   S4  ordering twice is safe  (p50 21.0 ms · max 25.5 ms)")
    assert lines[s4 + 1:s4 + 4] == [
        "    - the repeated request created a second order (ids 41 and 42)",
        "    POST /api/orders #2:",
        "      - status: expected 201, got 500",
    ]


def test_breakdown_keeps_what_is_not_a_copy() -> None:
    step = StepResult("s", Outcome.ERROR, failures=("a",), error="boom", error_class="reset")
    s = ScenarioResult("S", "n", "steps", Outcome.ERROR, steps=(step,),
                       failures=("s: a", "verdict", "t: a"), error="other: boom",
                       error_class="reset")
    own, steps = scenario_breakdown(s)
    # "t: a" names no step of this scenario and "other: boom" is not the step's error:
    # neither is a copy, so both stay.
    assert own == ["verdict", "t: a", "reset: other: boom"]
    assert steps == [(step, ["a", "reset: boom"])]
    assert scenario_problems(s) == own + ["s: a", "s: reset: boom"]


def _contract(smoke: str) -> Contract:
    raw = yaml.safe_load(smoke)
    jsonschema.Draft202012Validator(SMOKE_SCHEMA).validate(raw)
    return Contract(version=1, product=Product(name="demo"), entrypoint=Entrypoint("app.py"),
                    env=Env(), kb=Kb(), legacy=Legacy(), invariants=(),
                    smoke=parse_smoke(raw), root=Path("."))


STEPS = """
scenarios:
  - id: S1
    name: catalogue lists products
    steps:
      - request: {path: /health}
        expect: {status: 200}
      - request: {path: /products}
        expect: {status: 200, headers: {present: [X-Total]}}
"""


def test_real_engine_report_shows_each_failure_once() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        # A stream, not content=: the engine reads the body raw, in chunks, with a cap.
        return httpx.Response(200 if request.url.path == "/health" else 503,
                              headers={"Content-Type": "application/json"},
                              stream=httpx.ByteStream(b"{}"))

    report: RunReport = run_smoke(_contract(STEPS), base_url="http://svc.test", environ={},
                                  transport=httpx.MockTransport(handler))
    (s1,) = report.scenarios
    assert s1.outcome is Outcome.FAIL
    step = s1.steps[-1]
    assert step.failures, step
    # The engine's shape this fix depends on: every step failure copied into the scenario.
    assert all(f"{step.name}: {f}" in s1.failures for f in step.failures)
    for fmt in HUMAN:
        out = _detail(fmt, render(fmt, report))
        for failure in step.failures:
            assert out.count(failure) == 1, (fmt, failure, out)
