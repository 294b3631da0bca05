"""A cycle as Markdown: the run's report, then what changed and the definition of done.

The body is ``reports.markdown`` unchanged, so a cycle reads exactly like the report
the run printed; this module only composes the two sections a single run cannot know.
"""

from __future__ import annotations

from truthgate.cycles.diff import CycleDiff, ItemChange
from truthgate.cycles.dod import DodStatus
from truthgate.cycles.ledger import Cycle
from truthgate.reports import markdown
from truthgate.reports.common import defang, fmt_ms


def _item(change: ItemChange) -> str:
    was = change.before.value if change.before else "absent"
    now = change.after.value if change.after else "absent"
    return f"- {change.section} {markdown.code(change.id)}: {was} → {now}"


def changes_section(diff: CycleDiff | None) -> list[str]:
    """``## Changes since cycle N`` (or a line saying this is the first cycle)."""
    if diff is None:
        return ["## Changes", "", "_First cycle in the ledger: nothing to compare with._"]
    lines = [f"## Changes since cycle {diff.before}", ""]
    if diff.quiet and not diff.still_failing:
        return lines + ["_No change in outcomes, findings or latency._"]
    groups = (("New failures", diff.new_failures), ("Fixed", diff.fixed),
              ("Still failing", diff.still_failing))
    for title, items in groups:
        if items:
            lines += [f"**{title}** ({len(items)})", ""] + [_item(c) for c in items] + [""]
    if diff.latency_regressions:
        lines += [f"**Latency regressions** ({len(diff.latency_regressions)})", "",
                  "| Scenario | p50 before | p50 now | Change |", "|---|---:|---:|---:|"]
        for lat in diff.latency_regressions:
            lines.append(f"| {markdown.code(lat.scenario_id, True)} | {fmt_ms(lat.before_ms)} "
                         f"| {fmt_ms(lat.after_ms)} | +{fmt_ms(lat.delta_ms)} "
                         f"({lat.ratio:+.0%}) |")
        lines.append("")
    if diff.finding_changes:
        lines += ["**Findings per invariant**", ""]
        lines += [f"- {markdown.code(c.invariant_id)}: {c.before} → {c.after}"
                  for c in diff.finding_changes]
        lines.append("")
    while lines and not lines[-1]:
        lines.pop()
    return lines


def dod_section(dod: DodStatus | None, criteria: tuple[str, ...] = ()) -> list[str]:
    """``## Definition of done``: the streak, and the human-checked criteria as a list."""
    if dod is None:
        return []
    icon = "✅" if dod.met else "⏳"
    lines = ["## Definition of done", "", f"{icon} **{dod.summary()}**"]
    if dod.last_red is not None and (dod.rule is None or dod.rule.legacy):
        # The newer form's summary names the last red cycle and what failed in it already.
        lines.append(f"  \nLast red cycle: {dod.last_red}.")
    if criteria:
        lines += ["", "Checked by a person:", ""]
        lines += [f"- [ ] {markdown.escape(c)}" for c in criteria]
    return lines


def render_cycle(cycle: Cycle, diff: CycleDiff | None, dod: DodStatus | None,
                 criteria: tuple[str, ...] = ()) -> str:
    """The cycle's Markdown report, ending with a newline."""
    body = markdown.render(cycle.report).rstrip("\n")
    when = f", recorded {markdown.escape(cycle.recorded_at)}" if cycle.recorded_at else ""
    head = [f"## Cycle {cycle.number}", "", f"A {markdown.escape(cycle.kind)} run{when}."]
    parts = [body, "\n".join(head), "\n".join(changes_section(diff))]
    dod_lines = dod_section(dod, criteria)
    if dod_lines:
        parts.append("\n".join(dod_lines))
    return defang("\n\n".join(parts)) + "\n"
