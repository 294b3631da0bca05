"""GitHub workflow commands: escaping per the Actions toolkit, one annotation per problem."""

from __future__ import annotations

import re

import pytest
from reports_samples import failing_verify, passing_verify, smoke_report

from truthgate.model import Finding, InvariantResult, Location, Outcome, RunContext, RunReport
from truthgate.model import Severity as Sev
from truthgate.reports import render
from truthgate.reports.github import command, escape_data, escape_property

COMMAND = re.compile(r"^::(?P<name>[a-z]+)(?: (?P<props>[^:]*))?::(?P<data>.*)$")


def annotations(text: str) -> list[tuple[str, dict[str, str], str]]:
    """The annotation commands of a render, without the closing summary notice."""
    commands = [parse(line) for line in text.splitlines() if line.startswith("::")]
    assert commands[-1][0] == "notice" and commands[-1][1]["title"].endswith(" problems")
    return commands[:-1]


def unescape(text: str) -> str:
    """What the runner does to a value (the inverse of the toolkit's escaping)."""
    for enc, raw in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(enc, raw)
    return text


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """Split a command the way the runner does: properties on ',' then on the first '='."""
    m = COMMAND.match(line)
    assert m, line
    props = {}
    for part in (m["props"] or "").split(","):
        if part:
            key, _, value = part.partition("=")
            props[key] = unescape(value)
    return m["name"], props, unescape(m["data"])


