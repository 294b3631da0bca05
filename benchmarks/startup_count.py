"""Start-up counted in instructions: a figure this noisy VM cannot blur.

    .venv/bin/python benchmarks/startup_count.py [--no-tavern] [--parts]

The wall-clock start-up in ``smoke_bench.py`` swings 5-10x here from one run to the next
(the VM stalls). The number of instructions a process executes does not: each command
runs under valgrind (cachegrind without cache simulation, ~50x slower) until its first
outbound TCP connect, where a hook ends it, and the row is the instructions executed
(valgrind's ``I refs``): interpreter start, imports, contract loading, client set-up.
Rows:

- ``python -c pass``: the interpreter alone;
- ``floor``: a plain script with a raw ``httpx.Client`` sending one GET (what
  ``smoke_bench.py``'s floor does before its first request);
- ``truthgate smoke -s S0``: the demo contract's health scenario;
- ``truthgate smoke, 900 steps``: the bench's generated 90 x 10 contract;
- ``tavern``: Tavern on one stage (if ``benchmarks/.venv-peers`` exists; ``smoke_bench.py``
  installs it).

``--parts`` adds what some dependencies cost on their own (instructions of importing them
after httpx, typer and truthgate's CLI), to show where the rest goes.

Instructions are not time: a process that reads many files (pytest's plugin discovery)
spends time the count does not see. Compare rows of one run; to turn a count into time
on a machine, time ``python -c pass`` and the floor there.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PEERS_PY = ROOT / "benchmarks" / ".venv-peers" / "bin" / "python"
DEMO_CONTRACT = ROOT / "examples" / "demo" / "product" / "truth.yaml"
URL = "http://127.0.0.1:9"  # never reached: the process ends at its first connect

# Ends the process at its first outbound connect. Every client here (httpx's sync and
# async paths, requests) ends up in socket.socket.connect, which asyncio also calls for a
# non-blocking connect; patching the class method catches them all.
HOOK = '''\
import os, runpy, socket, sys

def _first_connect(self, *args):
    sys.stdout.flush()
    os._exit(0)

socket.socket.connect = _first_connect
if sys.argv[1] == "-m":
    sys.argv = [sys.argv[2], *sys.argv[3:]]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
else:
    sys.argv = sys.argv[1:]
    runpy.run_path(sys.argv[0], run_name="__main__")
'''

FLOOR = f'''\
import httpx
with httpx.Client(trust_env=False) as c:
    c.get("{URL}/health")
'''


def _count(argv: list[str], cwd: Path, env: dict[str, str]) -> int:
    """Instructions ``argv`` executes, from valgrind's summary."""
    cmd = ["valgrind", "--tool=cachegrind", "--cache-sim=no",
           "--cachegrind-out-file=/dev/null", *argv]
    out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    m = re.search(r"I\s+refs:\s+([\d,]+)", out.stderr)
    if not m:
        raise SystemExit(f"no instruction count for {' '.join(argv)}:\n{out.stderr[-2000:]}")
    return int(m.group(1).replace(",", ""))


def _rows(tmp: Path, tavern: bool, parts: bool) -> list[tuple[str, list[str], Path]]:
    py = sys.executable
    hook = str(tmp / "hook.py")
    smoke = [py, hook, "-m", "truthgate", "smoke", "-u", URL, "-f", "json"]
    rows = [
        ("python -c pass", [py, "-c", "pass"], tmp),
        ("floor (raw httpx.Client, 1 GET)", [py, hook, str(tmp / "floor.py")], tmp),
        ("truthgate smoke -s S0 (demo contract)",
         [*smoke, "-c", str(DEMO_CONTRACT), "-s", "S0"], ROOT),
        ("truthgate smoke, 900 steps", [*smoke, "-c", str(tmp / "truth.yaml")], tmp),
    ]
    if tavern and PEERS_PY.exists():
        rows.append(("tavern, 1 stage", [str(PEERS_PY), hook, "-m", "pytest", "-q", "-p",
                                         "no:cacheprovider", "test_one.tavern.yaml"], tmp))
    if parts:
        base = "import httpx, typer, truthgate.cli.main"
        for name, extra in (("(base: httpx + typer + truthgate.cli)", ""),
                            ("+ pydantic, as typer's parser loads it", ", typer._adapters"),
                            ("+ jsonschema", ", jsonschema"),
                            ("+ anyio's asyncio backend (httpcore's locks)",
                             ", anyio._backends._asyncio")):
            rows.append((f"import {name}", [py, "-c", base + extra], tmp))
    return rows


def _write_inputs(tmp: Path) -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import smoke_bench

    smoke_bench._write_inputs(tmp, 90, 10)
    (tmp / "hook.py").write_text(HOOK)
    (tmp / "floor.py").write_text(FLOOR)
    (tmp / "test_one.tavern.yaml").write_text(
        "test_name: one\nstages:\n  - name: health\n    request:\n"
        f"      url: \"{URL}/health\"\n      method: GET\n    response:\n"
        "      status_code: 200\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-tavern", action="store_true")
    ap.add_argument("--parts", action="store_true")
    ap.add_argument("--jobs", type=int, default=2, help="valgrind runs at once")
    args = ap.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed: this bench counts instructions with it")
    env = {**os.environ, "DEMO_ADMIN_TOKEN": "bench-token", "BENCH_URL": URL}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed tools run: bytecode cached
    with tempfile.TemporaryDirectory(prefix="startup-count-") as t:
        tmp = Path(t)
        _write_inputs(tmp)
        rows = _rows(tmp, not args.no_tavern, args.parts)
        for _name, argv, cwd in rows:  # unmeasured: write bytecode and the contract cache
            subprocess.run(argv, cwd=cwd, env=env, capture_output=True, timeout=300)
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            counts = list(pool.map(lambda r: _count(r[1], r[2], env), rows))
    floor = counts[1]
    print("| process, up to its first connect | instructions (M) | x floor |")
    print("|---|---:|---:|")
    for (name, _argv, _cwd), n in zip(rows, counts):
        print(f"| {name} | {n / 1e6:,.0f} | {n / floor:.2f} |")


if __name__ == "__main__":
    main()
