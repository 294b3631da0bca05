"""Markdown: the cycle report a release captain reads (and ``$GITHUB_STEP_SUMMARY``).

Context first (what was checked, at which commit), then the verdict, then the tables,
then the details a reader needs to act: each finding with its location and hint, and
for each red scenario what it expected and what the server actually answered. All text
from the run is escaped: a message containing ``|`` must not break a table, and one
containing ``<script>`` must show as text.
"""

from __future__ import annotations

import re

from truthgate.model import InvariantResult, Outcome, RunReport, ScenarioResult
from truthgate.reports.common import (
    BAD,
    defang,
    exchange_excerpt,
    failing_steps,
    fmt_ms,
    has_smoke,
    has_verify,
    latency_p50_max,
    place,
    plural,
    repo_path,
    scenario_breakdown,
    section_verdicts,
    short_commit,
    tool_version,
)

ICONS = {Outcome.PASS: "✅ pass", Outcome.FAIL: "❌ fail", Outcome.ERROR: "⚠️ error",
         Outcome.SKIPPED: "⏭️ skipped", Outcome.NOT_RUN: "⏸️ not run"}

# Markdown punctuation that can start emphasis, links, code or tables inside a line.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")
SKIPPED_FILES_SHOWN = 50


def escape(text: str) -> str:
    """Inline-safe text: HTML entities for ``& < >``, backslashes for Markdown syntax.

    Newlines become ``<br>`` so a multi-line message stays inside its list item or cell.
    """
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return text.replace("\r\n", "\n").replace("\n", "<br>")


