"""Issue 15 detection fixtures: every planted defect found at its line, no look-alike flagged.

The repositories live in tests/fixtures/issue15/<class>/{found,lookalike}; the scoring is
benchmarks/detection_fixtures.py's (its table is in kb/benchmarks.md).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

import truthgate.app  # noqa: F401 - wires the kinds into the contract loader
from truthgate.contract.loader import load_contract
from truthgate.model import Finding, InvariantResult, Outcome, RunContext, RunReport, Severity
from truthgate.reports import render
from truthgate.reports.json_report import load
from truthgate.verify.engine import run_verify

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "detection_fixtures", ROOT / "benchmarks" / "detection_fixtures.py")
assert _spec and _spec.loader
bench = importlib.util.module_from_spec(_spec)
sys.modules["detection_fixtures"] = bench  # dataclasses look their module up there
_spec.loader.exec_module(bench)
CASES = sorted(p.name for p in bench.ROOT.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES)
def test_planted_defects_are_found_at_their_line(case: str) -> None:
    got = bench.score(bench.ROOT / case / "found")
    assert (got.missed, got.false_alarms) == ((), ())
    assert got.found > 0


@pytest.mark.parametrize("case", CASES)
def test_lookalikes_are_not_flagged(case: str) -> None:
    got = bench.score(bench.ROOT / case / "lookalike")
    assert got.false_alarms == ()


def _findings(case: str) -> list[Finding]:
    repo = bench.ROOT / case / "found"
    return list(run_verify(load_contract(repo / "product" / "truth.yaml", root=repo),
                           use_cache=False).findings)


def test_env_var_missing_from_example_names_every_place() -> None:
    by_line = {f.location.line: f for f in _findings("v1_env_example")}
    secret = by_line[10]
    assert "read here (app/billing.py:10) but missing from .env.example" in secret.message
    assert [(str(r.location), r.message) for r in secret.related] == [
        ("app/main.py:3", "SECRET_KEY is also read here"),
        (".env.example", "the example file, which has no SECRET_KEY entry")]
    assert by_line[5].message.startswith("optional secret env var STRIPE_API_KEY")


def test_culprit_edge_carries_the_chain_in_every_format() -> None:
    (f,) = _findings("v5_import_chain")
    assert [str(r.location) for r in f.related] == ["main.py:1", "service.py:3"]
    inv = InvariantResult("legacy", "forbidden_imports", Severity.ERROR, Outcome.FAIL,
                          findings=(f,))
    report = RunReport(context=RunContext(command="verify"), invariants=(inv,))
    sarif = json.loads(render("sarif", report))
    rel = sarif["runs"][0]["results"][0]["relatedLocations"]
    assert [r["physicalLocation"]["region"]["startLine"] for r in rel] == [1, 3]
    assert "related: service.py:3" in render("text", report)
    assert "Related: `service.py:3`" in render("markdown", report)
    assert load(render("json", report)).invariants[0].findings[0].related == f.related
