"""Questions about a cycle that need the rest of the ledger: its predecessor, its streak."""

from __future__ import annotations

from collections.abc import Sequence

from truthgate.cycles.diff import CycleDiff, LatencyThreshold, diff_reports
from truthgate.cycles.dod import DodRule, DodStatus, dod_of
from truthgate.cycles.ledger import Cycle


def previous_of(cycles: Sequence[Cycle], cycle: Cycle) -> Cycle | None:
    """The newest earlier cycle of the same kind.

    Same kind, because a smoke cycle compared with a verify cycle would report every
    scenario as new and every invariant as gone: noise, not change.
    """
    earlier = [c for c in cycles if c.number < cycle.number and c.kind == cycle.kind]
    return earlier[-1] if earlier else None


def diff_cycles(before: Cycle, after: Cycle,
                threshold: LatencyThreshold | None = None) -> CycleDiff:
    """The changes from cycle ``before`` to cycle ``after``."""
    return diff_reports(before.report, after.report, before_number=before.number,
                        after_number=after.number, threshold=threshold)


def changes_for(cycles: Sequence[Cycle], cycle: Cycle,
                threshold: LatencyThreshold | None = None) -> CycleDiff | None:
    """The changes since the previous cycle of the same kind; None for the first one."""
    prev = previous_of(cycles, cycle)
    return diff_cycles(prev, cycle, threshold) if prev else None


def dod_at(cycles: Sequence[Cycle], required: int | DodRule,
           up_to: int | None = None) -> DodStatus:
    """The definition-of-done streak as it stood right after cycle ``up_to`` (default: now).

    ``required`` is the contract's rule (``DodRule.from_contract``), or a bare number for
    the older form (every verify, smoke and logs cycle counts). Release cycles never count
    (see ``cycles.dod``).
    """
    rule = required if isinstance(required, DodRule) else DodRule(required=max(1, required))
    chosen = [(c.number, c.kind, c.report) for c in cycles
              if (up_to is None or c.number <= up_to)]
    return dod_of(chosen, rule)
