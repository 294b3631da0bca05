"""Issue 15, smoke judged scenario by scenario: each case against a real 127.0.0.1 service."""

from __future__ import annotations

import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from truthgate.model import Outcome, ScenarioResult
from truthgate.smoke.model import SmokeSpec
from truthgate.smoke.runner import run_smoke
from truthgate.smoke.template import render_value

from .conftest import make_contract
from .service import State, serve
from .test_kinds import _run

CORS = """
  kind: cors
  params: {path: /health, allowed_origin: "https://app.example.com"}
"""


def test_cors_star_fails_when_the_contract_declares_allowed_origins(
        service: tuple[str, State]) -> None:
    url, state = service
    state.faults.add("cors_star")  # '*' without credentials
    res = _run(CORS, url)
    assert res.outcome is Outcome.FAIL
    text = " ".join(res.all_failures())
    assert "grants every origin" in text
    assert "not granted by name" in text


def test_cors_star_without_declared_origins_still_passes(service: tuple[str, State]) -> None:
    url, state = service
    state.faults.add("cors_star")
    res = _run("kind: cors\nparams: {path: /health}", url)
    assert res.outcome is Outcome.PASS, res.all_failures()


def test_int_unique_is_a_json_number_and_differs_between_runs(
        service: tuple[str, State]) -> None:
    url, state = service
    body = """
      kind: idempotency
      unsafe: true
      params:
        request: {path: /webhook, json: {update_id: "${int:unique}", text: "id ${int:unique}"}}
        repeat: 2
        counter: {request: {path: /stats}, query: processed}
    """
    first = _run(body, url)
    second = _run(body, url)  # a literal id would be a duplicate here: counter unchanged
    assert first.outcome is Outcome.PASS, first.all_failures()
    assert second.outcome is Outcome.PASS, second.all_failures()
    assert state.processed == 2 and len(state.seen) == 2
    assert all(k.isdigit() for k in state.seen)


def test_int_unique_keeps_its_type_only_as_a_whole_value() -> None:
    out = render_value({"a": "${int:unique}", "b": "x-${int:unique}"},
                       {"int:unique": 1234}, {})
    assert out == {"a": 1234, "b": "x-1234"}


def test_no_crash_reads_a_huge_422_to_the_cap_and_runs_every_case(
        service: tuple[str, State]) -> None:
    url, state = service
    state.faults.add("echo_big")
    res = _run("""
      kind: no_crash
      unsafe: true
      params: {request: {path: /webhook}, sample: {update_id: 1, text: hi},
               oversized_bytes: 2097152}
    """, url)
    assert res.outcome is Outcome.PASS, (res.error_class, res.error, res.all_failures())
    names = [s.name for s in res.steps]
    assert len(names) == 8 and names[-1] == "health afterwards"


def test_no_crash_a_failing_case_does_not_stop_the_battery(service: tuple[str, State]) -> None:
    url, state = service
    state.faults.add("no_crash")  # small bad bodies get a 500 with a trace
    res = _run("""
      kind: no_crash
      unsafe: true
      params: {request: {path: /webhook}, sample: {update_id: 1}, oversized_bytes: 200000}
    """, url)
    assert res.outcome is Outcome.FAIL
    assert len(res.steps) == 8
    assert any(f.startswith("invalid_json:") for f in res.all_failures())


def test_an_unrequested_brotli_answer_is_named(service: tuple[str, State]) -> None:
    url, _ = service
    res = _run("""
      steps: [{request: {path: /brotli}, expect: {status: 200}}]
    """, url)
    assert res.outcome is Outcome.ERROR
    assert res.error_class == "encoding"
    assert "Content-Encoding: br" in res.error


@pytest.mark.parametrize("target", ["http://127.0.0.1:9/elsewhere", "//127.0.0.1:9/x"])
def test_a_path_rendering_to_an_absolute_url_is_refused(
        service: tuple[str, State], target: str) -> None:
    url, _ = service
    text = 'scenarios:\n  - {id: P, steps: [{request: {path: "${TARGET}"}}]}\n'
    report = run_smoke(make_contract(text), base_url=url, environ={"TARGET": target})
    res = report.scenarios[0]
    assert res.outcome is Outcome.ERROR
    assert res.error_class == "contract"
    assert "absolute URL" in res.error


