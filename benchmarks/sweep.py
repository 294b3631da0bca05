"""The long reliability sweep of issue 5 (parts 1-4 and 6): one command, figures at the end.

    .venv/bin/python benchmarks/sweep.py                 # 10,000 contracts, 3 rounds of the rest
    .venv/bin/python benchmarks/sweep.py --contracts 500 --rounds 1   # a quick look

Parts:
1. contracts: hypothesis-generated mutated contracts and raw bytes through the loader's
   oracle (tests/reliability/fuzz.py); every failing input is saved under --failures.
2. hostile trees: every case of tests/reliability/trees.py, --rounds times, via run_verify.
3/6. hostile servers and safety rails: the pytest files, --rounds times (real processes);
   with issue 18's production rails, contract-runs, bounded-reads and false-greens files.
4. canaries: smoke against a header-reflecting server and verify, every format with --out
   files, a fresh canary per round; the figure is the number of canary bytes found.
5. concurrent cycles: 8 writers x 50 cycles into one ledger while victims are SIGKILLed
   mid-write, --rounds times; the figures are cycles lost, duplicated and unreadable.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from reliability.fuzz import check_contract, contract_bytes  # noqa: E402
from reliability.trees import HOSTILE, check_tree, healthy  # noqa: E402


def sweep_contracts(n: int, failures_dir: Path) -> tuple[int, int]:
    tried, failed = 0, 0
    work = Path(tempfile.mkdtemp(prefix="sweep-contracts-")) / "product"
    work.mkdir()
    path = work / "truth.yaml"

    @settings(max_examples=n, deadline=None, database=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(data=contract_bytes())
    def one(data: bytes) -> None:
        nonlocal tried, failed
        tried += 1
        started = time.monotonic()
        try:
            check_contract(path, data)
        except Exception:  # noqa: BLE001 - every failure is recorded, the sweep goes on
            failed += 1
            name = hashlib.sha256(data).hexdigest()[:16]
            failures_dir.mkdir(parents=True, exist_ok=True)
            (failures_dir / f"contract-{name}.yaml").write_bytes(data)
            (failures_dir / f"contract-{name}.txt").write_text(traceback.format_exc())
        took = time.monotonic() - started
        if took > 30:
            failed += 1
            print(f"  slow contract ({took:.1f} s) saved", file=sys.stderr)
            failures_dir.mkdir(parents=True, exist_ok=True)
            (failures_dir / f"slow-{hashlib.sha256(data).hexdigest()[:16]}.yaml").write_bytes(data)
        if tried % 1000 == 0:
            print(f"  contracts: {tried} tried, {failed} failed", file=sys.stderr, flush=True)

    one()
    return tried, failed


def sweep_trees(rounds: int) -> tuple[int, int, int]:
    tried = failed = skipped = 0
    for _ in range(rounds):
        for name, build in HOSTILE.items():
            if name == "unreadable-files" and os.geteuid() == 0:
                skipped += 1  # root reads chmod-000 files: the case cannot be exercised
                continue
            root = Path(tempfile.mkdtemp(prefix="sweep-tree-")) / "repo"
            root.mkdir()
            healthy(root)
            tried += 1
            try:
                check_tree(root, build(root))
            except Exception:  # noqa: BLE001
                failed += 1
                print(f"  tree case {name} failed:\n{traceback.format_exc()}", file=sys.stderr)
    return tried, failed, skipped


_SUMMARY = re.compile(r"(\d+) (passed|failed|xfailed|skipped|error|errors|xpassed)")


def sweep_pytest(files: list[str], rounds: int) -> dict[str, int]:
    totals: dict[str, int] = {}
    for _ in range(rounds):
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *files],
            cwd=REPO, capture_output=True, text=True, timeout=3600, check=False,
            env={**os.environ, "TRUTHGATE_SWEEP": "1"})
        tail = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
        for count, word in _SUMMARY.findall(tail):
            totals[word] = totals.get(word, 0) + int(count)
        if proc.returncode != 0:
            print(proc.stdout[-4000:], file=sys.stderr)
    return totals


def sweep_canaries(rounds: int) -> tuple[int, int]:
    """(runs, canary bytes found) over smoke + verify in every format with --out files."""
    from reliability.hostile_server import hostile
    from reliability.test_canaries import FORMATS, SMOKE
    from typer.testing import CliRunner

    from truthgate.cli.main import app

    runs = found = 0
    for _ in range(rounds):
        value = "cnry" + secrets.token_hex(14)
        env = {"APP_TOKEN": value, "DEMO_ADMIN_TOKEN": value, "NO_COLOR": "1"}
        work = Path(tempfile.mkdtemp(prefix="sweep-canary-"))
        (work / "product").mkdir()
        contract = work / "product" / "truth.yaml"
        contract.write_text(SMOKE)
        repo = work / "repo"
        repo.mkdir()
        healthy(repo)
        logs = Path(tempfile.mkdtemp(prefix="sweep-server-log-"))  # holds the canary, by design
        with hostile("reflect", logs, arg="500") as srv:
            for fmt in FORMATS:
                for args in (["smoke", "-c", str(contract), "-u", srv.url, "--allow-unsafe"],
                             ["verify", "-c", str(repo / "product" / "truth.yaml")]):
                    outs = [a for f in FORMATS
                            for a in ("--out", f"{f}:{work / f'{args[0]}-{fmt}.{f}'}")]
                    result = CliRunner().invoke(app, [*args, "-f", fmt, *outs], env=env)
                    runs += 1
                    found += result.output.count(value) * len(value)
        for path in work.glob("*-*.*"):  # the --out files only
            found += path.read_bytes().count(value.encode()) * len(value)
    return runs, found


def sweep_cycles(rounds: int) -> tuple[int, int, int, int]:
    """(cycles expected, lost, duplicated, unreadable files) over ``rounds`` contended runs."""
    import random

    from reliability.test_concurrent_cycles import contend

    from truthgate.cycles.ledger import list_cycles

    expected = lost = duplicated = unreadable = 0
    rng = random.Random(11)
    for _ in range(rounds):
        ledger = Path(tempfile.mkdtemp(prefix="sweep-cycles-"))
        wanted = set(contend(ledger, rng))
        scan = list_cycles(ledger)
        products = [c.report.context.product for c in scan.cycles]
        expected += len(wanted)
        lost += len(wanted - set(products))
        duplicated += len(products) - len(set(products))
        unreadable += len(scan.notes)
    return expected, lost, duplicated, unreadable


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--contracts", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--failures", type=Path, default=REPO / "benchmarks" / ".sweep-failures")
    opts = ap.parse_args()
    started = time.monotonic()
    print(f"sweep: {opts.contracts} contracts, {opts.rounds} rounds", file=sys.stderr)
    c_tried, c_failed = sweep_contracts(opts.contracts, opts.failures)
    t_tried, t_failed, t_skipped = sweep_trees(opts.rounds)
    here = "tests/reliability/"
    # Issue 18 adds the production rails, contracts that must run, bounded reads and
    # unexamined Python: real processes and files too, so they belong with the servers.
    servers = sweep_pytest([here + name for name in (
        "test_hostile_servers.py", "test_safety_rails.py", "test_production_rails.py",
        "test_contract_runs.py", "test_bounded_reads.py", "test_false_greens.py",
        "test_untrusted_contract.py", "test_bounded_work.py")],
        opts.rounds)
    # Contracts generated from the schema, through validate, verify and smoke (400 examples
    # under TRUTHGATE_SWEEP; one round: the examples are derandomized).
    schema_runs = sweep_pytest([here + "test_schema_contracts.py"], 1)
    k_runs, k_found = sweep_canaries(opts.rounds)
    canary_tests = sweep_pytest([here + "test_canaries.py"], 1)
    cy_expected, cy_lost, cy_dup, cy_bad = sweep_cycles(opts.rounds)
    s_failed = servers.get("failed", 0) + servers.get("error", 0) + servers.get("errors", 0)
    k_failed = canary_tests.get("failed", 0)
    g_failed = schema_runs.get("failed", 0) + schema_runs.get("error", 0)
    print()
    print(f"contracts tried:        {c_tried} ({c_failed} failed; inputs in {opts.failures})")
    print(f"hostile trees tried:    {t_tried} ({t_failed} failed, {t_skipped} skipped as root)")
    print(f"hostile server/rail cases: {servers.get('passed', 0) + s_failed} "
          f"({s_failed} failed, {servers.get('xfailed', 0)} known bugs xfailed)")
    print(f"hostile cases tried:    {t_tried + servers.get('passed', 0) + s_failed}")
    print(f"schema-generated runs:  {sum(schema_runs.values())} tests, 400 contracts x "
          f"validate/verify/smoke ({g_failed} failed)")
    print(f"canary runs:            {k_runs} CLI runs x 6 --out files, "
          f"+ {sum(canary_tests.values())} canary tests ({k_failed} failed)")
    print(f"canary bytes found:     {k_found}")
    print(f"cycles recorded:        {cy_expected} by surviving writers, with SIGKILLed "
          "writers alongside")
    print(f"cycles lost:            {cy_lost} (duplicated {cy_dup}, unreadable {cy_bad})")
    print(f"wall time:              {time.monotonic() - started:.0f} s")
    bad = (c_failed + t_failed + s_failed + k_failed + k_found + cy_lost + cy_dup + cy_bad
           + g_failed)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
