"""A scenario knows the line it is declared on, from the contract to the SARIF region.

Code scanning shows a red scenario's alert at the contract line where that scenario is
written, as it shows an invariant's; a result without a known line has no region.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import httpx

from truthgate import app
from truthgate.contract import load_contract
from truthgate.model import Outcome, RunReport
from truthgate.reports import render
from truthgate.reports.json_report import load

CONTRACT = textwrap.dedent("""\
    version: 1
    product: {name: lined}
    entrypoint: {path: app.py}
    invariants: []
    smoke:
      scenarios:
        - id: UP
          steps:
            - request: {path: /health}
              expect: {status: 200}

        # a comment and a blank line between entries do not shift the count
        - id: BROKEN
          name: the broken page answers 200
          steps:
            - request: {path: /broken}
              expect: {status: 200}
        -
          id: WRITE
          unsafe: true
          steps:
            - request: {method: POST, path: /health}
              expect: {status: 200}
""")


def _line_of(text: str) -> int:
    """The 1-based line of ``text`` in the contract (where that entry starts)."""
    return CONTRACT.splitlines().index(text) + 1


def _repo(tmp_path: Path) -> Path:
    contract = tmp_path / "product" / "truth.yaml"
    contract.parent.mkdir()
    contract.write_text(CONTRACT)
    return contract


def _run(tmp_path: Path) -> RunReport:
    def handler(request: httpx.Request) -> httpx.Response:
        ok = request.url.path == "/health"
        return httpx.Response(200 if ok else 500, headers={"Content-Type": "application/json"},
                              stream=httpx.ByteStream(b"{}"))

    return app.run_smoke(_repo(tmp_path), root=tmp_path, environ={}, base_url="http://svc.test",
                         transport=httpx.MockTransport(handler))


def test_the_contract_gives_each_scenario_its_line(tmp_path: Path) -> None:
    contract = load_contract(_repo(tmp_path), root=tmp_path)
    assert contract.smoke is not None
    up, broken, write = contract.smoke.scenarios
    assert up.line == _line_of("    - id: UP") == 7
    assert broken.line == _line_of("    - id: BROKEN")
    # An entry whose mapping starts on the line after its dash is declared there.
    assert write.line == _line_of("      id: WRITE")


def test_a_failed_scenario_is_a_sarif_result_at_its_line(tmp_path: Path) -> None:
    report = _run(tmp_path)
    up, broken, write = report.scenarios
    assert (up.outcome, broken.outcome, write.outcome) == (
        Outcome.PASS, Outcome.FAIL, Outcome.SKIPPED)
    # Every result carries its line, the skipped one too.
    assert (up.line, broken.line, write.line) == (
        _line_of("    - id: UP"), _line_of("    - id: BROKEN"), _line_of("      id: WRITE"))
    (result,) = json.loads(render("sarif", report))["runs"][0]["results"]
    assert result["ruleId"] == "BROKEN"
    physical = result["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "product/truth.yaml"
    assert physical["region"] == {"startLine": _line_of("    - id: BROKEN")}


def test_the_line_is_recorded_and_an_old_record_reads_as_unknown(tmp_path: Path) -> None:
    report = _run(tmp_path)
    text = render("json", report)
    assert [s["line"] for s in json.loads(text)["scenarios"]] == [s.line for s in
                                                                   report.scenarios]
    assert load(text) == report
    old = json.loads(text)
    for s in old["scenarios"]:
        del s["line"]
    again = load(json.dumps(old))
    assert [s.line for s in again.scenarios] == [0, 0, 0]
    # Without a line the result still points at the contract, with no region.
    (result,) = json.loads(render("sarif", again))["runs"][0]["results"]
    assert "region" not in result["locations"][0]["physicalLocation"]


def test_human_reports_say_where_a_red_scenario_is_declared(tmp_path: Path) -> None:
    report = _run(tmp_path)
    line = _line_of("    - id: BROKEN")
    text = render("text", report)
    assert f"declared at product/truth.yaml:{line}" in text
    # Only the red one: a passing scenario's line is noise in a log.
    assert text.count("declared at") == 1
    assert f"Declared at `product/truth.yaml:{line}`" in render("markdown", report)
