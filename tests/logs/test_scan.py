"""scan_logs and logs_report on real log lines: thresholds, windows, loops, quotes, masking."""

from __future__ import annotations

import json

import pytest

from truthgate.contract.model import LogPattern, Observability
from truthgate.logs import logs_report, scan_logs
from truthgate.logs.scan import QUOTE_CHARS, QUOTES
from truthgate.model import Outcome, Severity
from truthgate.reports import REPORTERS, render


def obs(*patterns: LogPattern, loop: int = 0) -> Observability:
    return Observability(forbidden_log_patterns=patterns, error_loop_limit=loop)


TRACEBACK = LogPattern("traceback", r"Traceback \(most recent call last\)")


def test_max_zero_quotes_the_first_offending_lines_with_numbers() -> None:
    lines = ["INFO boot"] + ["Traceback (most recent call last):", "  File 'x.py'"] * 5
    scan = scan_logs(lines, obs(TRACEBACK), ())
    (p,) = scan.patterns
    assert (p.matches, p.breaches) == (5, 5)
    assert [q.line for q in p.quotes] == [2, 4, 6][:QUOTES]
    report = logs_report(scan, "app.log")
    (inv, loop) = report.invariants
    assert inv.id == "log:traceback" and inv.outcome is Outcome.FAIL
    assert [str(f.location) for f in inv.findings] == ["app.log:2", "app.log:4", "app.log:6"]
    assert "matched 5 lines" in inv.findings[0].message
    assert "2 more offending lines not quoted" in inv.findings[0].message
    assert loop.outcome is Outcome.SKIPPED  # error_loop_limit 0: off
    assert report.context.command == "logs" and report.exit_code == 1


def test_whole_log_max_counts_only_lines_beyond_the_allowance() -> None:
    pattern = LogPattern("retry", "retrying", max=2)
    ok = scan_logs(["retrying", "fine", "retrying"], obs(pattern), ())
    assert ok.patterns[0].breaches == 0
    assert logs_report(ok, "x").passed
    bad = scan_logs(["retrying"] * 4, obs(pattern), ())
    assert bad.patterns[0].breaches == 2
    assert [q.line for q in bad.patterns[0].quotes] == [3, 4]


@pytest.mark.parametrize("fmt", [
    "2024-05-01T12:00:{s:02d}Z",
    "2024-05-01 12:00:{s:02d},123",
    "2024-05-01T14:00:{s:02d}.5+02:00",
    "May  1 12:00:{s:02d}",
    "[pod/web-1/app] 2024-05-01T12:00:{s:02d}Z",
])
def test_window_counts_matches_per_time_window(fmt: str) -> None:
    pattern = LogPattern("slow", "slow ack", max=2, window_seconds=10)
    spread = [f"{fmt.format(s=s)} WARN slow ack" for s in (0, 20, 40, 59)]
    assert scan_logs(spread, obs(pattern), ()).patterns[0].breaches == 0
    burst = [f"{fmt.format(s=s)} WARN slow ack" for s in (0, 20, 21, 22, 40)]
    p = scan_logs(burst, obs(pattern), ()).patterns[0]
    assert (p.matches, p.timed_matches, p.breaches) == (5, 5, 1)
    assert [q.line for q in p.quotes] == [4]


def test_window_treats_untimed_matches_as_whole_log_counts() -> None:
    pattern = LogPattern("slow", "slow ack", max=1, window_seconds=10)
    lines = ["2024-05-01T12:00:00Z slow ack", "slow ack (no time)", "slow ack again"]
    scan = scan_logs(lines, obs(pattern), ())
    p = scan.patterns[0]
    assert (p.timed_matches, p.breaches) == (1, 1)
    assert p.quotes[0].line == 3
    message = logs_report(scan, "x").invariants[0].findings[0].message
    assert "untimed" in message