def test_a_literal_absolute_path_is_a_contract_error_at_load(tmp_path: Path) -> None:
    import jsonschema

    from truthgate.smoke.spec import smoke_schema
    raw = {"scenarios": [{"id": "P", "steps": [{"request": {"path": "https://x.test/a"}}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(smoke_schema()).validate(raw)
    ok = {"scenarios": [{"id": "P", "steps": [{"request": {"path": "/a?next=https://x"}}]}]}
    jsonschema.Draft202012Validator(smoke_schema()).validate(ok)


WARMING = """
{readiness}
scenarios:
  - id: S0
    kind: health
    params: {{path: /health}}
  - id: S8
    kind: cold_start
    params: {{path: /health, budget_s: 20, interval_ms: 50}}
"""


def _warming(readiness: str) -> tuple[ScenarioResult, ...]:
    import time

    state = State(ready_at=time.monotonic() + 1.0)  # 503 for about a second
    with serve(state) as (url, _):
        report = run_smoke(make_contract(WARMING.format(readiness=readiness)), base_url=url,
                           environ={})
    return report.scenarios


def test_declared_readiness_measures_cold_start_first_then_waits() -> None:
    s0, s8 = _warming("readiness: {probe: /health, timeout_s: 20}")
    assert s8.outcome is Outcome.PASS
    assert s0.outcome is Outcome.PASS, s0.all_failures()


def test_readiness_without_timeout_reuses_the_cold_start_budget() -> None:
    from truthgate.smoke.readiness import ready_plan
    spec = make_contract(WARMING.format(readiness="readiness: {}")).smoke
    assert isinstance(spec, SmokeSpec)
    plan = ready_plan(spec, spec.scenarios, 0)
    assert plan is not None and plan.seconds == 20 and plan.path == "/health"
    assert ready_plan(replace(spec, readiness=None), spec.scenarios, 0) is None


def test_without_readiness_a_warming_service_fails_health() -> None:
    s0, _ = _warming("")
    assert s0.outcome is Outcome.FAIL


MODES_SC = """
  kind: modes
  params:
    mode: PASSIVE
    probe: {path: /health, query: mode}
    unsafe: [{method: POST, path: /generate, json: {prompt: x}}]
"""


@pytest.mark.parametrize(("fault", "which"), [("cold_start", "health"), ("health", "mode")])
def test_an_unmet_precondition_is_not_run_not_a_failure(
        service: tuple[str, State], fault: str, which: str) -> None:
    url, state = service
    state.faults.add(fault)  # health broken: 503, or 200 without a mode field
    res = _run(MODES_SC, url)
    assert res.outcome is Outcome.NOT_RUN, (res.all_failures(), res.error)
    assert res.skip_reason.startswith(f"precondition {which}:")
    assert not res.all_failures()


def test_a_healthy_service_still_judges_modes(service: tuple[str, State]) -> None:
    url, state = service
    state.faults.add("modes")  # serves what PASSIVE must refuse
    assert _run(MODES_SC, url).outcome is Outcome.FAIL


def test_the_contract_can_count_an_unmet_precondition_red(service: tuple[str, State]) -> None:
    url, state = service
    state.faults.add("cold_start")
    text = ("defaults: {unmet_precondition: fail}\nscenarios:\n  - id: S4\n"
            + textwrap.indent(textwrap.dedent(MODES_SC).strip(), "    "))
    report = run_smoke(make_contract(text), base_url=url, environ={})
    res = report.scenarios[0]
    assert res.outcome is Outcome.FAIL
    assert res.failures[0].startswith("precondition health:")
    assert not report.passed


def test_not_run_renders_in_every_format_and_round_trips(service: tuple[str, State]) -> None:
    from truthgate.formats import REPORTERS
    from truthgate.reports import render
    from truthgate.reports.json_report import load

    url, state = service
    state.faults.add("cold_start")
    text = "scenarios:\n  - id: S4\n" + textwrap.indent(textwrap.dedent(MODES_SC).strip(),
                                                        "    ")
    report = run_smoke(make_contract(text), base_url=url, environ={})
    assert report.passed and report.counts()["not_run"] == 1
    for fmt in REPORTERS:
        out = render(fmt, report)
        assert "not run" in out.lower() or "not_run" in out, fmt
    again = load(render("json", report))
    assert again.scenarios[0].outcome is Outcome.NOT_RUN
    assert again.scenarios[0].skip_reason == report.scenarios[0].skip_reason
