"""Diff between cycles and the definition-of-done streak over a sequence of cycles."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from cycles.samples import green, inv, red, report, scen
from truthgate.cycles.diff import LatencyThreshold, diff_reports
from truthgate.cycles.dod import DodRule, dod_of, dod_status
from truthgate.cycles.history import changes_for, diff_cycles, dod_at, previous_of
from truthgate.cycles.ledger import list_cycles, record_cycle
from truthgate.model import Outcome, RunReport


def test_new_fixed_still_failing_and_finding_counts() -> None:
    before = report(invariants=(inv("a", Outcome.FAIL, 1), inv("b"), inv("c", Outcome.FAIL, 3),
                                inv("gone", Outcome.FAIL, 1), inv("skipme", Outcome.FAIL)))
    after = report(invariants=(inv("a"), inv("b", Outcome.ERROR), inv("c", Outcome.FAIL, 1),
                               inv("new", Outcome.FAIL, 2), inv("skipme", Outcome.SKIPPED)))
    d = diff_reports(before, after, before_number=3, after_number=4)
    assert (d.before, d.after) == (3, 4)
    assert [c.key for c in d.new_failures] == ["invariant:b", "invariant:new"]
    assert d.new_failures[1].before is None and d.new_failures[1].after is Outcome.FAIL
    # A skip is not a fix, and neither is an invariant that was dropped.
    assert [c.id for c in d.fixed] == ["a"]
    assert [c.id for c in d.still_failing] == ["c"]
    assert [(c.invariant_id, c.before, c.after) for c in d.finding_changes] == [
        ("a", 1, 0), ("c", 3, 1)]
    assert not d.quiet


def test_latency_regression_needs_both_ratio_and_milliseconds() -> None:
    before = report("smoke", scenarios=(scen("fast", latencies=(3.0, 4.0, 5.0)),
                                        scen("slow", latencies=(400.0,)),
                                        scen("mid", latencies=(100.0,)),
                                        scen("none", latencies=())))
    after = report("smoke", scenarios=(scen("fast", latencies=(30.0, 40.0, 50.0)),  # +900%, +36ms
                                       scen("slow", latencies=(460.0,)),  # +60ms but +15%
                                       scen("mid", latencies=(200.0,)),  # +100%, +100ms
                                       scen("none", latencies=(999.0,))))
    d = diff_reports(before, after)
    assert [(r.scenario_id, r.before_ms, r.after_ms) for r in d.latency_regressions] == [
        ("mid", 100.0, 200.0)]
    assert d.latency_regressions[0].delta_ms == 100.0
    assert d.latency_regressions[0].ratio == 1.0
    loose = diff_reports(before, after, threshold=LatencyThreshold(ratio=0.1, min_delta_ms=30))
    assert [r.scenario_id for r in loose.latency_regressions] == ["fast", "slow", "mid"]


def test_identical_runs_are_quiet() -> None:
    d = diff_reports(green(), green())
    assert d.quiet and not d.still_failing


def test_dod_streak_across_a_sequence(tmp_path: Path) -> None:
    sequence = [green(), red(), green(), report(), green(), green("smoke")]
    for r in sequence:
        record_cycle(r, tmp_path)
    cycles = list_cycles(tmp_path).cycles
    status = dod_at(cycles, required=3)
    # Cycle 4 checked nothing: passed over, neither breaking nor extending the streak.
    assert (status.streak, status.considered, status.last_red, status.met) == (3, 5, 2, True)
    assert status.summary() == "3 of 3 consecutive green cycles — met"
    at_three = dod_at(cycles, required=5, up_to=3)
    assert (at_three.streak, at_three.met) == (1, False)
    assert at_three.summary() == "1 of 5 consecutive green cycles — not met"
    assert dod_at(cycles, required=2).summary() == (
        "2 of 2 consecutive green cycles (streak 3) — met")
    assert dod_status([], 0).required == 1


def test_history_compares_with_the_previous_cycle_of_the_same_kind(tmp_path: Path) -> None:
    record_cycle(red(), tmp_path)
    record_cycle(report("smoke", scenarios=(scen("s1", Outcome.FAIL),)), tmp_path)
    record_cycle(green(), tmp_path)
    cycles = list_cycles(tmp_path).cycles
    prev = previous_of(cycles, cycles[2])
    assert prev is not None and prev.number == 1
    d = changes_for(cycles, cycles[2])
    assert d is not None and [c.id for c in d.fixed] == ["b"] and d.before == 1
    assert changes_for(cycles, cycles[0]) is None
    assert [c.id for c in diff_cycles(cycles[1], cycles[2]).fixed] == []


def _on(r: RunReport, commit: str, dirty: bool = False) -> RunReport:
    return dataclasses.replace(r, context=dataclasses.replace(
        r.context, git_commit=commit, git_dirty=dirty))


def test_dod_distinct_commits_and_kinds() -> None:
    rule = DodRule(required=2, of="verify", distinct="commit")
    cycles = [(1, "verify", _on(green(), "c1")), (2, "verify", _on(green(), "c1")),
              (3, "smoke", red("smoke")), (4, "release", red("release")),
              (5, "verify", _on(green(), "c2", dirty=True))]
    status = dod_of(cycles, rule)
    # A smoke or release cycle is no verify evidence; c1 twice is one commit; dirty is none.
    assert (status.streak, status.repeats, status.unnamed, status.met) == (1, 1, 1, False)
    assert status.summary() == (
        "1 of 2 green verify runs on distinct commits — not met; 1 green repeat(s) against "
        "the same commit not counted; 1 green run(s) with no clean commit not counted")
    status = dod_of([*cycles, (6, "verify", _on(green(), "c2"))], rule)
    assert status.met and status.summary() == "2 of 2 green verify runs on distinct commits — met"
    # A red verify resets; the last red names its failing items.
    status = dod_of([*cycles, (6, "verify", _on(red(), "c3"))], rule)
    assert status.summary() == "0 of 2 green verify runs on distinct commits — not met; " \
        "last red: cycle 6, b"
