"""The ledger: atomic numbered files, concurrent writers, crashes, corrupt files."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
from pathlib import Path
from typing import Any

import pytest

from cycles.samples import green, red, report
from truthgate.cycles.ledger import (
    CycleError,
    cycle_path,
    latest_number,
    list_cycles,
    load_cycle,
    record_cycle,
)

# fork: workers start in milliseconds and inherit the test's imports; the ledger's
# guarantees are about processes, which fork gives us for real.
CTX = mp.get_context("fork")


def test_record_then_load_round_trips(tmp_path: Path) -> None:
    first = record_cycle(green(), tmp_path / "cycles", now=lambda: "2025-01-01T00:00:00Z")
    second = record_cycle(red("smoke"), tmp_path / "cycles")
    assert (first.number, second.number) == (1, 2)
    assert first.path == tmp_path / "cycles" / "0001.json"
    loaded = load_cycle(tmp_path / "cycles", 1)
    assert loaded.report == green()
    assert (loaded.kind, loaded.recorded_at) == ("verify", "2025-01-01T00:00:00Z")
    assert load_cycle(tmp_path / "cycles", 2).kind == "smoke"
    data = json.loads((tmp_path / "cycles" / "0001.json").read_text())
    assert data["cycle"]["number"] == 1 and data["schema_version"] == 1
    assert oct((tmp_path / "cycles" / "0001.json").stat().st_mode & 0o777) == oct(0o644)
    assert [p.name for p in (tmp_path / "cycles").iterdir()] != []
    assert not [p for p in (tmp_path / "cycles").iterdir() if p.name.endswith(".tmp")]


def test_explicit_kind_and_empty_ledger(tmp_path: Path) -> None:
    assert list_cycles(tmp_path / "missing").cycles == ()
    assert latest_number(tmp_path / "missing") == 0
    cycle = record_cycle(green(), tmp_path, kind="release")
    assert cycle.kind == "release" and cycle.label == "cycle 1 (release)"
    with pytest.raises(CycleError, match="no cycle 9"):
        load_cycle(tmp_path, 9)


def _worker(cycles_dir: str, worker: int, count: int, start: object) -> None:
    start.wait()  # type: ignore[attr-defined]
    for k in range(count):
        record_cycle(report(product=f"w{worker}-{k}"), Path(cycles_dir))


def test_concurrent_processes_get_unique_consecutive_numbers(tmp_path: Path) -> None:
    workers, each = 4, 6
    start = CTX.Event()
    procs = [CTX.Process(target=_worker, args=(str(tmp_path), w, each, start))
             for w in range(workers)]
    for p in procs:
        p.start()
    start.set()  # release them together to maximise contention
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    scan = list_cycles(tmp_path)
    assert scan.notes == ()
    assert [c.number for c in scan.cycles] == list(range(1, workers * each + 1))
    # Nothing lost, nothing duplicated: every (worker, k) appears exactly once.
    products = sorted(c.report.context.product for c in scan.cycles)
    assert products == sorted(f"w{w}-{k}" for w in range(workers) for k in range(each))
    # The number inside each file agrees with its name.
    for c in scan.cycles:
        assert json.loads(cycle_path(tmp_path, c.number).read_text())["cycle"]["number"] \
            == c.number
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".tmp"]


def _hang_on_fsync(cycles_dir: str, nth: int, reached: object) -> None:
    """Record a cycle but freeze at the ``nth`` fsync, so the parent can SIGKILL us there."""
    calls = 0
    real = os.fsync

    def fsync(fd: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == nth:
            reached.set()  # type: ignore[attr-defined]
            signal.pause()  # wait here for the SIGKILL
        real(fd)

    os.fsync = fsync
    record_cycle(report(product="killed"), Path(cycles_dir))


@pytest.mark.parametrize(("nth", "survives"), [(1, False), (2, True)],
                         ids=["killed-before-claim", "killed-after-claim"])
def test_sigkill_mid_record_leaves_ledger_readable(tmp_path: Path, nth: int,
                                                    survives: bool) -> None:
    record_cycle(green(), tmp_path)
    reached = CTX.Event()
    proc = CTX.Process(target=_hang_on_fsync, args=(str(tmp_path), nth, reached))
    proc.start()
    assert reached.wait(60), "the child never reached the fsync"
    assert proc.pid is not None
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(60)
    assert proc.exitcode == -signal.SIGKILL
    scan = list_cycles(tmp_path)
    assert scan.notes == ()
    expected = ["shop", "killed"] if survives else ["shop"]
    assert [c.report.context.product for c in scan.cycles] == expected
    # The ledger carries on: the next record takes the next free number.
    after = record_cycle(red(), tmp_path)
    assert after.number == len(expected) + 1
    assert load_cycle(tmp_path, after.number).report == red()


def test_corrupt_files_are_skipped_with_a_note(tmp_path: Path) -> None:
    record_cycle(green(), tmp_path)
    full = cycle_path(tmp_path, 1).read_text()
    cycle_path(tmp_path, 2).write_text(full[: len(full) // 2])  # truncated copy
    cycle_path(tmp_path, 3).write_text('{"schema_version": 1}')  # not a cycle
    cycle_path(tmp_path, 4).write_bytes(b"\xff\xfe garbage")
    cycle_path(tmp_path, 5).write_text(json.dumps({"schema_version": 99, "cycle": {}}))
    (tmp_path / "notes.txt").write_text("ignored")
    scan = list_cycles(tmp_path)
    assert [c.number for c in scan.cycles] == [1]
    assert len(scan.notes) == 4
    assert all(n.startswith("skipped 000") for n in scan.notes)
    with pytest.raises(CycleError, match="0002.json"):
        load_cycle(tmp_path, 2)
    # A corrupt file still holds its number: a new cycle never reuses it.
    assert record_cycle(red(), tmp_path).number == 6
