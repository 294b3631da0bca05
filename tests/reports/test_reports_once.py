"""Each scenario problem is shown once, in every format, for reports the engine really builds.

Step failures live on their steps only; ``ScenarioResult.failures`` holds the kind's own
verdict. (The engine used to copy step failures into the scenario and the reporters
dropped the copies again by exact string match, which broke as soon as a text differed.)
The engine still copies an errored step's error into the scenario's ``error`` for its
readers, and names the step in ``error_step``: that, not the text, tells a renderer the
error is shown under the step. The JSON record keeps the flat ``failures`` list it always
had, plus ``own_failures``, and ``error`` as it always read, plus ``error_step``.
"""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import httpx
import jsonschema
import pytest
import yaml
from reports_samples import smoke_engine_report

from truthgate.contract.model import Contract, Entrypoint, Env, EnvVar, Kb, Legacy, Product
from truthgate.model import Outcome, RunReport, ScenarioResult, StepResult
from truthgate.reports import render
from truthgate.reports.common import scenario_breakdown, scenario_problems
from truthgate.reports.json_report import load
from truthgate.smoke.runner import run_smoke
from truthgate.smoke.spec import parse_smoke, smoke_schema

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
    assert s1["own_failures"] == []
    s4 = data["scenarios"][3]
    assert s4["failures"] == ["POST /api/orders #2: " + PROBLEMS[3],
                              "the repeated request created a second order (ids 41 and 42)"]
    assert s4["own_failures"] == s4["failures"][1:]
    s2 = data["scenarios"][2]
    assert s2["error"].startswith("GET /api/orders: ") and s2["error_class"] == \
        "connect-refused"
    assert s2["steps"][0]["error_class"] == "connect-refused"
    assert s2["error_step"] == "GET /api/orders"
    assert [s["error_step"] for s in data["scenarios"]] == ["", "", "GET /api/orders", "",
                                                             "", ""]


def test_text_puts_step_problems_under_the_step() -> None:
    lines = render("text", smoke_engine_report()).splitlines()
    at = lines.index("    GET /api/products:")
    assert lines[at + 1:at + 3] == [f"      - {PROBLEMS[0]}", f"      - {PROBLEMS[1]}"]
    assert lines[at + 3] == "      | GET https://staging.example.test/api/products"
    # The kind's own verdict stays at the scenario; the copied step failure does not.
    s4 = lines.index("FAIL   S4  ordering twice is safe  (p50 21.0 ms · max 25.5 ms)")
    assert lines[s4 + 1:s4 + 5] == [
        "    declared at product/truth.yaml:57",
        "    - the repeated request created a second order (ids 41 and 42)",
        "    POST /api/orders #2:",
        "      - status: expected 201, got 500",
    ]


def test_breakdown_uses_the_structure_not_the_text() -> None:
    step = StepResult("s", Outcome.ERROR, failures=("a",), error="boom", error_class="reset")
    s = ScenarioResult("S", "n", "steps", Outcome.ERROR, steps=(step,),
                       failures=("s: a", "verdict", "t: a"), error="other: boom",
                       error_class="reset")
    own, steps = scenario_breakdown(s)
    # The scenario's own failures are its kind's verdict, shown as they are, even one
    # that reads like "<step>: <failure>" (string matching used to drop it);
    # no error_step: "other: boom" is the scenario's own error, so it stays too.
    assert own == ["s: a", "verdict", "t: a", "reset: other: boom"]
    assert steps == [(step, ["a", "reset: boom"])]
    assert scenario_problems(s) == own + ["s: a", "s: reset: boom"]
    # An error worded exactly like the step's is still the scenario's own without
    # error_step (text decides nothing) ...
    copy = dataclasses.replace(s, failures=(), error="s: boom")
    assert scenario_breakdown(copy)[0] == ["reset: s: boom"]
    # ... and with error_step it is the step's, whatever it reads like: shown there only.
    for error in ("s: boom", "s: ***", "reworded"):
        named = dataclasses.replace(copy, error=error, error_step="s")
        assert named.error_shown_by_step() is step
        assert scenario_breakdown(named) == ([], [(step, ["a", "reset: boom"])])
    # error_step naming no errored step cannot hide the error: it stays the scenario's.
    for name in ("t", "s"):
        lost = dataclasses.replace(copy, error_step=name, steps=(
            dataclasses.replace(step, error="") if name == "s" else step,))
        assert lost.error_shown_by_step() is None
        assert scenario_breakdown(lost)[0] == ["reset: s: boom"]


def test_a_verdict_worded_like_a_step_failure_is_still_shown() -> None:
    step = StepResult("GET /a", Outcome.FAIL, failures=("status: expected 200, got 500",))
    verdict = "GET /a: status: expected 200, got 500"  # the kind's own words
    s = ScenarioResult("S1", "n", "k", Outcome.FAIL, steps=(step,), failures=(verdict,))
    assert s.all_failures() == (verdict, verdict)
    lines = render("text", RunReport(context=smoke_engine_report().context,
                                     scenarios=(s,))).splitlines()
    at = lines.index("FAIL   S1  n")
    assert lines[at + 1:at + 4] == [f"    - {verdict}", "    GET /a:",
                                    "      - status: expected 200, got 500"]


def _contract(smoke: str) -> Contract:
    raw = yaml.safe_load(smoke)
    jsonschema.Draft202012Validator(smoke_schema()).validate(raw)
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
    # Step failures stay on the step; the flat list is what ``failures`` used to hold.
    assert s1.failures == ()
    assert s1.all_failures() == tuple(f"{step.name}: {f}" for f in step.failures)
    for fmt in HUMAN:
        out = _detail(fmt, render(fmt, report))
        for failure in step.failures:
            assert out.count(failure) == 1, (fmt, failure, out)


