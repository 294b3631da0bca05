"""Cycles recorded before scenarios carried ``own_failures`` still load, render and diff.

The fixtures in ``data/old_shape`` were written by the older writer, whose ``failures``
was the flat list (every counted step failure as ``"<step>: <failure>"``, then the
scenario's own); cycle 1 -> 2 fixes S1 and S8 and breaks S2, S4 stays red.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from truthgate.cycles.diff import diff_reports
from truthgate.cycles.ledger import load_cycle, record_cycle
from truthgate.model import Outcome
from truthgate.reports import render

OLD = Path(__file__).parent / "data" / "old_shape"


def _old_failures(number: int) -> dict[str, list[str]]:
    data = json.loads((OLD / f"{number:04d}.json").read_text())
    assert all("own_failures" not in s for s in data["scenarios"])  # really the old shape
    return {s["id"]: s["failures"] for s in data["scenarios"]}


def test_old_cycles_load_with_the_split_restored() -> None:
    for number in (1, 2):
        report = load_cycle(OLD, number).report
        flat = _old_failures(number)
        for s in report.scenarios:
            assert list(s.all_failures()) == flat[s.id], (number, s.id)
    s1, s2, s4, s8 = load_cycle(OLD, 1).report.scenarios
    assert s1.failures == () and s1.counts_step_failures
    assert s4.failures == ("the repeated request created a second order (ids 41 and 42)",)
    # cold_start did not count its poll's failure: the old list had no copy of it.
    assert s8.steps[0].failures == ("status: expected 200, got 503",)
    assert not s8.counts_step_failures and len(s8.failures) == 1
    assert s2.outcome is Outcome.PASS


def test_old_errored_scenario_gets_its_error_step_back() -> None:
    data = json.loads((OLD / "0002.json").read_text())
    assert all("error_step" not in s and "line" not in s for s in data["scenarios"])
    s1, s2, s4, s8 = load_cycle(OLD, 2).report.scenarios
    # The old writer's error was the errored (last) step's, as "<step>: <error>".
    assert s2.outcome is Outcome.ERROR and s2.error_step == "GET /api/orders"
    assert s2.error == "GET /api/orders: svc refused the connection"
    assert s2.error_shown_by_step() is s2.steps[-1]
    assert all(s.error_step == "" for s in (s1, s4, s8))
    assert all(s.line == 0 for s in (s1, s2, s4, s8))
    for fmt in ("text", "markdown", "github", "html"):
        out = render(fmt, load_cycle(OLD, 2).report)
        assert out.count("svc refused the connection") == 1, (fmt, out)


def test_old_cycles_diff() -> None:
    diff = diff_reports(load_cycle(OLD, 1).report, load_cycle(OLD, 2).report,
                        before_number=1, after_number=2)
    assert [(c.id, c.before, c.after) for c in diff.new_failures] == [
        ("S2", Outcome.PASS, Outcome.ERROR)]
    assert [c.id for c in diff.fixed] == ["S1", "S8"]
    assert [c.id for c in diff.still_failing] == ["S4"]


def test_old_cycle_renders_each_failure_once() -> None:
    text = render("text", load_cycle(OLD, 1).report)
    for failure in ("status: expected 200, got 503", "header X-Total: expected present",
                    "status: expected 201, got 500",
                    "the repeated request created a second order (ids 41 and 42)"):
        # Once under each step that has it: S1's products step and S8's poll both got 503.
        lines = [ln for ln in text.splitlines() if ln.strip() == f"- {failure}"]
        assert len(lines) == (2 if failure.endswith("got 503") else 1), (failure, text)
    assert text.count("GET /api/products: status") == 0


def test_old_and_new_cycles_diff_and_keep_the_flat_list(tmp_path: Path) -> None:
    ledger = tmp_path / "cycles"
    shutil.copytree(OLD, ledger)
    old = load_cycle(ledger, 2).report
    assert record_cycle(old, ledger).number == 3  # rewritten by this version
    new = json.loads((ledger / "0003.json").read_text())
    assert {s["id"]: s["failures"] for s in new["scenarios"]} == _old_failures(2)
    assert load_cycle(ledger, 3).report == old
    diff = diff_reports(load_cycle(ledger, 1).report, load_cycle(ledger, 3).report)
    assert [c.id for c in diff.fixed] == ["S1", "S8"]
