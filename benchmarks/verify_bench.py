"""Benchmark `truthgate verify` against the parse floor and peer tools on a Django corpus.

Usage: python benchmarks/verify_bench.py [--runs N] [--quiet-load L] [--no-peers] [--no-growth]

Every measurement is a whole process (interpreter start-up included): the real `truthgate
verify` command line, with a contract that turns on every AST-based invariant and the import
graph. Measurements are interleaved round by round (floor, cold, warm, ... then again) so a
load spike from other work on the machine hits every row alike; the table shows medians of
wall and CPU time (user+sys of the whole process tree), ratios to the floor, and the largest
peak RSS seen. The 1-minute load average is printed before and after: on a shared 2-core
machine wall times are only comparable when it is low, so ``--quiet-load`` waits (up to ten
minutes) for it to drop below a threshold first.

Corpora are installed with pip on first use (no dependencies, no bytecode) under
benchmarks/.corpus/: Django alone, and Django + SymPy for growth. Peers (bandit, grimp) go
into their own virtual environment, benchmarks/.venv-peers, never into the project's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPORA = HERE / ".corpus"
PEERS = HERE / ".venv-peers"
DJANGO = "django==5.2.19"
SYMPY = "sympy==1.14.0"
PY = sys.executable
BIN = Path(PY).parent

# Runs a command; reports wall time, CPU time and peak RSS of its process tree (KiB, Linux).
_WRAPPER = textwrap.dedent(
    """
    import resource, subprocess, sys, time
    t = time.perf_counter()
    rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL).returncode
    dt = time.perf_counter() - t
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(dt, ru.ru_utime + ru.ru_stime, ru.ru_maxrss, rc)
    """
)

# The floor: one process that reads and parses every .py file, nothing else.
_FLOOR = textwrap.dedent(
    """
    import ast, os, sys
    for d, dirs, files in os.walk(sys.argv[1]):
        dirs[:] = [x for x in dirs if x != ".truthgate_cache"]
        for f in files:
            if f.endswith(".py"):
                with open(os.path.join(d, f), "rb") as fh:
                    try:
                        ast.parse(fh.read())
                    except SyntaxError:
                        pass
    """
)

# grimp builds the import graph of the named top-level packages found on sys.path.
_GRIMP = "import sys, grimp; grimp.build_graph(*sys.argv[1:], cache_dir=None)"

# Every AST-based kind and the import graph (cycles, and a transitive layering rule).
_CONTRACT = textwrap.dedent(
    """\
    version: 1
    product:
      name: verify-bench
    entrypoint:
      path: django/__main__.py
    invariants:
      - {id: python-syntax, kind: python_syntax}
      - {id: no-wildcard-imports, kind: no_wildcard_imports}
      - {id: no-import-cycles, kind: no_import_cycles}
      - id: layering
        kind: forbidden_imports
        rules:
          - {from: ["django.db*"], forbid: ["django.contrib.admin*"], transitive: true}
      - {id: env-contract, kind: env_contract}
      - {id: no-hardcoded-secrets, kind: no_hardcoded_secrets}
      - {id: no-cors-wildcard, kind: no_cors_wildcard}
      - {id: no-dev-server, kind: no_dev_server}
      - {id: no-runtime-schema-create, kind: no_runtime_schema_create}
      - {id: http-timeouts, kind: http_timeouts}
      - {id: no-secret-logging, kind: no_secret_logging}
      - {id: max-file-lines, kind: max_file_lines}
      - {id: single-entrypoint, kind: single_entrypoint}
    """
)


@dataclass
class Row:
    name: str
    cmd: list[str]
    before: list[str] | None = None
    runs: int | None = None  # None: every round
    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    peak_kib: int = 0
    rcs: set[int] = field(default_factory=set)


def _pip(target: Path, *reqs: str) -> None:
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [PY, "-m", "pip", "install", "-q", "--no-deps", "--no-compile", "--target",
         str(target), *reqs],
        check=True,
    )


def ensure_corpora(growth: bool) -> tuple[Path, Path | None]:
    """Django alone and (optionally) Django + SymPy, installed unless already there."""
    django = CORPORA / "django"
    if not (django / "django" / "__init__.py").exists():
        _pip(django, DJANGO)
    if not growth:
        return django, None
    both = CORPORA / "django+sympy"
    if not (both / "sympy" / "__init__.py").exists():
        _pip(both, DJANGO, SYMPY)
    return django, both


def ensure_peers() -> Path | None:
    """A separate venv with bandit, grimp and import-linter (None when it cannot be built)."""
    bindir = PEERS / "bin"
    if not (bindir / "bandit").exists():
        try:
            subprocess.run([PY, "-m", "venv", str(PEERS)], check=True)
            # The peers' sources must not count as this repository's files.
            (PEERS / ".gitignore").write_text("*\n")
            subprocess.run([str(bindir / "pip"), "install", "-q", "bandit", "grimp",
                            "import-linter"], check=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            print(f"peers unavailable: {exc}", file=sys.stderr)
            return None
    (PEERS / ".gitignore").write_text("*\n")
    return bindir


def corpus_size(root: Path) -> tuple[int, int]:
    files = [p for p in root.rglob("*.py") if ".truthgate_cache" not in p.parts]
    return len(files), sum(p.read_bytes().count(b"\n") for p in files)


def _py(code: str) -> list[str]:
    return [PY, "-c", code]


def verify_rows(label: str, corpus: Path, contract: Path) -> list[Row]:
    """Cold, warm, touched and edited runs of the real command line on ``corpus``."""
    cache = corpus / ".truthgate_cache"
    verify = [str(BIN / "truthgate"), "verify", "--contract", str(contract), "--root",
              str(corpus)]
    victim = corpus / "django" / "db" / "models" / "query.py"
    clear = _py(f"import shutil; shutil.rmtree({str(cache)!r}, ignore_errors=True)")
    touch = _py(f"import os; os.utime({str(victim)!r})")
    # Flip a trailing comment: the content really changes, so that one file is re-parsed
    # and every invariant runs again from facts (the other files come from the cache).
    edit = _py(textwrap.dedent(f"""
        from pathlib import Path
        p = Path({str(victim)!r}); t = p.read_text()
        mark = "# verify-bench edit\\n"
        p.write_text(t[: -len(mark)] if t.endswith(mark) else t + mark)
        """))
    return [
        Row(f"{label}: truthgate verify, cold (no cache)", verify, clear),
        Row(f"{label}: truthgate verify, warm (nothing changed)", verify),
        Row(f"{label}: truthgate verify, warm after touching one file", verify, touch),
        Row(f"{label}: truthgate verify, after editing one file", verify, edit),
    ]


def restore(corpus: Path) -> None:
    victim = corpus / "django" / "db" / "models" / "query.py"
    text = victim.read_text()
    mark = "# verify-bench edit\n"
    if text.endswith(mark):
        victim.write_text(text[: -len(mark)])


def measure_once(row: Row) -> None:
    if row.before:
        subprocess.run(row.before, check=True)
    out = subprocess.run([PY, "-c", _WRAPPER, *row.cmd], capture_output=True, text=True,
                         check=True)
    wall, cpu, rss, rc = out.stdout.split()
    row.walls.append(float(wall))
    row.cpus.append(float(cpu))
    row.peak_kib = max(row.peak_kib, int(rss))
    row.rcs.add(int(rc))


def load1() -> float:
    return os.getloadavg()[0]


def wait_for_quiet(threshold: float, limit_s: float = 600) -> None:
    deadline = time.monotonic() + limit_s
    while load1() > threshold and time.monotonic() < deadline:
        time.sleep(15)


def main() -> int:
    """Run every measurement and print a markdown table (with --check: 1 on a regression)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--peer-runs", type=int, default=3, help="runs of the slow peers")
    ap.add_argument("--quiet-load", type=float, default=0.0,
                    help="first wait (up to 10 min) for the 1-minute load to drop below this")
    ap.add_argument("--no-peers", action="store_true")
    ap.add_argument("--no-growth", action="store_true")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 when a truthgate row's 'CPU x floor' regresses more than 10%% "
                         "against the same row in kb/benchmarks.md (## verify)")
    args = ap.parse_args()
    django, both = ensure_corpora(not args.no_growth)
    peers = None if args.no_peers else ensure_peers()
    contract = CORPORA / "bench-truth.yaml"
    contract.write_text(_CONTRACT)

    floor = Row("floor: read + ast.parse every file, one process", _py(_FLOOR) + [str(django)])
    rows = [floor, *verify_rows("Django", django, contract)]
    growth_floor = None
    if both is not None:
        growth_floor = Row("growth floor: read + ast.parse, Django + SymPy",
                           _py(_FLOOR) + [str(both)])
        rows += [growth_floor, *verify_rows("Django + SymPy", both, contract)[:2]]
    ruff = BIN / "ruff"
    if ruff.exists():
        rows.append(Row("ruff check --no-cache --select F403 (wildcard imports)",
                        [str(ruff), "check", "--no-cache", "--select", "F403", "--exit-zero",
                         str(django)]))
    if peers is not None:
        rows.append(Row("bandit -r (security linter)", [str(peers / "bandit"), "-q", "-r",
                                                        str(django)], runs=args.peer_runs))
        env_py = str(peers / "python")
        rows.append(Row("grimp.build_graph('django') (import graph)",
                        ["env", f"PYTHONPATH={django}", env_py, "-c", _GRIMP, "django"],
                        runs=args.peer_runs))

    if args.quiet_load:
        wait_for_quiet(args.quiet_load)
    load_before = os.getloadavg()
    try:
        for i in range(args.runs):
            for row in rows:
                if row.runs is None or i < row.runs:
                    measure_once(row)
    finally:
        restore(django)
        if both is not None:
            restore(both)
    load_after = os.getloadavg()

    n_files, n_lines = corpus_size(django)
    print(f"verify benchmark, {date.today().isoformat()}: corpus {DJANGO} ({n_files} .py "
          f"files, {n_lines} lines); {os.cpu_count()} CPUs; Python "
          f"{sys.version.split()[0]}; medians of {args.runs} interleaved runs "
          f"({args.peer_runs} for bandit/grimp).")
    print(f"Load average (1/5/15 min) before: {' '.join(f'{x:.2f}' for x in load_before)}; "
          f"after: {' '.join(f'{x:.2f}' for x in load_after)}.\n")
    base_wall = statistics.median(floor.walls)
    base_cpu = statistics.median(floor.cpus)
    print("| measurement | wall s | x floor | CPU s | CPU x floor | peak RSS MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in rows:
        if not row.walls:
            continue
        wall, cpu = statistics.median(row.walls), statistics.median(row.cpus)
        print(f"| {row.name} | {wall:.3f} | {wall / base_wall:.2f} | {cpu:.3f} | "
              f"{cpu / base_cpu:.2f} | {row.peak_kib / 1024:.0f} |")
    ok = True
    if args.check:
        from checkratios import check
        for row in rows:
            if row.walls and "truthgate verify" in row.name:
                ratio = statistics.median(row.cpus) / base_cpu
                ok &= check("verify", row.name, "CPU x floor", ratio)
    if both is not None and growth_floor is not None:
        g_files, _ = corpus_size(both)
        cold = next(r for r in rows if r.name.startswith("Django + SymPy") and "cold" in r.name)
        d_cold = rows[1]
        print(f"\nGrowth: {g_files / n_files:.2f}x the files; floor "
              f"{statistics.median(growth_floor.walls) / base_wall:.2f}x; truthgate verify "
              f"cold {statistics.median(cold.walls) / statistics.median(d_cold.walls):.2f}x "
              f"(wall), {statistics.median(cold.cpus) / statistics.median(d_cold.cpus):.2f}x "
              "(CPU).")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
