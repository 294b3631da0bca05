"""Plain text: the terminal report for CI logs and ``NO_COLOR`` / non-TTY output.

Grouped by invariant, one line each, with the findings of a red invariant indented
under it (``path:line:col: severity: message`` so editors and CI logs link it) and a
``hint:`` line per finding; red scenarios show each problem once: the scenario's own,
then each step's under that step, above an excerpt of its exchange. It ends with one verdict line per section, the line a person scans for.
"""

from __future__ import annotations

from truthgate.model import InvariantResult, Outcome, RunReport, ScenarioResult
from truthgate.reports.common import (
    BAD,
    defang,
    exchange_excerpt,
    fmt_ms,
    has_smoke,
    has_verify,
    latency_p50_max,
    place,
    plural,
    repo_path,
    scenario_breakdown,
    short_commit,
    verdict_lines,
)

WORDS = {Outcome.PASS: "PASS", Outcome.FAIL: "FAIL", Outcome.ERROR: "ERROR",
         Outcome.SKIPPED: "SKIP", Outcome.NOT_RUN: "UNMET"}  # precondition unmet: not run
WIDTH = max(len(w) for w in WORDS.values())
# Excerpts in a log are for orientation; the JSON and Markdown reports carry more.
EXCERPT_LIMIT = 600
SKIPPED_FILES_SHOWN = 20


def indent(text: str, prefix: str) -> list[str]:
    """Each line of ``text`` prefixed, so multi-line messages stay under their item."""
    # Split on CR/LF only: str.splitlines would also break on \x1c or \u2028 in a message.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [prefix + line if line else prefix.rstrip() for line in lines]


def _header(report: RunReport) -> list[str]:
    ctx = report.context
    title = f"truthgate {ctx.command}"
    if ctx.product:
        title += f" — {ctx.product}" + (f" {ctx.product_version}" if ctx.product_version else "")
    facts = []
    if ctx.git_commit:
        branch = [b for b in (ctx.git_branch, "dirty" if ctx.git_dirty else "") if b]
        facts.append(f"commit {short_commit(ctx.git_commit)}"
                     + (f" ({', '.join(branch)})" if branch else ""))
    if ctx.started_at:
        facts.append(ctx.started_at)
    if ctx.contract_path:
        facts.append(f"contract {ctx.contract_path}")
    if ctx.target or ctx.base_url:
        facts.append("target " + " ".join(x for x in (ctx.target, ctx.base_url) if x))
    if ctx.deployment:
        facts.append(f"deployment {ctx.deployment}")
    if "--allow-unsafe" in ctx.flags:
        # Whoever reads the log must see that this run was allowed to write.
        facts.append("--allow-unsafe")
    return [title] + ([" · ".join(facts)] if facts else [])


def _invariant(r: InvariantResult, id_width: int) -> list[str]:
    tail = []
    if r.findings:
        tail.append(plural(len(r.findings), "finding"))
    if r.outcome in (Outcome.PASS, Outcome.FAIL) or r.files_examined:
        tail.append(plural(r.files_examined, "file"))
    if r.baselined:
        tail.append(f"{r.baselined} baselined")
    if r.suppressed:
        tail.append(f"{r.suppressed} suppressed")
    head = f"{WORDS[r.outcome]:<{WIDTH}}  {r.id:<{id_width}}  [{r.kind}]"
    lines = [f"{head}  {' · '.join(tail)}" if tail else head]
    if r.outcome is Outcome.ERROR:
        lines += indent(f"could not run: {r.error or 'unknown error'}", "    ")
    if r.findings:
        # The team's own words and the reason the rule exists come first: a tired engineer
        # decides from them whether and how to fix, before reading the locations.
        if r.description:
            lines += indent(f"promise: {r.description}", "    ")
        if r.why:
            lines += indent(f"why: {r.why}", "    ")
    for f in r.findings:
        where = f"{place(f.location)}: " if f.location else ""
        lines += indent(f"{where}{f.severity.value}: {f.message}", "    ")
        for rel in f.related:
            lines += indent(f"related: {place(rel.location)}"
                            + (f" — {rel.message}" if rel.message else ""), "      ")
        if f.hint:
            lines += indent(f"hint: {f.hint}", "      ")
    return lines


def _scenario(s: ScenarioResult, id_width: int, contract: str = "") -> list[str]:
    p50, worst = latency_p50_max(s)
    tail = f"p50 {fmt_ms(p50)} · max {fmt_ms(worst)}" if p50 is not None else ""
    name = f"{s.id:<{id_width}}  {s.name}"
    lines = [f"{WORDS[s.outcome]:<{WIDTH}}  {name}" + (f"  ({tail})" if tail else "")]
    if s.outcome is Outcome.SKIPPED and s.skip_reason:
        lines += indent(f"skipped: {s.skip_reason}", "    ")
    if s.outcome is Outcome.NOT_RUN:
        lines += indent(f"not run: {s.skip_reason or 'a precondition was not met'}", "    ")
    if s.outcome in BAD:
        # Each problem once: the scenario's own first, then each step's under the step,
        # right above the exchange that shows it (see scenario_breakdown).
        if s.line and contract:
            # Where the broken promise is written: what to read, or change if it moved on.
            lines += indent(f"declared at {repo_path(contract)}:{s.line}", "    ")
        own, steps = scenario_breakdown(s)
        for p in own:
            lines += indent(f"- {p}", "    ")
        for step, problems in steps:
            lines.append(f"    {step.name}:")
            for p in problems:
                lines += indent(f"- {p}", "      ")
            if step.exchange is not None and step.outcome in BAD:
                lines += indent(exchange_excerpt(step.exchange, EXCERPT_LIMIT), "      | ")
    return lines


def render(report: RunReport) -> str:
    """The plain-text report, ending with the verdict line(s) and a newline."""
    lines = _header(report)
    if has_verify(report):
        lines += ["", "invariants:"]
        width = max((len(r.id) for r in report.invariants), default=0)
        for r in report.invariants:
            lines += _invariant(r, width)
        if not report.invariants:
            lines.append("  (none ran)")
    if has_smoke(report):
        lines += ["", "scenarios:"]
        width = max((len(s.id) for s in report.scenarios), default=0)
        for s in report.scenarios:
            lines += _scenario(s, width, report.context.contract_path)
        if not report.scenarios:
            lines.append("  (none ran)")
    if report.skipped_files:
        lines += ["", f"skipped {plural(len(report.skipped_files), 'file')}:"]
        for f in report.skipped_files[:SKIPPED_FILES_SHOWN]:
            where = f"{place(f.location)}: " if f.location else ""
            lines += indent(f"{where}{f.message}", "  ")
        if len(report.skipped_files) > SKIPPED_FILES_SHOWN:
            lines.append(f"  … and {len(report.skipped_files) - SKIPPED_FILES_SHOWN} more")
    if report.notes:
        lines += ["", "notes:"] + [ln for n in report.notes for ln in indent(n, "  ")]
    lines += [""] + verdict_lines(report)
    return defang("\n".join(lines)) + "\n"
