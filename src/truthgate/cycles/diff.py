"""What changed between two runs: new failures, fixes, latency regressions, finding counts.

Items are matched by kind and id (``invariant:no-secrets``, ``scenario:S3``), never by
position, because a contract may gain or reorder entries between cycles. Pure functions
of two ``RunReport``s: the caller decides which cycles to compare.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from truthgate.model import InvariantResult, Outcome, RunReport, ScenarioResult
from truthgate.reports.common import BAD, percentile


@dataclass(frozen=True)
class LatencyThreshold:
    """A latency regression must exceed both: relative growth and absolute milliseconds.

    Both, because +30 % of a 3 ms health check is noise, and +60 ms on a 4 s export is
    too; only a change that is large in both senses is worth a release captain's time.
    """

    ratio: float = 0.20
    min_delta_ms: float = 50.0

    def exceeded(self, before_ms: float, after_ms: float) -> bool:
        delta = after_ms - before_ms
        return delta > self.min_delta_ms and after_ms > before_ms * (1 + self.ratio)


@dataclass(frozen=True)
class ItemChange:
    """One invariant or scenario whose outcome is worth reporting."""

    section: str  # "invariant" | "scenario"
    id: str
    before: Outcome | None  # None: absent from the earlier run
    after: Outcome | None

    @property
    def key(self) -> str:
        return f"{self.section}:{self.id}"


@dataclass(frozen=True)
class LatencyChange:
    """A scenario's median latency in both runs."""

    scenario_id: str
    before_ms: float
    after_ms: float

    @property
    def delta_ms(self) -> float:
        return self.after_ms - self.before_ms

    @property
    def ratio(self) -> float:
        return self.after_ms / self.before_ms - 1 if self.before_ms > 0 else float("inf")


@dataclass(frozen=True)
class CountChange:
    """An invariant whose number of findings went up or down."""

    invariant_id: str
    before: int
    after: int


@dataclass(frozen=True)
class CycleDiff:
    """Changes from run ``before`` to run ``after`` (cycle numbers, 0 when not cycles)."""

    before: int
    after: int
    new_failures: tuple[ItemChange, ...] = ()
    fixed: tuple[ItemChange, ...] = ()
    still_failing: tuple[ItemChange, ...] = ()
    latency_regressions: tuple[LatencyChange, ...] = ()
    finding_changes: tuple[CountChange, ...] = ()

    @property
    def quiet(self) -> bool:
        """Nothing a reader must act on changed (still-failing items are old news)."""
        return not (self.new_failures or self.fixed or self.latency_regressions
                    or self.finding_changes)


Item = InvariantResult | ScenarioResult


def _items(report: RunReport) -> dict[str, tuple[str, Item]]:
    out: dict[str, tuple[str, Item]] = {}
    for r in report.invariants:
        out[f"invariant:{r.id}"] = ("invariant", r)
    for s in report.scenarios:
        out[f"scenario:{s.id}"] = ("scenario", s)
    return out


def median_latency(s: ScenarioResult) -> float | None:
    """The scenario's median request latency, ``None`` when it measured none."""
    return percentile(s.latencies_ms, 50)


def _ordered(keys: Iterable[str], *orders: dict[str, tuple[str, Item]]) -> list[str]:
    """Keys in the order the runs listed them (later run first): contract order reads best."""
    rank: dict[str, int] = {}
    for order in orders:
        for k in order:
            rank.setdefault(k, len(rank))
    return sorted(keys, key=lambda k: rank.get(k, len(rank)))


def diff_reports(before: RunReport, after: RunReport, *, before_number: int = 0,
                 after_number: int = 0, threshold: LatencyThreshold | None = None) -> CycleDiff:
    """Compare two runs item by item; see the module docstring for the matching rule."""
    threshold = threshold or LatencyThreshold()
    old, new = _items(before), _items(after)
    keys = _ordered(set(old) | set(new), new, old)
    new_failures: list[ItemChange] = []
    fixed: list[ItemChange] = []
    still: list[ItemChange] = []
    for key in keys:
        section, item = new.get(key) or old[key]
        was = old[key][1].outcome if key in old else None
        now = new[key][1].outcome if key in new else None
        change = ItemChange(section, item.id, was, now)
        was_bad, now_bad = was in BAD, now in BAD
        if now_bad and not was_bad:
            new_failures.append(change)
        elif was_bad and now_bad:
            still.append(change)
        elif was_bad and now is Outcome.PASS:
            # Only a pass is a fix: a scenario skipped or dropped has proven nothing.
            fixed.append(change)
    return CycleDiff(
        before=before_number, after=after_number, new_failures=tuple(new_failures),
        fixed=tuple(fixed), still_failing=tuple(still),
        latency_regressions=tuple(_latency(before, after, threshold)),
        finding_changes=tuple(_counts(before, after)))


def _latency(before: RunReport, after: RunReport,
             threshold: LatencyThreshold) -> list[LatencyChange]:
    old = {s.id: median_latency(s) for s in before.scenarios}
    out = []
    for s in after.scenarios:
        was, now = old.get(s.id), median_latency(s)
        if was is not None and now is not None and threshold.exceeded(was, now):
            out.append(LatencyChange(s.id, was, now))
    return out


def _counts(before: RunReport, after: RunReport) -> list[CountChange]:
    old = {r.id: len(r.findings) for r in before.invariants}
    new = {r.id: len(r.findings) for r in after.invariants}
    # Only invariants both runs checked: one that was added or dropped did not gain or
    # lose findings, and its outcome change is reported above.
    return [CountChange(i, old[i], n) for i, n in new.items() if i in old and old[i] != n]
