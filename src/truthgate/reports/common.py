"""Helpers every renderer shares: sections, counts, verdict wording, latency figures.

Public to truthgate: the cycle views (``cycles/``), the tag message and the monorepo
summary use the same words, so they import it too.

Everything here is a pure function of a ``RunReport`` so that each format says the same
thing in the same words: a release captain comparing the Markdown summary with the CI
log must never see two different verdicts for one run.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Iterable, Sequence

from truthgate import __version__
from truthgate.model import (
    Exchange,
    Finding,
    InvariantResult,
    Location,
    Outcome,
    RunReport,
    ScenarioResult,
    Severity,
    StepResult,
)
from truthgate.redact import scrub

TOOL_NAME = "truthgate"

# The outcomes that make a section (and the gate) red.
BAD = (Outcome.FAIL, Outcome.ERROR)


def tool_version(report: RunReport) -> str:
    """The truthgate version that produced the run.

    The context carries it (stamped by the app layer); the installed version is only a
    fallback for hand-built reports, so goldens stay byte-stable when they set it.
    """
    return report.context.truthgate_version or __version__


def has_verify(report: RunReport) -> bool:
    """Whether the report has a verify section (it ran invariants, or was a verify)."""
    return bool(report.invariants) or report.context.command == "verify"


def has_smoke(report: RunReport) -> bool:
    """Whether the report has a smoke section (it ran scenarios, or was a smoke)."""
    return bool(report.scenarios) or report.context.command == "smoke"


def outcome_counts(items: Iterable[InvariantResult | ScenarioResult]) -> dict[Outcome, int]:
    """Outcome -> how many of ``items`` ended with it (every outcome present, even at 0)."""
    out = {o: 0 for o in Outcome}
    for item in items:
        out[item.outcome] += 1
    return out


def severity_counts(findings: Iterable[Finding]) -> dict[Severity, int]:
    """Severity -> how many findings carry it (every severity present, even at 0)."""
    out = {s: 0 for s in Severity}
    for f in findings:
        out[f.severity] += 1
    return out


def plural(n: int, word: str, many: str = "") -> str:
    """``"1 finding"`` / ``"3 findings"``; ``many`` for irregular plurals."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def verify_passed(report: RunReport) -> bool:
    """True when no invariant failed or errored."""
    return not any(r.outcome in BAD for r in report.invariants)


def smoke_passed(report: RunReport) -> bool:
    """True when no scenario failed or errored."""
    return not any(s.outcome in BAD for s in report.scenarios)


def verify_verdict(report: RunReport) -> str:
    """One line, e.g. ``verify: FAILED — 3 findings in 2 of 12 invariants (1 error, 2 warnings)``.

    An invariant that errored is named separately from findings: it is not a broken
    promise but a check that could not tell, and the fix is different.
    """
    invs = report.invariants
    findings = report.findings
    counts = outcome_counts(invs)
    with_findings = sum(1 for r in invs if r.findings)
    head = "PASSED" if verify_passed(report) else "FAILED"
    # A logs run reuses the invariant shape (one result per forbidden pattern); its verdict
    # must still say which gate spoke.
    section = "logs" if report.context.command == "logs" else "verify"
    line = f"{section}: {head} — {plural(len(findings), 'finding')}"
    if findings:
        line += f" in {with_findings} of {plural(len(invs), 'invariant')}"
        sev = severity_counts(findings)
        parts = [plural(sev[s], s.value) for s in Severity if sev[s]]
        line += f" ({', '.join(parts)})"
    else:
        line += f" in {plural(len(invs), 'invariant')}"
    extra = []
    if counts[Outcome.ERROR]:
        extra.append(f"{counts[Outcome.ERROR]} could not run")
    if counts[Outcome.SKIPPED]:
        extra.append(f"{counts[Outcome.SKIPPED]} skipped")
    suppressed = sum(r.suppressed for r in invs)
    baselined = sum(r.baselined for r in invs)
    if suppressed:
        extra.append(f"{suppressed} suppressed")
    if baselined:
        extra.append(f"{baselined} baselined")
    if extra:
        line += "; " + ", ".join(extra)
    return line


