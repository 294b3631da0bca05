"""Definition of done: how many consecutive green cycles the ledger ends with.

A cycle is green when its report passed. A cycle that checked nothing (a run with every
item skipped) is neither green nor red: it is passed over, because it is no evidence
either way and must not reset an honest streak.

Release cycles never count, green or red (``counts_toward_streak``): a release is a
decision taken *on* the streak, not evidence for it. Were a release's own green checks
evidence, retrying a refused release would build the very streak that refused it; were
its refusal red evidence, one refusal would reset the streak it waits for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from truthgate.model import Outcome, RunReport

# Kinds of recorded cycle that are decisions about the streak rather than evidence for it.
NOT_EVIDENCE = frozenset({"release"})


def counts_toward_streak(kind: str) -> bool:
    """Whether a cycle of this kind is evidence for the definition of done."""
    return kind not in NOT_EVIDENCE


@dataclass(frozen=True)
class DodStatus:
    """The streak of green cycles ending at the newest one, against what the contract asks."""

    required: int
    streak: int
    considered: int  # cycles that checked something
    last_red: int | None = None  # number of the newest red cycle, if any

    @property
    def met(self) -> bool:
        return self.streak >= self.required

    def summary(self) -> str:
        """``"4 of 5 consecutive green cycles"`` (the streak is shown up to what is needed)."""
        shown = min(self.streak, self.required)
        text = f"{shown} of {self.required} consecutive green cycles"
        if self.streak > self.required:
            text += f" (streak {self.streak})"
        return text + (" — met" if self.met else " — not met")


def checked_something(report: RunReport) -> bool:
    """Whether the run produced any non-skipped invariant or scenario outcome."""
    items = list(report.invariants) + list(report.scenarios)
    return any(i.outcome not in (Outcome.SKIPPED, Outcome.NOT_RUN) for i in items)


def dod_status(reports: Sequence[tuple[int, RunReport]], required: int) -> DodStatus:
    """The streak over ``(cycle number, report)`` pairs, oldest first.

    Pass the ledger's cycles (and, for a release in progress, its own report last with
    number 0) so the captain's current run counts as the newest cycle.
    """
    streak = considered = 0
    last_red: int | None = None
    for number, report in reports:
        if not checked_something(report):
            continue
        considered += 1
        if report.passed:
            streak += 1
        else:
            streak, last_red = 0, number
    return DodStatus(required=max(1, required), streak=streak, considered=considered,
                     last_red=last_red)
