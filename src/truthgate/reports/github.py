"""GitHub Actions workflow commands: one annotation per finding and per red scenario.

Printed to a step's log, each ``::error file=...,line=...::message`` line becomes an
annotation on the pull request's diff. Escaping follows the Actions toolkit exactly:
in the message ``%``, CR and LF are encoded; in property values ``:`` and ``,`` as well,
because they delimit properties. Anything unescaped would silently truncate or split
an annotation.

GitHub shows at most 10 error, 10 warning and 10 notice annotations per step and drops the
rest without a word, so ``render`` prints at most ``CAP`` of each, most severe first (in
report order within a severity; one notice fewer, to leave room), then one notice with the
total and where the whole report is (the job summary, the SARIF upload). Nothing is lost:
every other format still carries every finding.
"""

from __future__ import annotations

from truthgate.model import Finding, Outcome, RunReport, ScenarioResult, Severity
from truthgate.reports.common import TOOL_NAME, repo_path, scenario_problems, verdict_lines

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
# Annotations GitHub shows per step and level; one notice is kept for the summary.
CAP = 10
LEVELS = ("error", "warning", "notice")
_LIMITS = {"error": CAP, "warning": CAP, "notice": CAP - 1}


def escape_data(text: str) -> str:
    """Escape a command's message (the part after ``::``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (``file=``, ``title=``...)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(name: str, message: str, **props: str | int) -> str:
    """One workflow command line; properties that are empty or 0 are left out."""
    parts = [f"{k}={escape_property(str(v))}" for k, v in props.items() if v not in ("", 0)]
    head = f"::{name}"
    if parts:
        head += " " + ",".join(parts)
    return f"{head}::{escape_data(message)}"


def _finding(f: Finding) -> str:
    message = f.message + (f"\nHint: {f.hint}" if f.hint else "")
    loc = f.location
    props: dict[str, str | int] = {}
    if loc is not None:
        props = {"file": repo_path(loc.path), "line": loc.line, "col": loc.col,
                 "endLine": loc.end_line, "endColumn": loc.end_col}
        # GitHub rejects a column without a line, and a range that ends before it starts.
        if not loc.line:
            props = {"file": props["file"]}
        elif loc.end_line < loc.line:
            props["endLine"] = props["endColumn"] = 0
    title = f"{TOOL_NAME} {f.invariant_id}".rstrip()
    props["title"] = f"{title} ({f.kind})" if f.kind else title
    return command(COMMANDS[f.severity], message, **props)


def _scenario(s: ScenarioResult, contract: str) -> str:
    problems = scenario_problems(s)
    word = "failed" if s.outcome is Outcome.FAIL else "could not run"
    message = f"scenario {s.id} {word}" + ("\n" + "\n".join(problems) if problems else "")
    title = f"{TOOL_NAME} smoke {s.id}: {s.name}" if s.name else f"{TOOL_NAME} smoke {s.id}"
    # On the scenario's line in the contract: the promise that broke, where a PR shows it.
    where: dict[str, str | int] = {"file": repo_path(contract), "line": s.line} if contract \
        else {}
    return command("error", message, **where, title=title)


def annotation_lines(report: RunReport) -> list[tuple[str, str]]:
    """(level, command line) of every problem, in report order."""
    out = [(COMMANDS[f.severity], _finding(f)) for f in report.findings]
    # A file verify could not examine is annotated on that file, as in every other format:
    # a gate that silently skipped code must say so where the reviewer looks.
    out += [(COMMANDS[f.severity], _finding(f)) for f in report.skipped_files]
    for inv in report.invariants:
        if inv.outcome is Outcome.ERROR:
            out.append(("error", command("error", inv.error or "the invariant could not run",
                                         title=f"{TOOL_NAME} {inv.id} could not run")))
    out += [("error", _scenario(s, report.context.contract_path)) for s in report.scenarios
            if s.outcome in (Outcome.FAIL, Outcome.ERROR)]
    return out


class Budget:
    """What one command may still print per level, and what it found and showed so far."""

    def __init__(self) -> None:
        self.left = dict(_LIMITS)
        self.found = dict.fromkeys(LEVELS, 0)
        self.shown = dict.fromkeys(LEVELS, 0)

    def take(self, found: list[tuple[str, str]]) -> list[str]:
        """The lines of ``found`` still within the budget, most severe first."""
        lines: list[str] = []
        for level in LEVELS:
            of_level = [line for lv, line in found if lv == level]
            chosen = of_level[:self.left[level]]
            self.found[level] += len(of_level)
            self.shown[level] += len(chosen)
            self.left[level] -= len(chosen)
            lines += chosen
        return lines

    def summary(self, run: str) -> str:
        """The closing notice: how many problems, how many shown, where the rest are;
        '' when nothing was found."""
        total = sum(self.found.values())
        if not total:
            return ""
        parts = ", ".join(_plural(self.found[lv], lv) for lv in LEVELS if self.found[lv])
        message = f"{TOOL_NAME} {run}: {_plural(total, 'annotation')} ({parts})"
        if self.shown == self.found:
            message += ", all shown."
        else:
            shown = ", ".join(_plural(self.shown[lv], lv) for lv in LEVELS)
            message += (f"; shown here: {shown}, most severe first (GitHub shows at most "
                        f"{CAP} of each per step).")
        message += (" The full report is in the job summary (--out markdown:...) and in code "
                    "scanning (--out sarif:...).")
        return command("notice", message, title=f"{TOOL_NAME} {run}: {total} problems")


def _plural(n: int, level: str) -> str:
    return f"{n} {level}" + ("" if n == 1 else "s")


def render(report: RunReport) -> str:
    """Capped annotation commands, most severe first, a summary notice, the verdict lines."""
    budget = Budget()
    lines = budget.take(annotation_lines(report))
    summary = budget.summary(" ".join(report.context.command.split()) or "run")
    lines += [summary] if summary else []
    lines += verdict_lines(report)
    return "\n".join(lines) + "\n"
