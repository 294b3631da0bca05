"""Definition of done: how many consecutive green cycles the ledger ends with.

A cycle is green when its report passed. A cycle that checked nothing (a run with every
item skipped) is neither green nor red: it is passed over, because it is no evidence
either way and must not reset an honest streak.

Release cycles never count, green or red (``counts_toward_streak``): a release is a
decision taken *on* the streak, not evidence for it. Were a release's own green checks
evidence, retrying a refused release would build the very streak that refused it; were
its refusal red evidence, one refusal would reset the streak it waits for.

What counts is the contract's ``DodRule`` (``release.definition_of_done``):

* ``of``: which recorded runs are evidence (``smoke``, ``verify``, ``logs``, or ``any``
  of the three). Cycles of other kinds are neither green nor red for the streak.
* ``distinct``: what makes two green runs two. ``deployment``: the deployment the smoke
  run recorded (``RunContext.deployment``: the health endpoint's field, or
  ``--deployment-id``); a green run against a deployment already in the streak is a
  repeat and adds nothing, and a green run that recorded no deployment is no evidence of
  a deploy. ``commit``: the commit the run checked (a dirty tree is no commit).
  ``cycle``: every run counts (the older ``consecutive_green_cycles`` form).
  A red run always resets the streak, whatever it was against.
* **The log window** (the newer form, when the contract declares log patterns or an
  error-loop limit): the window is the time since the streak's first counted run. It is
  clean when at least one ``logs`` cycle was recorded in it and none was red; a red
  ``logs`` cycle resets the streak like a red deploy, so an error loop seen between
  deploys is never forgotten by the next green smoke.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from truthgate.model import Outcome, RunReport

if TYPE_CHECKING:
    from truthgate.contract.model import Contract

# Kinds of recorded cycle that are decisions about the streak rather than evidence for it.
NOT_EVIDENCE = frozenset({"release"})


def counts_toward_streak(kind: str) -> bool:
    """Whether a cycle of this kind is evidence for the definition of done."""
    return kind not in NOT_EVIDENCE


LEGACY, DEPLOYMENT, COMMIT = "cycle", "deployment", "commit"
# Failing items named after "last red: cycle N," before "and N more".
NAMED_ITEMS = 3


@dataclass(frozen=True)
class DodRule:
    """What counts toward the definition of done (see the module docstring)."""

    required: int = 1
    of: str = "any"  # any | verify | smoke | logs
    distinct: str = LEGACY  # cycle | commit | deployment
    log_window: bool = False  # the streak also needs a clean log window

    @classmethod
    def from_contract(cls, contract: Contract) -> DodRule:
        dod = contract.release.definition_of_done
        obs = contract.observability
        logs_declared = bool(obs.forbidden_log_patterns) or obs.error_loop_limit > 0
        legacy = dod.of == "any" and dod.distinct == LEGACY
        return cls(required=max(1, dod.consecutive_green_cycles), of=dod.of,
                   distinct=dod.distinct,
                   log_window=logs_declared and not legacy and dod.of != "logs")

    @property
    def legacy(self) -> bool:
        return self.of == "any" and self.distinct == LEGACY and not self.log_window

    def counts(self, kind: str) -> bool:
        """Whether a cycle of ``kind`` is evidence for the streak itself."""
        if not counts_toward_streak(kind):
            return False
        return self.of == "any" or kind == self.of

    def noun(self) -> str:
        """What the streak is made of: ``green deploys``, ``consecutive green cycles``."""
        if self.distinct == DEPLOYMENT:
            return "green deploys"
        if self.distinct == COMMIT:
            what = "runs" if self.of == "any" else f"{self.of} runs"
            return f"green {what} on distinct commits"
        if self.of == "any":
            return "consecutive green cycles"
        return f"consecutive green {self.of} cycles"

    def what_counts(self) -> str:
        """One sentence for a refusal: which recorded runs count, and how to record them."""
        runs = "verify, smoke and logs runs" if self.of == "any" else f"{self.of} runs"
        text = f"only recorded {runs} count (--record, or CI=true; release runs never do)"
        if self.distinct == DEPLOYMENT:
            text += ("; one per deployment, named by the health endpoint's "
                     "definition_of_done.deployment_field or smoke --deployment-id")
        elif self.distinct == COMMIT:
            text += "; one per commit"
        if self.log_window:
            text += "; and a green `truthgate logs --record` run since the streak began"
        return text


@dataclass(frozen=True)
class DodStatus:
    """The streak of green cycles ending at the newest one, against what the contract asks."""

    required: int
    streak: int
    considered: int  # cycles that checked something
    last_red: int | None = None  # number of the newest red cycle, if any
    rule: DodRule | None = None  # None: the older form (every cycle counts)
    last_red_kind: str = ""
    last_red_items: tuple[str, ...] = ()  # what failed in the last red cycle
    repeats: int = 0  # green runs in the streak's span that added no new deployment/commit
    unnamed: int = 0  # green runs that named no deployment/commit (not counted)
    streak_start: int | None = None  # the first cycle counted in the streak
    logs_green: tuple[int, ...] = ()  # green logs cycles in the window

    @property
    def logs_clean(self) -> bool:
        """The log window holds a green logs cycle (a red one resets the streak)."""
        return bool(self.logs_green) or self.rule is None or not self.rule.log_window

    @property
    def met(self) -> bool:
        return self.streak >= self.required and self.logs_clean

    def summary(self) -> str:
        """``"4 of 5 consecutive green cycles — not met"`` (the streak shown up to what is
        needed); for the newer form ``"3 of 5 green deploys — not met; last red: cycle 41,
        S6"`` and what else is missing."""
        shown = min(self.streak, self.required)
        rule = self.rule or DodRule(required=self.required)
        text = f"{shown} of {self.required} {rule.noun()}"
        if self.streak > self.required:
            text += f" (streak {self.streak})"
        text += " — met" if self.met else " — not met"
        if rule.legacy:
            return text
        return "; ".join([text, *self.missing()])

    def missing(self) -> list[str]:
        """What stands between the streak and done, one phrase each ([] when met)."""
        if self.met:
            return []
        rule = self.rule or DodRule(required=self.required)
        out: list[str] = []
        if self.last_red is not None:
            red = f"last red: cycle {self.last_red}"
            if self.last_red_kind and self.last_red_kind != rule.of:
                red += f" ({self.last_red_kind})"
            if self.last_red_items:
                shown = list(self.last_red_items[:NAMED_ITEMS])
                more = len(self.last_red_items) - NAMED_ITEMS
                red += ", " + ", ".join(shown) + (f" and {more} more" if more > 0 else "")
            out.append(red)
        if self.repeats:
            what = "deployment" if rule.distinct == DEPLOYMENT else "commit"
            out.append(f"{self.repeats} green repeat(s) against the same {what} not counted")
        if self.unnamed:
            what = ("no deployment id (set definition_of_done.deployment_field or pass "
                    "smoke --deployment-id)" if rule.distinct == DEPLOYMENT
                    else "no clean commit")
            out.append(f"{self.unnamed} green run(s) with {what} not counted")
        if rule.log_window and not self.logs_green and self.streak_start is not None:
            out.append(f"log window: no green logs cycle since cycle {self.streak_start}")
        return out


