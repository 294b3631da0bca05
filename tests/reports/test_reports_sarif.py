"""SARIF: valid against the official 2.1.0 schema, and shaped the way code scanning reads it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reports_samples import SAMPLES, failing_verify, passing_verify, smoke_report

from truthgate.model import (
    Finding,
    InvariantResult,
    Location,
    Outcome,
    RunContext,
    RunReport,
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


def test_smoke_has_no_results() -> None:
    run = sarif(smoke_report())["runs"][0]
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []


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
