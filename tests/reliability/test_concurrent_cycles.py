"""Issue 5, part 5: many processes recording into one ledger, some killed mid-write.

8 writers record 50 cycles each while killer rounds SIGKILL other writers at random
moments. Afterwards: every survivor's cycle is there exactly once, numbers are unique,
every file parses, and no temporary file is left looking like a cycle.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import random
import signal
import time
from pathlib import Path

from truthgate.cycles.ledger import list_cycles, record_cycle
from truthgate.model import RunContext, RunReport

CTX = mp.get_context("fork")
WRITERS = int(os.environ.get("TRUTHGATE_CYCLE_WRITERS", 8))
EACH = int(os.environ.get("TRUTHGATE_CYCLES_EACH", 50))
VICTIMS = int(os.environ.get("TRUTHGATE_CYCLE_VICTIMS", 6))


def _report(product: str) -> RunReport:
    return RunReport(context=RunContext(command="verify", product=product))


def _writer(cycles_dir: str, name: str, count: int, start: object) -> None:
    start.wait()  # type: ignore[attr-defined]
    for k in range(count):
        record_cycle(_report(f"{name}-{k}"), Path(cycles_dir))


def contend(ledger: Path, rng: random.Random) -> list[str]:
    """Run WRITERS x EACH records into ``ledger`` while VICTIMS are SIGKILLed mid-stream.

    Returns the products of the surviving writers' cycles that were expected. Shared with
    benchmarks/sweep.py, which runs it for more rounds.
    """
    start = CTX.Event()
    writers = [CTX.Process(target=_writer, args=(str(ledger), f"w{w}", EACH, start))
               for w in range(WRITERS)]
    # Victims write endlessly (until killed) alongside the writers.
    victims = [CTX.Process(target=_writer, args=(str(ledger), f"v{v}", 10**6, start))
               for v in range(VICTIMS)]
    for p in (*writers, *victims):
        p.start()
    start.set()
    for victim in victims:
        time.sleep(rng.uniform(0.01, 0.3))
        os.kill(victim.pid, signal.SIGKILL)  # type: ignore[arg-type]
    for p in victims:
        p.join(60)
        assert p.exitcode == -signal.SIGKILL
    for p in writers:
        p.join(300)
        assert p.exitcode == 0, p.exitcode
    return sorted(f"w{w}-{k}" for w in range(WRITERS) for k in range(EACH))


def test_eight_writers_fifty_cycles_each_with_kills(tmp_path: Path) -> None:
    expected = contend(tmp_path, random.Random(5))
    scan = list_cycles(tmp_path)
    assert scan.notes == (), scan.notes  # no half-written, unreadable cycle
    numbers = [c.number for c in scan.cycles]
    assert len(numbers) == len(set(numbers))
    products = [c.report.context.product for c in scan.cycles]
    assert len(products) == len(set(products)), "a cycle was recorded twice"
    survivors = sorted(p for p in products if p.startswith("w"))
    assert survivors == expected, "a cycle of a surviving writer was lost"
    # A kill may leave a gap in the numbers (a number claimed, then abandoned) but never
    # a file that does not parse or disagrees with its name.
    for path in tmp_path.iterdir():
        if path.suffix == ".json":
            data = json.loads(path.read_text())
            assert f"{data['cycle']['number']:04d}.json" == path.name