def checked_something(report: RunReport) -> bool:
    """Whether the run produced any non-skipped invariant or scenario outcome."""
    items = list(report.invariants) + list(report.scenarios)
    return any(i.outcome not in (Outcome.SKIPPED, Outcome.NOT_RUN) for i in items)


def failing_items(report: RunReport) -> tuple[str, ...]:
    """The ids of what failed or errored, invariants then scenarios."""
    bad = (Outcome.FAIL, Outcome.ERROR)
    return tuple([i.id for i in report.invariants if i.outcome in bad]
                 + [s.id for s in report.scenarios if s.outcome in bad])


def _identity(report: RunReport, distinct: str, number: int) -> str:
    if distinct == DEPLOYMENT:
        return report.context.deployment
    if distinct == COMMIT:
        ctx = report.context
        return "" if ctx.git_dirty else ctx.git_commit
    return str(number)


def dod_of(cycles: Sequence[tuple[int, str, RunReport]], rule: DodRule) -> DodStatus:
    """The streak over ``(number, kind, report)`` cycles, oldest first, under ``rule``."""
    streak = considered = repeats = unnamed = 0
    seen: set[str] = set()
    start: int | None = None
    logs_green: list[int] = []
    last_red: int | None = None
    red_kind = ""
    red_items: tuple[str, ...] = ()
    for number, kind, report in cycles:
        window_log = rule.log_window and kind == "logs"
        if not (rule.counts(kind) or window_log) or not checked_something(report):
            continue
        if not report.passed:
            if rule.counts(kind):
                considered += 1
            streak, start, repeats, unnamed = 0, None, 0, 0
            seen, logs_green = set(), []
            last_red, red_kind, red_items = number, kind, failing_items(report)
            continue
        if window_log and not rule.counts(kind):
            if start is not None:
                logs_green.append(number)
            continue
        considered += 1
        ident = _identity(report, rule.distinct, number)
        if not ident:
            unnamed += 1
        elif ident in seen:
            repeats += 1
        else:
            seen.add(ident)
            streak += 1
            start = number if start is None else start
    return DodStatus(required=rule.required, streak=streak, considered=considered,
                     last_red=last_red, rule=rule, last_red_kind=red_kind,
                     last_red_items=red_items, repeats=repeats, unnamed=unnamed,
                     streak_start=start, logs_green=tuple(logs_green))


def dod_status(reports: Sequence[tuple[int, RunReport]], required: int) -> DodStatus:
    """The older form's streak over ``(cycle number, report)`` pairs, oldest first: every
    pair counts (the caller leaves release cycles out)."""
    status = dod_of([(n, "verify", r) for n, r in reports], DodRule(required=max(1, required)))
    return dataclasses.replace(status, rule=None, last_red_kind="", last_red_items=())
