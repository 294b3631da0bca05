"""The two formats people read: verdict wording, grouping, and Markdown that cannot break."""

from __future__ import annotations

import re

from reports_samples import failing_verify, passing_verify, smoke_report

from truthgate.model import (
    Exchange,
    Finding,
    InvariantResult,
    Location,
    Outcome,
    RunContext,
    RunReport,
    ScenarioResult,
    Severity,
    StepResult,
)
from truthgate.reports import render
from truthgate.reports.common import percentile
from truthgate.reports.markdown import code, escape, fenced


def _inv(i: int, outcome: Outcome, findings: int = 0,
         sev: Severity = Severity.ERROR) -> InvariantResult:
    return InvariantResult(
        id=f"inv-{i}", kind="k", severity=sev, outcome=outcome, files_examined=3,
        findings=tuple(Finding(f"inv-{i}", "k", f"m{n}", sev, Location("a.py", n + 1))
                       for n in range(findings)))


def test_text_verdict_like_the_brief() -> None:
    invs = [_inv(0, Outcome.FAIL, 2), _inv(1, Outcome.FAIL, 1)]
    invs += [_inv(i, Outcome.PASS) for i in range(2, 12)]
    report = RunReport(RunContext(command="verify"), invariants=tuple(invs))
    last = render("text", report).splitlines()[-1]
    assert last == "verify: FAILED — 3 findings in 2 of 12 invariants (3 errors)"


def test_text_groups_findings_under_their_invariant_with_hints() -> None:
    lines = render("text", failing_verify()).splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith("FAIL   no-secrets"))
    # The team's promise and the reason come first, then each finding with its hint.
    assert lines[start + 1] == '    promise: No literal secrets ("keys", <tokens> & passwords)'
    assert lines[start + 2] == "    why: A secret in git is a secret leaked:"
    assert lines[start + 4].startswith("    src/app, v2/cönfig.py:12:5: error: SECRET_KEY")
    assert lines[start + 5] == '      hint: Use os.environ["SECRET_KEY"], no default;'
    assert any(ln.startswith("ERROR  import-cycles") for ln in lines)
    assert "\x1b" not in render("text", smoke_report())


def test_text_passing() -> None:
    assert render("text", passing_verify()).endswith(
        "\nverify: PASSED — 0 findings in 3 invariants; 1 skipped\n")


def test_smoke_verdicts() -> None:
    assert render("text", smoke_report()).splitlines()[-1] == \
        "smoke: FAILED — 1 of 4 scenarios failed, 1 errored, 1 skipped (1 passed)"
    ok = RunReport(RunContext(command="smoke"), scenarios=(
        ScenarioResult("S0", "n", "k", Outcome.PASS),))
    assert render("text", ok).splitlines()[-1] == "smoke: PASSED — 1 of 1 scenario passed"


def _cells(row: str) -> int:
    """Table cells as GitHub counts them: split on pipes not escaped by a backslash."""
    return len(re.split(r"(?<!\\)\|", row.strip().strip("|")))


def test_markdown_tables_survive_hostile_text() -> None:
    evil = "a|b`c`|<script>alert(1)</script>\n# not a heading"
    report = RunReport(
        RunContext(command="release", product=evil, git_branch=evil),
        invariants=(InvariantResult(id=evil, kind=evil, severity=Severity.ERROR,
                                    outcome=Outcome.FAIL, findings=(
                                        Finding(evil, evil, evil, location=Location(evil, 1)),)),),
        scenarios=(ScenarioResult(id=evil, name=evil, kind="k", outcome=Outcome.FAIL,
                                  failures=(evil,)),),
    )
    md = render("markdown", report)
    # Inside a code span "<script>" is shown as text; everywhere else it must be escaped.
    assert "<script>" not in re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", md)
    assert "&lt;script&gt;" in md
    expected = 0
    rows = 0
    for line in md.splitlines():
        if line in ("| | |", "|---|---|") or line.startswith(("| Invariant |", "| Scenario |")):
            expected = _cells(line)
        elif line.startswith("|") and "---" not in line:
            rows += 1
            assert _cells(line) == expected, line
        assert not line.startswith("# not")
    assert rows == 4  # branch and truthgate; one invariant row; one scenario row


def test_markdown_verdict_marks_each_section() -> None:
    report = RunReport(RunContext(command="release"),
                       invariants=(_inv(0, Outcome.PASS),),
                       scenarios=(ScenarioResult("S1", "n", "k", Outcome.FAIL),))
    md = render("markdown", report)
    assert "✅ **verify: PASSED" in md and "❌ **smoke: FAILED" in md


def test_markdown_exchange_fence_outlasts_backticks() -> None:
    body = "x ```` y"
    step = StepResult("s", Outcome.FAIL, Exchange("GET", "/", status=500, response_body=body))
    report = RunReport(RunContext(command="smoke"), scenarios=(
        ScenarioResult("S1", "n", "k", Outcome.FAIL, steps=(step,)),))
    md = render("markdown", report)
    assert "`````http\n" in md and "\n`````\n" in md


def test_markdown_helpers() -> None:
    assert escape("a_b*c <d> & e|f") == "a\\_b\\*c &lt;d&gt; &amp; e\\|f"
    assert escape("l1\r\nl2") == "l1<br>l2"
    assert code("a`b") == "``a`b``"
    assert code("`x") == "`` `x ``"
    assert code("a|b", table=True) == "`a\\|b`"
    assert fenced("```") == ["````", "```", "````"]


def test_percentile_is_nearest_rank() -> None:
    assert percentile([], 50) is None
    assert percentile([5.0], 50) == 5.0
    assert percentile([4.0, 1.0, 3.0, 2.0], 50) == 2.0
    assert percentile([1.0, 2.0, 3.0], 50) == 2.0
    assert percentile([1.0, float("nan"), 3.0], 100) == 3.0