def smoke_verdict(report: RunReport) -> str:
    """One line, e.g. ``smoke: FAILED — 2 of 9 scenarios failed, 1 errored (6 passed)``."""
    scen = report.scenarios
    counts = outcome_counts(scen)
    head = "PASSED" if smoke_passed(report) else "FAILED"
    if not scen:
        return f"smoke: {head} — no scenarios ran"
    parts = []
    if counts[Outcome.FAIL]:
        parts.append(f"{counts[Outcome.FAIL]} of {plural(len(scen), 'scenario')} failed")
    if counts[Outcome.ERROR]:
        parts.append(f"{counts[Outcome.ERROR]} errored")
    if counts[Outcome.SKIPPED]:
        parts.append(f"{counts[Outcome.SKIPPED]} skipped")
    if counts[Outcome.NOT_RUN]:
        parts.append(f"{counts[Outcome.NOT_RUN]} not run (precondition)")
    passed = counts[Outcome.PASS]
    if not parts:
        return f"smoke: {head} — {passed} of {plural(len(scen), 'scenario')} passed"
    return f"smoke: {head} — {', '.join(parts)} ({passed} passed)"


# The kind of the item a release cycle carries when the release was not green.
RELEASE_VERDICT_KIND = "release"


def release_refusal(report: RunReport) -> str:
    """Why a release run was not green ('' for any other run, or a green release)."""
    if report.context.command != "release":
        return ""
    for r in report.invariants:
        if r.kind == RELEASE_VERDICT_KIND and r.outcome in BAD:
            return r.findings[0].message if r.findings else (r.error or "not green")
    return ""


def section_verdicts(report: RunReport) -> list[tuple[bool, str]]:
    """(passed, verdict line) for every section the report has, verify first.

    A release that was not green ends with a ``release: FAILED — <why>`` line; its verify
    line counts only the invariants its steps ran, not the item carrying that verdict.
    """
    out = []
    refusal = release_refusal(report)
    checks = report
    if refusal:
        checks = dataclasses.replace(report, invariants=tuple(
            r for r in report.invariants if r.kind != RELEASE_VERDICT_KIND))
    if has_verify(checks) and (checks.invariants or not refusal):
        out.append((verify_passed(checks), verify_verdict(checks)))
    if has_smoke(report):
        out.append((smoke_passed(report), smoke_verdict(report)))
    if refusal:
        out.append((False, "release: FAILED — " + " ".join(refusal.split())))
    if not out:
        word = "PASSED" if report.passed else "FAILED"
        command = " ".join(report.context.command.split()) or "run"  # one line, whatever it holds
        out.append((report.passed, f"{command}: {word} — nothing ran"))
    return out


def verdict_lines(report: RunReport) -> list[str]:
    """The verdict line of every section the report has, verify first."""
    return [line for _, line in section_verdicts(report)]