SECRET = "s3cr3t-t0ken-value"
MIXED = """
scenarios:
  - id: S1
    steps:
      - request: {path: /a, headers: {X-Key: "${API_KEY}"}}
        expect: {status: 200, json: [{query: token, equals: nope}]}
  - id: S8
    kind: cold_start
    params: {path: /health, budget_s: 5, max_attempts: 1}
  - id: S9
    kind: no_crash
    params: {request: {path: /x, method: POST}, cases: [invalid_json, wrong_content_type]}
"""


def _smoke_with_secret(
    text: str, handler: Callable[[httpx.Request], httpx.Response]
) -> RunReport:
    """Smoke ``text`` against ``handler``, with API_KEY a declared secret set to SECRET."""
    contract = dataclasses.replace(
        _contract(text), env=Env(required=(EnvVar("API_KEY", secret=True),)))
    return run_smoke(contract, base_url="http://svc.test", environ={"API_KEY": SECRET},
                     transport=httpx.MockTransport(handler))


def _mixed_report() -> RunReport:
    def handler(request: httpx.Request) -> httpx.Response:
        # Health never gets ready; everything else fails and echoes the secret back.
        if request.url.path == "/health":
            return httpx.Response(503, headers={"Content-Type": "application/json"},
                                  stream=httpx.ByteStream(b'{"status": "starting"}'))
        return httpx.Response(500, headers={"Content-Type": "application/json"},
                              stream=httpx.ByteStream(b'{"token": "%s"}' % SECRET.encode()))

    return _smoke_with_secret(MIXED, handler)


def test_masked_and_repeated_step_failures_appear_once_per_step() -> None:
    report = _mixed_report()
    s1, s8, s9 = report.scenarios
    assert [s.outcome for s in report.scenarios] == [Outcome.FAIL] * 3
    # The flat list is exactly what the engine used to store in ``failures``.
    masked = 'json \'token\': expected "nope", got "***"'
    assert s1.all_failures() == ("GET /a: status: expected 200, got 500", f"GET /a: {masked}")
    assert s9.all_failures() == ("invalid_json: status: expected 4xx, got 500",
                                 "wrong_content_type: status: expected 4xx, got 500",
                                 "health afterwards: status: expected 200, got 503")
    # cold_start judged its poll itself: the step's failure is not the scenario's.
    verdict = ("not ready within 5 s after 1 attempts; last answer: status: expected "
               "200, got 503")
    assert s8.all_failures() == s8.failures == (verdict,)
    assert s8.steps[0].failures == ("status: expected 200, got 503",)
    assert s1.failures == s9.failures == ()
    for fmt in HUMAN:
        out = _detail(fmt, render(fmt, report))
        assert SECRET not in out, fmt
        # One copy per step that has the failure (two no_crash steps share a text).
        expected = {masked: 1, "status: expected 4xx, got 500": 2, verdict: 1,
                    "status: expected 200, got 500": 1}
        for text, times in expected.items():
            # Markdown escapes "*" in prose; HTML escapes quotes.
            variants = {text, text.replace("*", "\\*"),
                        text.replace('"', "&quot;").replace("'", "&#x27;")}
            assert sum(out.count(v) for v in variants) == times, (fmt, text, out)
        # "status: expected 200, got 503" is the health step's (once) and the poll's
        # (once), and it ends the cold_start verdict.
        assert out.count("status: expected 200, got 503") == 3, (fmt, out)


ORDERS = """
scenarios:
  - id: S2
    name: orders answer
    steps:
      - request: {path: /health}
        expect: {status: 200}
      - request: {path: /orders, headers: {X-Key: "${API_KEY}"}}
        expect: {status: 200}
"""


def _errored_report() -> RunReport:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/health":
            return httpx.Response(200, headers={"Content-Type": "application/json"},
                                  stream=httpx.ByteStream(b"{}"))
        # The refused request carried a secret header; the report quotes it masked.
        raise httpx.ConnectError("refused", request=request)

    return _smoke_with_secret(ORDERS, handler)


def test_real_engine_error_is_the_steps_and_shown_once() -> None:
    report = _errored_report()
    (s2,) = report.scenarios
    health, orders = s2.steps
    assert s2.outcome is Outcome.ERROR and orders.error and not health.error
    # ``error`` reads as it always did; error_step says whose error it is.
    assert s2.error == f"{orders.name}: {orders.error}"
    assert (s2.error_step, s2.error_class) == (orders.name, orders.error_class)
    assert s2.error_shown_by_step() is orders
    for fmt in HUMAN:
        out = _detail(fmt, render(fmt, report))
        assert SECRET not in out, fmt
        assert out.count(orders.error) == 1, (fmt, out)
    assert load(render("json", report)) == report


def test_a_reworded_error_copy_is_still_shown_once() -> None:
    # The copy in ``error`` need not match the step's text (masked again, shortened by a
    # newer engine): the structure, not a string match, keeps it from being shown twice.
    base = _errored_report()
    (s2,) = base.scenarios
    reworded = dataclasses.replace(s2, error=f"{s2.error_step}: the connection was refused")
    report = dataclasses.replace(base, scenarios=(reworded,))
    for fmt in HUMAN:
        out = _detail(fmt, render(fmt, report))
        assert out.count(s2.steps[-1].error) == 1, (fmt, out)
        assert "the connection was refused" not in out, (fmt, out)
