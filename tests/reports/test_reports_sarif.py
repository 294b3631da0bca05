"""SARIF: valid against the official 2.1.0 schema, and shaped the way code scanning reads it."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reports_samples import (
    SAMPLES,
    failing_verify,
    logs_report,
    passing_verify,
    smoke_engine_report,
    smoke_report,
)
from reports_strategies import reports

from truthgate.model import (
    Finding,
    InvariantResult,
    Location,
    Outcome,
    RunContext,
    RunReport,
    ScenarioResult,
    Severity,
)
from truthgate.reports import render
from truthgate.reports.sarif import artifact_uri

SCHEMA_FILE = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"


@pytest.fixture(scope="module")
def validator() -> jsonschema.protocols.Validator:
    assert hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest() == SCHEMA_SHA256
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def sarif(report: RunReport) -> dict[str, Any]:
    data = json.loads(render("sarif", report))
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("sample", list(SAMPLES))
def test_valid_against_official_schema(sample: str, validator: Any) -> None:
    validator.validate(sarif(SAMPLES[sample]()))


def test_schema_is_the_official_one() -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    assert schema["properties"]["version"]["enum"] == ["2.1.0"]


def test_schema_catches_a_broken_log(validator: Any) -> None:
    # Guard against a validator that accepts anything (e.g. a wrong draft class).
    log = sarif(failing_verify())
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(log)


def test_rules_and_results() -> None:
    run = sarif(failing_verify())["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "truthgate" and driver["version"] == "0.1.0"
    assert driver["informationUri"].startswith("https://")
    rules = driver["rules"]
    assert [r["id"] for r in rules] == ["no-secrets", "kb-files", "import-cycles", "no-cors-*"]
    secrets = rules[0]
    assert secrets["shortDescription"]["text"].startswith("No literal secrets")
    assert "How to fix: Use os.environ" in secrets["help"]["text"]
    assert secrets["defaultConfiguration"]["level"] == "error"
    assert rules[1]["defaultConfiguration"]["level"] == "note"
    assert "no_hardcoded_secrets" in secrets["properties"]["tags"]

    results = run["results"]
    assert [r["level"] for r in results] == ["error", "warning", "note"]
    first = results[0]
    assert first["ruleId"] == "no-secrets" and first["ruleIndex"] == 0
    assert first["message"]["text"].endswith("How to fix: Use os.environ[\"SECRET_KEY\"], "
                                             "no default;\nrotate it.")
    phys = first["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"] == {"uri": "src/app%2C%20v2/c%C3%B6nfig.py",
                                        "uriBaseId": "%SRCROOT%"}
    assert phys["region"]["startLine"] == 12 and phys["region"]["startColumn"] == 5
    assert first["partialFingerprints"] == {"truthgate/v1": "fp:1a2b,3c%4d"}
    # Line known, column unknown: the column is omitted, never sent as 0.
    region = results[1]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 3}
    assert results[1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "deploy/settings.py"
    # No location at all: pointed at the contract, without a region.
    phys = results[2]["locations"][0]["physicalLocation"]
    assert phys["artifactLocation"]["uri"] == "product/truth.yaml" and "region" not in phys


def test_errored_invariant_is_a_notification() -> None:
    inv = sarif(failing_verify())["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False
    errors = [n for n in inv["toolExecutionNotifications"] if n["level"] == "error"]
    assert len(errors) == 1
    assert errors[0]["associatedRule"] == {"id": "import-cycles", "index": 2}
    assert "RecursionError" in errors[0]["message"]["text"]


def test_passing_run() -> None:
    run = sarif(passing_verify())["runs"][0]
    assert run["results"] == []
    assert run["invocations"][0]["executionSuccessful"] is True
    assert len(run["tool"]["driver"]["rules"]) == 3


def test_smoke_red_scenarios_are_results_at_the_contract() -> None:
    run = sarif(smoke_engine_report())["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    # Every scenario has a rule, passed and skipped ones included, so all are findable.
    assert [r["id"] for r in rules] == ["S0", "S1", "S2", "S4", "S6", "S7"]
    s1 = rules[1]
    assert s1["name"] == "steps" and s1["shortDescription"]["text"] == \
        "catalogue lists products"
    assert "truthgate smoke --scenario S1" in s1["help"]["text"]
    assert s1["properties"]["tags"] == ["truthgate", "smoke", "steps"]

    results = run["results"]
    assert [(r["ruleId"], r["ruleIndex"], r["level"]) for r in results] == [
        ("S1", 1, "error"), ("S2", 2, "error"), ("S4", 3, "error"), ("S7", 5, "error")]
    lines = {"S1": 43, "S2": 52, "S4": 57, "S7": 72}
    for r in results:
        phys = r["locations"][0]["physicalLocation"]
        # The contract file, at the line where the scenario is declared.
        assert phys == {"artifactLocation": {"uri": "product/truth.yaml",
                                             "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": lines[r["ruleId"]]}}
        assert r["partialFingerprints"] == {"truthgate/v1": f"smoke:{r['ruleId']}"}
    # A scenario whose line is unknown (0) is located at the contract without a region.
    for r in sarif(smoke_report())["runs"][0]["results"]:
        assert r["locations"][0]["physicalLocation"] == {
            "artifactLocation": {"uri": "product/truth.yaml", "uriBaseId": "%SRCROOT%"}}
    fail, error = results[0], results[1]
    assert fail["message"]["text"] == (
        "Smoke scenario S1 (catalogue lists products) failed against "
        "https://staging.example.test:\n"
        "- GET /api/products: json $.items: expected at least 1 item, got 0\n"
        "- GET /api/products: header Cache-Control: expected present")
    assert fail["properties"] == {"outcome": "fail"}
    assert "could not run" in error["message"]["text"]
    assert "connect-refused: staging.example.test refused" in error["message"]["text"]
    assert error["properties"] == {"outcome": "error", "errorClass": "connect-refused"}


def test_smoke_outcomes_listed_in_invocation() -> None:
    inv = sarif(smoke_engine_report())["runs"][0]["invocations"][0]
    listed = inv["properties"]["scenarios"]
    assert [(s["id"], s["outcome"]) for s in listed] == [
        ("S0", "pass"), ("S1", "fail"), ("S2", "error"), ("S4", "fail"), ("S6", "skipped"),
        ("S7", "error")]
    assert listed[4]["skipReason"].startswith("unsafe (it writes)")
    # Only the crash of truthgate's own check is a tool failure; a refused connection is
    # the service's problem and stays a result only.
    assert inv["executionSuccessful"] is False
    (note,) = inv["toolExecutionNotifications"]
    assert note["associatedRule"] == {"id": "S7", "index": 5}
    assert "KeyError" in note["message"]["text"]
    assert sarif(smoke_report())["runs"][0]["invocations"][0]["executionSuccessful"] is True


@pytest.mark.parametrize(("build", "category"), [
    (smoke_engine_report, "truthgate/smoke/"), (logs_report, "truthgate/logs/"),
    (failing_verify, None)])
def test_each_command_has_its_own_code_scanning_category(build: Any, category: Any) -> None:
    run = sarif(build())["runs"][0]
    assert run.get("automationDetails", {}).get("id") == category


def test_smoke_without_contract_path_or_base_url() -> None:
    report = dataclasses.replace(smoke_report(), context=RunContext(command="smoke"))
    results = sarif(report)["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["S3", "S5"]
    assert all("locations" not in r for r in results)
    assert results[1]["message"]["text"] == ("Smoke scenario S5 (checkout <under load>) could "
                                             "not run:\n- ConnectError: connection refused: "
                                             "staging.example.test:443")


def test_scenario_rule_ids_never_collide() -> None:
    report = RunReport(
        context=RunContext(command="release"),
        invariants=(InvariantResult(id="S1", kind="k", severity=Severity.ERROR,
                                    outcome=Outcome.PASS),),
        scenarios=(ScenarioResult("S1", "a", "health", Outcome.FAIL, failures=("x",)),
                   ScenarioResult("S1", "b", "health", Outcome.ERROR, error="y"),
                   ScenarioResult("smoke/S1", "c", "health", Outcome.PASS)),
    )
    run = sarif(report)["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert ids == ["S1", "smoke/S1", "smoke/smoke/S1"]
    # A repeated scenario id shares its first rule.
    assert [(r["ruleId"], r["ruleIndex"]) for r in run["results"]] == [
        ("smoke/S1", 1), ("smoke/S1", 1)]


def test_logs_findings_are_results_at_the_log_line() -> None:
    run = sarif(logs_report())["runs"][0]
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["log:traceback", "log:traceback"]
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in results]
    assert regions == [{"startLine": 120}, {"startLine": 348}]
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "deploy/app.log"
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["associatedRule"]["id"] == "log:bad-regex"


@pytest.mark.parametrize(("path", "uri", "relative"), [
    ("src/a.py", "src/a.py", True),
    ("./src/a.py", "src/a.py", True),
    ("src\\win\\a.py", "src/win/a.py", True),
    ("dir with space/#1%.py", "dir%20with%20space/%231%25.py", True),
    ("/abs/x.py", "file:///abs/x.py", False),
])
def test_artifact_uri(path: str, uri: str, relative: bool) -> None:
    assert artifact_uri(path) == (uri, relative)


_text = st.text(max_size=30)
_findings = st.builds(
    Finding, invariant_id=st.sampled_from(["a", "b", "ghost", ""]), kind=_text,
    message=_text, severity=st.sampled_from(list(Severity)),
    location=st.none() | st.builds(Location, path=st.text(min_size=1, max_size=20),
                                   line=st.integers(0, 5), col=st.integers(0, 5),
                                   end_line=st.integers(0, 5), end_col=st.integers(0, 5)),
    hint=_text, snippet=_text, fingerprint=_text)


@settings(max_examples=60, deadline=None)
@given(findings=st.lists(_findings, max_size=6), outcome=st.sampled_from(list(Outcome)),
       error=_text)
def test_any_report_validates(findings: list[Finding], outcome: Outcome, error: str,
                              validator: Any) -> None:
    report = RunReport(
        context=RunContext(command="verify"),
        invariants=(
            InvariantResult(id="a", kind="k", severity=Severity.WARNING, outcome=outcome,
                            error=error,
                            findings=tuple(f for f in findings if f.invariant_id != "b")),
            InvariantResult(id="b", kind="", severity=Severity.INFO, outcome=Outcome.FAIL,
                            findings=tuple(f for f in findings if f.invariant_id == "b")),
        ))
    validator.validate(sarif(report))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report=reports)
def test_any_report_with_scenarios_validates(report: RunReport, validator: Any) -> None:
    # Any text, any outcome, ids repeated or clashing with invariant ids: still valid.
    log = sarif(report)
    validator.validate(log)
    bad = [s for s in report.scenarios if s.outcome in (Outcome.FAIL, Outcome.ERROR)]
    assert len(log["runs"][0]["results"]) == len(report.findings) + len(bad)
