"""Benchmark `truthgate verify` against the parse floor and peer tools on a Django corpus.

Usage: python benchmarks/verify_bench.py [--runs N] [--corpus DIR]

Every measurement is a whole process (start-up included), repeated N times; the table shows
medians and the largest peak RSS seen. The corpus is Django at a pinned version, installed
with pip on first use into benchmarks/.corpus/django (no dependencies, no bytecode).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import textwrap
from pathlib import Path

HERE = Path(__file__).resolve().parent
DJANGO = "django==5.2.*"
PY = sys.executable

# Runs a command and reports wall time and the peak RSS of its process tree (KiB, Linux).
_WRAPPER = textwrap.dedent(
    """
    import resource, subprocess, sys, time
    t = time.perf_counter()
    out = subprocess.DEVNULL
    rc = subprocess.run(sys.argv[1:], stdout=out, stderr=out).returncode
    dt = time.perf_counter() - t
    print(dt, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, rc)
    """
)

_FLOOR = textwrap.dedent(
    """
    import ast, os, sys
    for d, dirs, files in os.walk(sys.argv[1]):
        for f in files:
            if f.endswith(".py"):
                with open(os.path.join(d, f), "rb") as fh:
                    try:
                        ast.parse(fh.read())
                    except SyntaxError:
                        pass
    """
)

# Every AST-based kind the catalogue has, with parameters that make it do real work.
_VERIFY = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from truthgate.contract.model import *
    from truthgate.verify.engine import run_verify
    from truthgate.verify.kinds import get_kind
    RAW = {
        "forbidden_imports": {"rules": [{"from": ["django.db"], "forbid": ["django.contrib.admin"],
                                          "transitive": True}]},
    }
    KINDS = ["python_syntax", "no_wildcard_imports", "no_import_cycles", "forbidden_imports",
             "env_contract", "no_hardcoded_secrets", "no_cors_wildcard", "no_dev_server",
             "no_runtime_schema_create", "http_timeouts", "no_secret_logging", "max_file_lines"]
    specs = []
    for k in KINDS:
        try:
            specs.append(InvariantSpec(k, k, params=get_kind(k).parse_params(RAW.get(k, {}))))
        except Exception as exc:
            print("skipping", k, exc, file=sys.stderr)
    root = Path(sys.argv[1])
    c = Contract(1, Product("bench"), Entrypoint("django/__main__.py"), Env(), Kb(), Legacy(),
                 tuple(specs), root=root)
    report = run_verify(c)
    print(report.notes[0], file=sys.stderr)
    """
)


def ensure_corpus(corpus: Path) -> Path:
    """Install the pinned Django into ``corpus`` unless it is already there."""
    if not (corpus / "django" / "__init__.py").exists():
        corpus.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [PY, "-m", "pip", "install", "-q", "--no-deps", "--no-compile",
             "--target", str(corpus), DJANGO],
            check=True,
        )
    return corpus


def measure(cmd: list[str], runs: int, before: list[str] | None = None) -> tuple[float, int]:
    """(median seconds, max peak RSS KiB) over ``runs`` runs; ``before`` runs untimed first."""
    times, peaks = [], []
    for _ in range(runs):
        if before:
            subprocess.run(before, check=True)
        out = subprocess.run([PY, "-c", _WRAPPER, *cmd], capture_output=True, text=True, check=True)
        dt, rss, _rc = out.stdout.split()
        times.append(float(dt))
        peaks.append(int(rss))
    return statistics.median(times), max(peaks)


def main() -> None:
    """Run every measurement and print a markdown table."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--corpus", type=Path, default=HERE / ".corpus" / "django")
    args = ap.parse_args()
    corpus = ensure_corpus(args.corpus)
    files = [p for p in corpus.rglob("*.py") if ".truthgate_cache" not in p.parts]
    lines = sum(p.read_bytes().count(b"\n") for p in files)
    cache = corpus / ".truthgate_cache"
    clear = [PY, "-c", f"import shutil; shutil.rmtree({str(cache)!r}, ignore_errors=True)"]
    victim = corpus / "django" / "db" / "models" / "query.py"
    touch = [PY, "-c", f"import os; os.utime({str(victim)!r})"]
    verify = [PY, "-c", _VERIFY, str(corpus)]

    rows: list[tuple[str, float, int]] = []
    floor, rss = measure([PY, "-c", _FLOOR, str(corpus)], args.runs)
    rows.append(("floor: read + ast.parse, one process", floor, rss))
    rows.append(("truthgate verify, cold (no cache)", *measure(verify, args.runs, clear)))
    subprocess.run(verify, check=True, capture_output=True)
    rows.append(("truthgate verify, warm", *measure(verify, args.runs)))
    rows.append(("truthgate verify, warm after touching one file",
                 *measure(verify, args.runs, touch)))
    if shutil.which("ruff"):
        rows.append(("ruff check --select F403 (wildcard imports)", *measure(
            ["ruff", "check", "--no-cache", "--select", "F403", "--exit-zero", str(corpus)],
            args.runs)))
    if shutil.which("bandit"):
        bandit = ["bandit", "-q", "-r", str(corpus)]
        rows.append(("bandit -r", *measure(bandit, max(1, args.runs // 2))))

    print(f"Corpus: {DJANGO}, {len(files)} .py files, {lines} lines; "
          f"{os.cpu_count()} CPUs; medians of {args.runs} runs.\n")
    print("| measurement | median s | x floor | peak RSS MiB |")
    print("|---|---:|---:|---:|")
    for name, secs, peak in rows:
        print(f"| {name} | {secs:.3f} | {secs / floor:.2f} | {peak / 1024:.0f} |")


if __name__ == "__main__":
    main()