def test_error_loop_groups_lines_that_differ_only_in_numbers_ids_and_times() -> None:
    lines = [
        f"2024-05-01T12:00:{i:02d}Z ERROR job {i} failed id=0x{i + 170:x} "
        f"req=123e4567-e89b-12d3-a456-4266141740{i:02d}"
        for i in range(6)
    ] + ["2024-05-01T12:01:00Z ERROR something else"] * 2 + ["INFO job 9 failed"] * 9
    scan = scan_logs(lines, obs(loop=5), ())
    assert scan.error_lines == 8
    (loop,) = scan.loops
    assert loop.count == 6 and loop.first.line == 1
    result = logs_report(scan, "x").invariants[-1]
    assert result.id == "log:error-loop" and result.outcome is Outcome.FAIL
    assert "repeated 6 times (limit 5)" in result.findings[0].message
    assert scan_logs(lines, obs(loop=6), ()).loops == ()


def test_exception_names_and_tracebacks_are_error_lines() -> None:
    lines = ["ValueError: bad input 3", "ValueError: bad input 4", "Errors are fine in words?"]
    scan = scan_logs(lines, obs(loop=1), ())
    assert [loop.count for loop in scan.loops] == [2]


def test_secrets_are_masked_before_quotes_are_cut() -> None:
    secret = "s3cr3t-TOKEN-value"
    long_tail = "x" * 1000
    lines = [
        f"Traceback (most recent call last): token={secret}",
        # The match sits far beyond the quote length: the quote must still show it.
        f"{long_tail} {secret} Traceback (most recent call last): {secret} {long_tail}",
    ]
    scan = scan_logs(lines, obs(TRACEBACK, loop=0), [secret])
    quotes = [q.text for q in scan.patterns[0].quotes]
    assert all(secret not in q and "s3cr3t" not in q for q in quotes)
    assert "token=***" in quotes[0]
    assert "Traceback" in quotes[1] and len(quotes[1]) <= QUOTE_CHARS + 1
    for fmt in REPORTERS:
        assert secret not in render(fmt, logs_report(scan, "app.log"))


def test_undecodable_bytes_are_replaced_not_fatal() -> None:
    lines = [b"\xff\xfe ERROR boom \xc3", "Traceback (most recent call last): \udcff".encode(
        "utf-8", "surrogateescape"), b"ok \xe2\x82"]
    scan = scan_logs(lines, obs(TRACEBACK, loop=0), ())
    assert scan.lines == 3 and scan.patterns[0].breaches == 1
    assert "\ufffd" in scan.patterns[0].quotes[0].text


def test_invalid_regex_errors_that_rule_only() -> None:
    scan = scan_logs(["Traceback (most recent call last)"],
                     obs(LogPattern("bad", "(unclosed"), TRACEBACK), ())
    bad, good, _ = logs_report(scan, "x").invariants
    assert bad.outcome is Outcome.ERROR and "invalid regex" in bad.error
    assert good.outcome is Outcome.FAIL


def test_warning_patterns_report_without_failing_the_gate() -> None:
    pattern = LogPattern("auth", "401 Unauthorized", severity=Severity.WARNING)
    report = logs_report(scan_logs(["GET / 401 Unauthorized"], obs(pattern), ()), "x")
    inv = report.invariants[0]
    assert inv.outcome is Outcome.PASS and inv.findings[0].severity is Severity.WARNING
    assert report.exit_code == 0


def test_every_reporter_renders_a_logs_report() -> None:
    scan = scan_logs(["Traceback (most recent call last):", "ERROR a 1", "ERROR a 2"],
                     obs(TRACEBACK, loop=1), ())
    report = logs_report(scan, "deploy.log")
    for fmt in REPORTERS:
        text = render(fmt, report)
        assert "traceback" in text
    assert json.loads(render("sarif", report))["runs"]


def test_a_clean_log_passes_and_reports_its_size() -> None:
    scan = scan_logs(iter(["INFO ok"] * 10), obs(TRACEBACK, loop=3), ())
    report = logs_report(scan, "x")
    assert report.passed and scan.lines == 10
    assert any("10 lines" in n for n in report.notes)