def finite(values: Sequence[float]) -> list[float]:
    """The finite values only: a NaN latency must not poison a percentile."""
    return [v for v in values if math.isfinite(v)]


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile (no interpolation: the figure is a latency that happened)."""
    vals = sorted(finite(values))
    if not vals:
        return None
    rank = max(1, math.ceil(pct / 100.0 * len(vals)))
    return vals[min(rank, len(vals)) - 1]


def latency_p50_max(scenario: ScenarioResult) -> tuple[float | None, float | None]:
    """Median and worst latency of a scenario; ``None`` when it recorded none."""
    vals = finite(scenario.latencies_ms)
    if not vals:
        return None, None
    return percentile(vals, 50), max(vals)


def fmt_ms(value: float | None) -> str:
    """A latency for humans: ``"12.3 ms"``, ``"1.25 s"``, or ``"—"`` when unknown."""
    if value is None:
        return "—"
    if value >= 1000:
        return f"{value / 1000:.2f} s"
    return f"{value:.1f} ms"


def truncate(text: str, limit: int) -> str:
    """``text`` masked, then cut to ``limit`` characters with a note of how much was left out.

    Masked first (the redaction boundary's rule): a cut would leave a prefix of a secret
    that no mask recognises any more.
    """
    text = scrub(text)
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n… ({len(text) - limit} more characters)"


def repo_path(path: str) -> str:
    """A repository path as posix without a leading ``./`` (what annotations match on)."""
    posix = path.replace("\\", "/")
    while posix.startswith("./"):
        posix = posix[2:]
    return posix


def place(loc: Location | None) -> str:
    """``path:line:col`` for humans (normalised path; unknown parts left out)."""
    if loc is None:
        return ""
    return str(dataclasses.replace(loc, path=repo_path(loc.path)))


# Control characters (ANSI escapes above all) from a response body or a file name must
# not restyle a terminal or a rendered page: they are shown as \xNN instead.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def defang(text: str) -> str:
    """``text`` with control characters other than newline and tab made visible."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def short_commit(commit: str) -> str:
    """The first 12 hex digits: enough to be unique, short enough for a header."""
    return commit[:12]


# Bodies can be megabytes; a report quotes enough to diagnose, not the whole payload.
BODY_LIMIT = 2000


def exchange_excerpt(ex: Exchange, limit: int = BODY_LIMIT) -> str:
    """An HTTP-ish transcript of one exchange (already masked by the smoke engine)."""
    lines = [f"{ex.method} {ex.url}"]
    lines += [f"{k}: {v}" for k, v in ex.request_headers]
    if ex.request_body:
        lines += ["", truncate(ex.request_body, limit)]
    lines.append("")
    if ex.status is None:
        lines.append("(no response)")
    else:
        took = f" ({fmt_ms(ex.elapsed_ms)})" if ex.elapsed_ms is not None else ""
        lines.append(f"HTTP {ex.status}{took}")
        lines += [f"{k}: {v}" for k, v in ex.response_headers]
        if ex.response_body:
            lines += ["", truncate(ex.response_body, limit)]
    return "\n".join(lines)


def step_problems(step: StepResult) -> list[str]:
    """What went wrong in one step: each broken expectation, then its error with its class."""
    out = list(step.failures)
    if step.error:
        out.append(f"{step.error_class}: {step.error}" if step.error_class else step.error)
    return out


def scenario_own_problems(s: ScenarioResult) -> list[str]:
    """The scenario's problems that belong to no step: the kind's verdict, a crashed check.

    ``ScenarioResult.failures`` holds only the scenario's own failures (step failures stay
    on their steps and are shown there, next to the exchange). An ``error`` that a step's
    error ended the scenario with (``error_step``) is that step's, shown under it by
    :func:`step_problems`; the structure says so, the texts are never compared.
    """
    out = list(s.failures)
    if s.error and s.error_shown_by_step() is None:
        out.append(f"{s.error_class}: {s.error}" if s.error_class else s.error)
    return out


def scenario_breakdown(s: ScenarioResult) -> tuple[list[str], list[tuple[StepResult, list[str]]]]:
    """A scenario's problems, each once: its own, then (step, problems) for each step.

    Steps are listed when they have a problem or failed with an exchange worth quoting.
    """
    steps = [(st, step_problems(st)) for st in s.steps]
    shown = [(st, p) for st, p in steps
             if p or (st.outcome in BAD and st.exchange is not None)]
    return scenario_own_problems(s), shown


def scenario_problems(s: ScenarioResult) -> list[str]:
    """Every problem of a scenario as one flat list, each once: its own, then each step's."""
    own, steps = scenario_breakdown(s)
    return own + [f"{st.name}: {p}" for st, problems in steps for p in problems]


def failing_steps(s: ScenarioResult) -> list[StepResult]:
    """The steps worth quoting: those that failed or errored and carry an exchange."""
    return [st for st in s.steps if st.outcome in BAD and st.exchange is not None]
