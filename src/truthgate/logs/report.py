"""Turn a :class:`LogScan` into the shared result model, so every reporter renders it.

Each forbidden pattern becomes one invariant result (id ``log:<name>``, kind
``forbidden_log_pattern``) and the error-loop check one more (``log:error-loop``, kind
``error_loop``). Each quoted line is a finding located at ``<log>:<line>``, so annotations
and SARIF point at it; its message carries the count, the threshold and the quote.
Like verify, a pattern of severity ``warning`` reports its findings but does not fail.
"""

from __future__ import annotations

import dataclasses

from truthgate.contract.model import LogPattern
from truthgate.logs.scan import QUOTES, LogScan, PatternScan, Quote
from truthgate.model import (
    Finding,
    InvariantResult,
    Location,
    Outcome,
    RunContext,
    RunReport,
    Severity,
)

PATTERN_KIND = "forbidden_log_pattern"
LOOP_KIND = "error_loop"
LOOP_ID = "log:error-loop"
LOOPS_SHOWN = 3

_PATTERN_WHY = ("A deployment that logs this is broken in a way its health check does not "
                "show; the contract names the lines that must not appear after a deploy.")
_LOOP_WHY = ("The same error over and over is a crash-restart cycle or a retry without "
             "back-off: it burns resources and buries every other signal.")


def threshold(p: LogPattern) -> str:
    """The pattern's allowance in words, e.g. ``max 3 per 300 s``."""
    scope = f"per {p.window_seconds} s" if p.window_seconds else "in the whole log"
    return f"max {p.max} {scope}"


def _pattern_result(s: PatternScan, source: str) -> InvariantResult:
    p = s.pattern
    rid = f"log:{p.name}"
    description = f"/{p.regex}/ — {threshold(p)}"
    if s.error:
        return InvariantResult(rid, PATTERN_KIND, p.severity, Outcome.ERROR,
                               description=description, why=_PATTERN_WHY, error=s.error,
                               files_examined=1)
    summary = _pattern_summary(s)
    findings = tuple(
        _finding(rid, PATTERN_KIND, p.severity, source, q, f"{summary}: {q.text}",
                 "Fix the cause the line reports; raise the threshold in the contract "
                 "only if the line is expected.")
        for q in s.quotes)
    failing = bool(findings) and p.severity is Severity.ERROR
    return InvariantResult(rid, PATTERN_KIND, p.severity,
                           Outcome.FAIL if failing else Outcome.PASS,
                           description=description, why=_PATTERN_WHY, findings=findings,
                           files_examined=1)


def _pattern_summary(s: PatternScan) -> str:
    p = s.pattern
    untimed = s.matches - s.timed_matches
    if p.window_seconds and s.timed_matches:
        head = f"'{p.name}' exceeded max {p.max} per {p.window_seconds} s"
        if untimed:
            head += f" ({untimed} untimed matches count against max {p.max} in the whole log)"
    else:
        lines = "1 line" if s.matches == 1 else f"{s.matches} lines"
        head = f"'{p.name}' matched {lines}, {threshold(p)}"
        if p.window_seconds:
            head += " (no timestamps found, counted over the whole log)"
    more = s.breaches - len(s.quotes)
    tail = f"; {more} more offending lines not quoted" if more > 0 else ""
    return head + tail


def _loop_result(scan: LogScan, source: str) -> InvariantResult:
    limit = scan.error_loop_limit
    if limit <= 0:
        return InvariantResult(LOOP_ID, LOOP_KIND, Severity.ERROR, Outcome.SKIPPED,
                               description="error_loop_limit is 0 in the contract: off",
                               why=_LOOP_WHY)
    description = f"the same error line at most {limit} times"
    findings = []
    for loop in scan.loops[:LOOPS_SHOWN]:
        message = (f"the same error repeated {loop.count} times (limit {limit}), "
                   f"first at line {loop.first.line}: {loop.first.text}")
        findings.append(_finding(LOOP_ID, LOOP_KIND, Severity.ERROR, source, loop.first,
                                 message, "Find why the error repeats (a restart loop, a "
                                 "retry without back-off) and fix its cause."))
    if len(scan.loops) > LOOPS_SHOWN and findings:
        extra = len(scan.loops) - LOOPS_SHOWN
        last = findings[-1]
        findings[-1] = dataclasses.replace(
            last, message=f"{last.message} (and {extra} more repeated errors)")
    return InvariantResult(LOOP_ID, LOOP_KIND, Severity.ERROR,
                           Outcome.FAIL if findings else Outcome.PASS,
                           description=description, why=_LOOP_WHY, findings=tuple(findings),
                           files_examined=1)


def _finding(rid: str, kind: str, severity: Severity, source: str, quote: Quote,
             message: str, hint: str) -> Finding:
    # The quote is in the message (every reporter shows it), not repeated as a snippet.
    return Finding(rid, kind, message, severity, Location(source, quote.line), hint=hint,
                   fingerprint=f"{rid}:{quote.line}")


def logs_report(scan: LogScan, source: str, *, started_at: str = "",
                finished_at: str = "") -> RunReport:
    """The run report of one log scan; ``source`` names the log (a path or ``<stdin>``)."""
    invariants = tuple(_pattern_result(s, source) for s in scan.patterns)
    invariants += (_loop_result(scan, source),)
    notes = [f"log: {source}, {scan.lines} lines, {scan.chars} characters, "
             f"{scan.error_lines} error lines"]
    if not scan.patterns:
        notes.append("the contract declares no observability.forbidden_log_patterns")
    if scan.loops_approximate:
        notes.append("more distinct errors than the loop counter keeps: repeat counts of "
                     "rare errors are approximate")
    notes.append(f"each rule quotes at most {QUOTES} offending lines")
    ctx = RunContext(command="logs", started_at=started_at, finished_at=finished_at)
    return RunReport(context=ctx, invariants=invariants, notes=tuple(notes))