@pytest.mark.parametrize(("raw", "data", "prop"), [
    ("plain", "plain", "plain"),
    ("100%", "100%25", "100%25"),
    ("a\nb\r\nc", "a%0Ab%0D%0Ac", "a%0Ab%0D%0Ac"),
    ("a:b,c", "a:b,c", "a%3Ab%2Cc"),
    ("%0A literal", "%250A literal", "%250A literal"),
    ("ünïcödé <&>\"'", "ünïcödé <&>\"'", "ünïcödé <&>\"'"),
])
def test_escaping(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop
    assert unescape(escape_property(raw)) == raw


def test_command_leaves_out_unknown_properties() -> None:
    assert command("warning", "m", file="a.py", line=0, col=0, title="") == \
        "::warning file=a.py::m"
    assert command("notice", "m") == "::notice::m"


def test_failing_verify_annotations() -> None:
    lines = render("github", failing_verify()).splitlines()
    commands = annotations(render("github", failing_verify()))
    # Most severe first; in report order within a level: findings, then the two skipped
    # files (their own severity), then the invariant errors.
    assert [c[0] for c in commands] == ["error", "error", "warning", "notice", "notice",
                                        "notice"]
    commands = [commands[i] for i in (0, 2, 3, 4, 5, 1)]  # back to report order
    assert commands[3][1]["file"] == "static/logo.png"
    assert commands[4][1]["file"] == "legacy/latin1.py"
    name, props, data = commands[0]
    assert props == {"file": "src/app, v2/cönfig.py", "line": "12", "col": "5",
                     "endLine": "12", "endColumn": "38",
                     "title": "truthgate no-secrets (no_hardcoded_secrets)"}
    assert data == ('SECRET_KEY = "dev-key" — literal <default> & "quoted"\n'
                    'Hint: Use os.environ["SECRET_KEY"], no default;\nrotate it.')
    assert commands[1][1]["file"] == "deploy/settings.py"
    assert "col" not in commands[1][1]
    assert "file" not in commands[2][1]
    assert commands[2][2].endswith("100% required.")
    assert "import-cycles could not run" in commands[5][1]["title"]
    assert lines[-1].startswith("verify: FAILED — 3 findings")
    summary = parse(lines[-2])
    assert summary[0] == "notice" and summary[2].startswith(
        "truthgate verify: 6 annotations (2 errors, 1 warning, 3 notices), all shown.")
    assert "job summary" in summary[2] and "sarif" in summary[2]
    # Each annotation is exactly one line: nothing unescaped can split it.
    assert len(lines) == 8  # 6 annotations + the summary notice + the verdict line


def test_smoke_failures_are_errors() -> None:
    commands = annotations(render("github", smoke_report()))
    assert [(c[0], c[1]["title"]) for c in commands] == [
        ("error", "truthgate smoke S3: login works"),
        ("error", "truthgate smoke S5: checkout <under load>"),
    ]
    assert "expected status 200, got 500" in commands[0][2]
    # The hand-built sample has no scenario lines: the annotation sits on the contract file.
    assert commands[0][1]["file"] == "product/truth.yaml" and "line" not in commands[0][1]


def test_smoke_annotation_points_at_the_scenario_line_in_the_contract() -> None:
    from reports_samples import smoke_engine_report

    report = smoke_engine_report()
    red = [s for s in report.scenarios if s.outcome in (Outcome.FAIL, Outcome.ERROR)]
    assert red and all(s.line > 0 for s in red)
    commands = annotations(render("github", report))
    assert [(c[1]["file"], c[1]["line"]) for c in commands] == [
        ("product/truth.yaml", str(s.line)) for s in red]


def test_rebased_smoke_report_names_the_contract_by_its_checkout_path() -> None:
    from reports_samples import smoke_engine_report

    from truthgate.monorepo import relocated

    report = relocated(smoke_engine_report(), "services/api")
    commands = annotations(render("github", report))
    assert {c[1]["file"] for c in commands} == {"services/api/product/truth.yaml"}


def test_passing_run_has_no_annotations() -> None:
    assert render("github", passing_verify()) == \
        "verify: PASSED — 0 findings in 3 invariants; 1 skipped\n"


def test_column_without_line_and_inverted_range_are_dropped() -> None:
    findings = (
        Finding("i", "k", "m1", Sev.WARNING, Location("a.py", line=0, col=4)),
        Finding("i", "k", "m2", Sev.INFO, Location("a.py", line=9, col=2, end_line=3,
                                                   end_col=1)),
    )
    report = RunReport(RunContext(command="verify"), invariants=(
        InvariantResult("i", "k", Sev.WARNING, Outcome.FAIL, findings=findings),))
    lines = render("github", report).splitlines()
    assert parse(lines[0])[1] == {"file": "a.py", "title": "truthgate i (k)"}
    assert parse(lines[1])[1] == {"file": "a.py", "line": "9", "col": "2",
                                  "title": "truthgate i (k)"}


def test_annotations_are_capped_most_severe_first_then_one_notice_with_the_total() -> None:
    def finding(i: int, sev: Sev) -> Finding:
        return Finding("rule", "pattern", f"{sev.value} {i}", sev, Location(f"f{i}.py", i + 1))

    findings = tuple(finding(i, Sev.INFO) for i in range(12))
    findings += tuple(finding(i, Sev.WARNING) for i in range(15))
    findings += tuple(finding(i, Sev.ERROR) for i in range(120))
    report = RunReport(RunContext(command="verify"), invariants=(
        InvariantResult("rule", "pattern", Sev.ERROR, Outcome.FAIL, findings=findings),))
    lines = render("github", report).splitlines()
    commands = [parse(line) for line in lines if line.startswith("::")]
    assert [c[0] for c in commands] == ["error"] * 10 + ["warning"] * 10 + ["notice"] * 10
    assert [c[2] for c in commands[:10]] == [f"error {i}" for i in range(10)]  # report order
    assert [c[2] for c in commands[10:20]] == [f"warning {i}" for i in range(10)]
    name, props, data = commands[-1]
    assert props["title"] == "truthgate verify: 147 problems"
    assert data.startswith("truthgate verify: 147 annotations (120 errors, 15 warnings, "
                           "12 notices); shown here: 10 errors, 10 warnings, 9 notices, "
                           "most severe first")
    assert "job summary" in data and "code scanning" in data
    assert lines[-1].startswith("verify: FAILED — 147 findings")
    assert len(lines) == 31
