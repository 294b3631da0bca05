"""JSON: schema-versioned, every model field present, and a lossless round trip."""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from reports_samples import SAMPLES, failing_verify, smoke_engine_report, smoke_report
from reports_strategies import reports

from truthgate.model import (
    Exchange,
    Finding,
    InvariantResult,
    Location,
    Outcome,
    RunContext,
    RunReport,
    ScenarioResult,
    StepResult,
)
from truthgate.reports import render
from truthgate.reports.json_report import SCHEMA_VERSION, ReportFormatError, load


def test_envelope() -> None:
    data = json.loads(render("json", failing_verify()))
    assert data["schema_version"] == SCHEMA_VERSION == 1
    assert data["tool"] == {"name": "truthgate", "version": "0.1.0"}
    assert data["summary"] == {"passed": False, "exit_code": 1, "findings": 3,
                               "counts": {"pass": 1, "fail": 2, "error": 1, "skipped": 0,
                                              "not_run": 0}}


def _field_names(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def test_every_field_present_and_enums_as_values() -> None:
    data = json.loads(render("json", failing_verify()))
    assert set(data) == _field_names(RunReport) | {"schema_version", "tool", "summary"}
    assert set(data["context"]) == _field_names(RunContext)
    inv = data["invariants"][0]
    assert set(inv) == _field_names(InvariantResult)
    assert inv["severity"] == "error" and inv["outcome"] == "fail"
    finding = inv["findings"][0]
    assert set(finding) == _field_names(Finding) - {"related"}  # written when some
    assert set(finding["location"]) == _field_names(Location)
    assert finding["severity"] == "error"
    scen = json.loads(render("json", smoke_report()))["scenarios"][1]
    # "failures" is the flat list (all_failures); "own_failures" the scenario's part.
    assert set(scen) == _field_names(ScenarioResult) | {"own_failures"}
    assert set(scen["steps"][1]) == _field_names(StepResult)
    assert set(scen["steps"][1]["exchange"]) == _field_names(Exchange)
    assert scen["steps"][1]["exchange"]["request_headers"][1] == ["Authorization", "***"]


def test_keys_sorted_recursively() -> None:
    def check(node: object) -> None:
        if isinstance(node, dict):
            assert list(node) == sorted(node)
            for v in node.values():
                check(v)
        elif isinstance(node, list):
            for v in node:
                check(v)
    check(json.loads(render("json", smoke_report())))


@pytest.mark.parametrize("sample", list(SAMPLES))
def test_round_trip(sample: str) -> None:
    report = SAMPLES[sample]()
    assert load(render("json", report)) == report


def test_refuses_other_schema_versions() -> None:
    data = json.loads(render("json", failing_verify()))
    data["schema_version"] = 2
    with pytest.raises(ReportFormatError, match="schema_version"):
        load(json.dumps(data))
    with pytest.raises(ReportFormatError):
        load("[]")


def test_non_finite_floats_become_null() -> None:
    report = RunReport(RunContext(command="smoke"), scenarios=(
        ScenarioResult(id="S", name="n", kind="k", outcome=Outcome.PASS,
                       duration_ms=math.inf, latencies_ms=(1.0, math.nan)),))
    text = render("json", report)
    assert "NaN" not in text and "Infinity" not in text
    scen = json.loads(text)["scenarios"][0]
    assert scen["duration_ms"] is None and scen["latencies_ms"] == [1.0, None]


@settings(max_examples=75, deadline=None)
@given(report=reports)
def test_round_trip_any_report(report: RunReport) -> None:
    text = render("json", report)
    assert load(text) == report
    assert render("json", load(text)) == text


def _without(report: RunReport, *keys: str) -> dict[str, Any]:
    """The JSON of ``report`` as a writer from before ``keys`` existed wrote it."""
    data = json.loads(render("json", report))
    for s in data["scenarios"]:
        for key in keys:
            del s[key]
    assert isinstance(data, dict)
    return data


def test_a_record_without_error_step_gets_it_from_the_old_shape() -> None:
    report = smoke_engine_report()
    again = load(json.dumps(_without(report, "error_step")))
    # S2 ended on its step's error, written as "<step>: <error>" with the step's class;
    # S7's check crashed: that error is the scenario's own, as it always was.
    assert [s.error_step for s in again.scenarios] == [s.error_step for s in
                                                       report.scenarios]
    assert again.scenarios[2].error_step == "GET /api/orders"
    assert again == report


@pytest.mark.parametrize("change", [
    {"error": "GET /api/orders: reworded"},        # not the step's text: not derived
    {"error_class": "timeout"},                    # not the step's class
    {"outcome": "fail"},                           # only an errored scenario has one
])
def test_error_step_is_not_guessed_from_another_shape(change: dict[str, str]) -> None:
    data = _without(smoke_engine_report(), "error_step")
    data["scenarios"][2].update(change)
    assert load(json.dumps(data)).scenarios[2].error_step == ""


def test_a_record_without_line_reads_as_unknown() -> None:
    again = load(json.dumps(_without(smoke_engine_report(), "line")))
    assert [s.line for s in again.scenarios] == [0] * 6