def code(text: str, table: bool = False) -> str:
    """An inline code span that survives backticks in ``text`` (and pipes in a table)."""
    if not text:
        return ""
    text = text.replace("\n", " ")
    if table:
        # In a table a raw | ends the cell even inside a code span; GFM honours \| there
        # (and only there: elsewhere the backslash would show).
        text = text.replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def fenced(text: str, lang: str = "") -> list[str]:
    """A fenced block whose fence is longer than any backtick run in ``text``."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + lang, text, fence]


def _header(report: RunReport) -> list[str]:
    ctx = report.context
    title = f"# truthgate {ctx.command}"
    if ctx.product:
        title += f" — {escape(ctx.product)}"
        if ctx.product_version:
            title += f" {escape(ctx.product_version)}"
    rows: list[tuple[str, str]] = []
    if ctx.git_commit:
        commit = code(short_commit(ctx.git_commit), True)
        if ctx.git_dirty:
            commit += " (uncommitted changes)"
        rows.append(("Commit", commit))
    if ctx.git_branch:
        rows.append(("Branch", code(ctx.git_branch, True)))
    if ctx.started_at:
        when = escape(ctx.started_at)
        if ctx.finished_at and ctx.finished_at != ctx.started_at:
            when += f" → {escape(ctx.finished_at)}"
        rows.append(("Time", when))
    if ctx.contract_path:
        contract = code(ctx.contract_path, True)
        if ctx.contract_hash:
            contract += f" (sha256 {code(ctx.contract_hash[:12], True)})"
        rows.append(("Contract", contract))
    if ctx.target or ctx.base_url:
        target = escape(ctx.target) if ctx.target else ""
        if ctx.base_url:
            target += f" ({code(ctx.base_url, True)})" if target else code(ctx.base_url, True)
        rows.append(("Target", target))
    if ctx.deployment:
        rows.append(("Deployment", code(ctx.deployment, True)))
    if ctx.flags:
        rows.append(("Flags", code(" ".join(ctx.flags), True)))
    rows.append(("truthgate", escape(tool_version(report))))
    lines = [title, "", "| | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in rows]
    return lines


def _verdict(report: RunReport) -> list[str]:
    return [f"{'✅' if ok else '❌'} **{escape(line)}**  "
            for ok, line in section_verdicts(report)]


def _invariant_table(invs: tuple[InvariantResult, ...]) -> list[str]:
    lines = ["## Invariants", ""]
    if not invs:
        return lines + ["_No invariants ran._"]
    lines += ["| Invariant | Kind | Outcome | Findings | Files examined |",
              "|---|---|---|---:|---:|"]
    for r in invs:
        lines.append(f"| {code(r.id, True)} | {code(r.kind, True)} | {ICONS[r.outcome]} | "
                     f"{len(r.findings)} | {r.files_examined} |")
    return lines


def _scenario_table(scen: tuple[ScenarioResult, ...]) -> list[str]:
    lines = ["## Scenarios", ""]
    if not scen:
        return lines + ["_No scenarios ran._"]
    lines += ["| Scenario | Name | Outcome | p50 | max |", "|---|---|---|---:|---:|"]
    for s in scen:
        p50, worst = latency_p50_max(s)
        lines.append(f"| {code(s.id, True)} | {escape(s.name)} | {ICONS[s.outcome]} | "
                     f"{fmt_ms(p50)} | {fmt_ms(worst)} |")
    return lines


def _findings(invs: tuple[InvariantResult, ...]) -> list[str]:
    lines: list[str] = []
    for r in invs:
        if not r.findings and r.outcome is not Outcome.ERROR:
            continue
        if not lines:
            lines = ["## Findings"]
        lines += ["", f"### {code(r.id)} — {code(r.kind)} ({r.severity.value})"]
        if r.description:
            lines += ["", escape(r.description)]
        if r.why:
            lines += ["", f"> **Why it matters:** {escape(r.why)}"]
        if r.outcome is Outcome.ERROR:
            lines += ["", f"⚠️ **Could not run:** {escape(r.error or 'unknown error')}"]
        if r.findings:
            lines.append("")
        for f in r.findings:
            where = code(place(f.location)) if f.location else "_(repository)_"
            item = f"- {where} — {escape(f.message)}"
            if f.severity is not r.severity:
                item += f" ({f.severity.value})"
            lines.append(item)
            if f.snippet:
                lines.append(f"  - Code: {code(f.snippet.strip())}")
            for rel in f.related:
                lines.append(f"  - Related: {code(place(rel.location))}"
                             + (f" — {escape(rel.message)}" if rel.message else ""))
            if f.hint:
                lines.append(f"  - Hint: {escape(f.hint)}")
    return lines


def _failed_scenarios(scen: tuple[ScenarioResult, ...], contract: str = "") -> list[str]:
    lines: list[str] = []
    for s in scen:
        if s.outcome not in BAD:
            continue
        if not lines:
            lines = ["## Failed scenarios"]
        lines += ["", f"### {code(s.id)} — {escape(s.name)} ({s.outcome.value})", ""]
        if s.line and contract:
            lines += [f"Declared at {code(f'{repo_path(contract)}:{s.line}')}.", ""]
        # Each problem once: the scenario's own, then each step's nested under the step.
        own, steps = scenario_breakdown(s)
        items = [f"- {escape(p)}" for p in own]
        for step, problems in steps:
            if problems:
                items.append(f"- {code(step.name) or '_(unnamed step)_'}")
                items += [f"  - {escape(p)}" for p in problems]
        lines += items or ["- _(no detail)_"]
        for step in failing_steps(s):
            assert step.exchange is not None
            lines += ["", "<details>", f"<summary>{escape(step.name)}: request and response"
                      "</summary>", ""]
            lines += fenced(exchange_excerpt(step.exchange), "http")
            lines += ["", "</details>"]
    return lines


def _skipped_scenarios(scen: tuple[ScenarioResult, ...]) -> list[str]:
    # Why a scenario did not run tells a release captain whether the skip was meant (a
    # mode, a tag) or an oversight (a missing --allow-unsafe); the table only says it did not.
    items = [f"- {code(s.id)} — {escape(s.name)}: {escape(s.skip_reason or 'no reason given')}"
             for s in scen if s.outcome is Outcome.SKIPPED]
    unmet = [f"- {code(s.id)} — {escape(s.name)}: not run: "
             f"{escape(s.skip_reason or 'a precondition was not met')}"
             for s in scen if s.outcome is Outcome.NOT_RUN]
    out = ["## Skipped scenarios", ""] + items if items else []
    if unmet:
        out += ([""] if out else []) + ["## Scenarios not run (precondition not met)", ""]
        out += unmet
    return out


def _skipped_and_notes(report: RunReport) -> list[str]:
    lines: list[str] = []
    if report.skipped_files:
        n = len(report.skipped_files)
        lines += ["", "<details>", f"<summary>{plural(n, 'file')} skipped</summary>", ""]
        for f in report.skipped_files[:SKIPPED_FILES_SHOWN]:
            where = code(place(f.location)) if f.location else ""
            lines.append(f"- {where} — {escape(f.message)}" if where else f"- {escape(f.message)}")
        if n > SKIPPED_FILES_SHOWN:
            lines.append(f"- … and {n - SKIPPED_FILES_SHOWN} more")
        lines += ["", "</details>"]
    if report.notes:
        lines += ["", "## Notes", ""] + [f"- {escape(n)}" for n in report.notes]
    return lines


def render(report: RunReport) -> str:
    """The Markdown report, ending with a newline."""
    lines = _header(report) + [""] + _verdict(report)
    if has_verify(report):
        lines += [""] + _invariant_table(report.invariants)
    if has_smoke(report):
        lines += [""] + _scenario_table(report.scenarios)
    details = _findings(report.invariants)
    if details:
        lines += [""] + details
    failed = _failed_scenarios(report.scenarios, report.context.contract_path)
    for section in (failed, _skipped_scenarios(report.scenarios)):
        if section:
            lines += [""] + section
    lines += _skipped_and_notes(report)
    return defang("\n".join(lines)) + "\n"
