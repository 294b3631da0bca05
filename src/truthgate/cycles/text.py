"""Plain-text views of the ledger for the terminal: list, diff, trend. Strings only."""

from __future__ import annotations

from collections.abc import Sequence

from truthgate.cycles.diff import CycleDiff, ItemChange, median_latency
from truthgate.cycles.ledger import Cycle
from truthgate.model import Outcome, RunReport
from truthgate.reports.common import defang, fmt_ms, short_commit


def pass_rate(report: RunReport) -> float | None:
    """Share of checked (not skipped) invariants and scenarios that passed; None if none."""
    outcomes = [i.outcome for i in report.invariants] + [s.outcome for s in report.scenarios]
    checked = [o for o in outcomes if o not in (Outcome.SKIPPED, Outcome.NOT_RUN)]
    if not checked:
        return None
    return checked.count(Outcome.PASS) / len(checked)


def verdict_word(report: RunReport) -> str:
    return "PASSED" if report.passed else "FAILED"


def _table(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in rows]


def list_text(cycles: Sequence[Cycle]) -> str:
    """One row per cycle: number, kind, time, commit, verdict, counts."""
    if not cycles:
        return "no cycles recorded\n"
    rows = [["#", "kind", "recorded", "commit", "verdict", "pass", "fail", "error", "skip"]]
    for c in cycles:
        ctx, counts = c.report.context, c.report.counts()
        commit = short_commit(ctx.git_commit) + ("*" if ctx.git_dirty else "")
        rows.append([str(c.number), c.kind, c.recorded_at or ctx.started_at, commit or "-",
                     verdict_word(c.report), str(counts["pass"]), str(counts["fail"]),
                     str(counts["error"]),
                     str(counts["skipped"] + counts.get("not_run", 0))])
    return defang("\n".join(_table(rows))) + "\n"


def _change(c: ItemChange) -> str:
    was = c.before.value if c.before else "absent"
    now = c.after.value if c.after else "absent"
    return f"  {c.section} {c.id}: {was} -> {now}"


def diff_text(diff: CycleDiff) -> str:
    """The diff as indented sections, omitting empty ones."""
    lines = [f"changes from cycle {diff.before} to cycle {diff.after}"]
    for title, items in (("new failures", diff.new_failures), ("fixed", diff.fixed),
                         ("still failing", diff.still_failing)):
        if items:
            lines += [f"{title} ({len(items)}):"] + [_change(c) for c in items]
    if diff.latency_regressions:
        lines.append(f"latency regressions ({len(diff.latency_regressions)}):")
        lines += [f"  {r.scenario_id}: p50 {fmt_ms(r.before_ms)} -> {fmt_ms(r.after_ms)} "
                  f"(+{fmt_ms(r.delta_ms)}, {r.ratio:+.0%})" for r in diff.latency_regressions]
    if diff.finding_changes:
        lines.append("findings per invariant:")
        lines += [f"  {c.invariant_id}: {c.before} -> {c.after}" for c in diff.finding_changes]
    if len(lines) == 1:
        lines.append("no change in outcomes, findings or latency")
    return defang("\n".join(lines)) + "\n"


def trend_text(cycles: Sequence[Cycle]) -> str:
    """Pass rate per cycle, then each scenario's median latency across the cycles."""
    if not cycles:
        return "no cycles recorded\n"
    rows = [["#", "kind", "verdict", "pass rate"]]
    for c in cycles:
        rate = pass_rate(c.report)
        rows.append([str(c.number), c.kind, verdict_word(c.report),
                     "-" if rate is None else f"{rate:.0%}"])
    lines = _table(rows)
    scenarios = scenario_ids(cycles)
    if scenarios:
        lines += ["", "median latency per scenario (oldest -> newest):"]
        for sid in scenarios:
            series = [fmt_ms(v) if v is not None else "-" for _, v in latency_series(cycles, sid)]
            lines.append(f"  {sid}: " + "  ".join(series))
    return defang("\n".join(lines)) + "\n"


def scenario_ids(cycles: Sequence[Cycle]) -> list[str]:
    """Every scenario id seen in ``cycles``, in first-seen order."""
    seen: dict[str, None] = {}
    for c in cycles:
        for s in c.report.scenarios:
            seen.setdefault(s.id, None)
    return list(seen)


def latency_series(cycles: Sequence[Cycle], scenario_id: str) -> list[tuple[int, float | None]]:
    """(cycle number, median latency or None) of one scenario across ``cycles``."""
    out: list[tuple[int, float | None]] = []
    for c in cycles:
        s = next((s for s in c.report.scenarios if s.id == scenario_id), None)
        out.append((c.number, median_latency(s) if s else None))
    return out
