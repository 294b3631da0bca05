"""Benchmark the log gate: throughput (MB/s) and peak memory on a generated log, against floors.

Usage: python benchmarks/logs_bench.py [--size-mb 200] [--runs 3] [--instructions]
       [--count-mb 20] [--json] [--keep DIR]

Generates a realistic deployment log (timestamps, request lines, slow acks, tracebacks, an
error loop, undecodable bytes) into a temporary directory, runs ``run_logs`` on it in a
fresh process (so the generator's memory is not counted) and reports the scan's wall time,
throughput and peak RSS, plus the RSS growth during the scan: a streaming scan stays flat
however large the log. The temporary directory is deleted afterwards.

With ``--runs N`` (the table), two floors are measured in the same run, interleaved with
the gate, medians of N:

* a plain Python block reader: 1 MiB blocks, decoded, each of the contract's 5 regexes
  counting its matches with ``finditer`` (no windows, no error loops, no quotes);
* ``grep -c -E`` with the same 5 patterns, its count written to a file (GNU grep stops at
  the first match when its output is /dev/null, so that would measure nothing).

MB/s CPU is the log's size over the process's user+sys time for the scan (the Python rows
time the scan alone, after imports; grep is timed whole). ``--instructions`` also counts
each row with valgrind (``cachegrind --cache-sim=no``) on a ``--count-mb`` log, minus the
same command on a one-line log (start-up and imports), which the machine's load does not
move.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

CONTRACT = textwrap.dedent("""
    version: 1
    product: {name: bench}
    entrypoint: {path: app.py}
    env:
      required: [{name: BENCH_TOKEN, secret: true}]
    invariants:
      - {id: app, kind: required_files, files: [app.py]}
    observability:
      error_loop_limit: 5
      forbidden_log_patterns:
        - {name: traceback, regex: 'Traceback \\(most recent call last\\)', max: 0}
        - {name: duplicate-processing, regex: 'processed again|duplicate update processed'}
        - {name: passive-unsafe, regex: 'PASSIVE.*(generate|unsafe).*(served|executed)'}
        - {name: slow-ack, regex: 'webhook ack took \\d{4,} ms', max: 3, window_seconds: 300,
           severity: warning}
        - {name: auth-failures, regex: '401 Unauthorized|403 Forbidden', max: 50,
           window_seconds: 60, severity: warning}
""")

# Runs in the measured process: baseline RSS after imports and contract load, then the scan.
SCAN = textwrap.dedent("""
    import json, resource, sys, time
    from pathlib import Path
    from truthgate.contract import load_contract
    from truthgate.app.logs import run_logs
    contract, log = Path(sys.argv[1]), sys.argv[2]
    load_contract(contract)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cpu = time.process_time()
    t = time.perf_counter()
    report = run_logs(contract, log, environ={"BENCH_TOKEN": "bench-secret-value"})
    elapsed = time.perf_counter() - t
    cpu = time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu, "rss_before_kib": before, "rss_peak_kib": peak,
                      "exit_code": report.exit_code, "notes": list(report.notes),
                      "failed": [r.id for r in report.invariants if r.outcome.value == "fail"],
                      "findings": len(report.findings)}))
""")

# The contract's five patterns, for the plain reader (Python syntax) and for grep -E.
PATTERNS = (r"Traceback \(most recent call last\)", r"processed again|duplicate update processed",
            r"PASSIVE.*(generate|unsafe).*(served|executed)", r"webhook ack took \d{4,} ms",
            r"401 Unauthorized|403 Forbidden")
GREP_PATTERNS = tuple(p.replace(r"\d", "[0-9]") for p in PATTERNS)

# The floor: a plain block reader with the same regexes, nothing else.
READER = textwrap.dedent("""
    import json, re, resource, sys, time
    patterns = [re.compile(p) for p in json.loads(sys.argv[2])]
    counts = [0] * len(patterns)
    cpu = time.process_time()
    t = time.perf_counter()
    carry = b""
    with open(sys.argv[1], "rb") as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            cut = chunk.rfind(b"\\n")
            if cut < 0:
                carry += chunk
                continue
            text = (carry + chunk[:cut]).decode("utf-8", "replace")
            carry = chunk[cut + 1:]
            for i, p in enumerate(patterns):
                counts[i] += sum(1 for _ in p.finditer(text))
    text = carry.decode("utf-8", "replace")
    for i, p in enumerate(patterns):
        counts[i] += sum(1 for _ in p.finditer(text))
    elapsed = time.perf_counter() - t
    cpu = time.process_time() - cpu
    print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu, "counts": counts,
                      "rss_peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
""")

_PATHS = ("/webhook", "/health", "/stats", "/admin/stats", "/generate")


def _template(rng: random.Random) -> bytes:
    """About 0.9 MB of log lines for one day; the date is the placeholder ``@DATE@``."""
    second, block = 0, []
    for _ in range(8000):
        second += rng.random() < 0.09
        ts = f"@DATE@T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}." \
             f"{rng.randrange(1000):03d}Z"
        roll = rng.random()
        if roll < 0.90:
            line = (f"{ts} INFO  request id={rng.getrandbits(64):016x} "
                    f"path={rng.choice(_PATHS)} status=200 took {rng.randrange(900)} ms")
        elif roll < 0.95:
            line = f"{ts} WARN  webhook ack took {rng.randrange(200, 2500)} ms"
        elif roll < 0.98:
            line = (f"{ts} ERROR upstream {rng.randrange(8)} refused connection "
                    f"attempt={rng.randrange(99)} id=0x{rng.getrandbits(32):x}")
        elif roll < 0.99:
            line = (f"{ts} ERROR worker crashed\nTraceback (most recent call last):\n"
                    f'  File "app/worker.py", line {rng.randrange(400)}, in run\n'
                    f"RuntimeError: token bench-secret-value rejected")
        elif roll < 0.995:
            line = f"{ts} WARN  GET /admin/stats 401 Unauthorized"
        else:
            line = "continuation without a timestamp \xe9"
        block.append(line.encode("utf-8"))
    block.append(b"\xff\xfe undecodable bytes \xc3")
    return b"\n".join(block) + b"\n"


def generate_log(path: Path, size_bytes: int, seed: int = 7) -> int:
    """Write a log of about ``size_bytes`` to ``path``; return the lines written.

    A few random one-day templates are cycled with the date advancing one day per block,
    so timestamps keep increasing and generation costs next to nothing next to the scan.
    """
    rng = random.Random(seed)
    templates = [_template(rng) for _ in range(4)]
    day = dt.date(2024, 1, 1)
    written = lines = k = 0
    with path.open("wb") as fh:
        while written < size_bytes:
            block = templates[k % len(templates)].replace(b"@DATE@", day.isoformat().encode())
            fh.write(block)
            written += len(block)
            lines += block.count(b"\n")
            day += dt.timedelta(days=1)
            k += 1
    return lines


def measure(size_mb: float, keep: Path | None = None) -> dict[str, object]:
    """Generate, scan in a child process, and return the measurements."""
    with tempfile.TemporaryDirectory(prefix="truthgate-logs-bench-") as tmp:
        root = Path(tmp)
        (root / "product").mkdir()
        (root / "product" / "truth.yaml").write_text(CONTRACT)
        (root / "app.py").write_text("")
        log = (keep or root) / "bench.log"
        lines = generate_log(log, int(size_mb * 1024 * 1024))
        size = log.stat().st_size
        done = subprocess.run([sys.executable, "-c", SCAN, str(root / "product" / "truth.yaml"),
                               str(log)], capture_output=True, text=True, check=True)
        result: dict[str, object] = json.loads(done.stdout)
    seconds = float(result["seconds"])  # type: ignore[arg-type]
    cpu = float(result["cpu_seconds"])  # type: ignore[arg-type]
    result.update(size_bytes=size, lines=lines, mb_per_s=size / 1e6 / seconds,
                  mb_per_cpu_s=size / 1e6 / max(cpu, 1e-9),
                  rss_growth_kib=int(result["rss_peak_kib"]) - int(result["rss_before_kib"]))  # type: ignore[call-overload]
    return result


def _setup(root: Path) -> Path:
    """Write the bench contract under ``root``; return its path."""
    (root / "product").mkdir(exist_ok=True)
    (root / "product" / "truth.yaml").write_text(CONTRACT)
    (root / "app.py").write_text("")
    return root / "product" / "truth.yaml"


GATE = "truthgate logs (scan)"
FLOOR = "plain Python block reader, 5 regexes"


def _commands(contract: Path, log: Path, out: Path) -> dict[str, list[str]]:
    return {
        GATE: [sys.executable, "-c", SCAN, str(contract), str(log)],
        FLOOR: [sys.executable, "-c", READER, str(log), json.dumps(PATTERNS)],
        "grep -c -E, 5 patterns": ["sh", "-c", 'grep -c -E "$@" > "$0"', str(out),
                                   *(a for p in GREP_PATTERNS for a in ("-e", p)), str(log)],
    }


def _run(argv: list[str]) -> tuple[float, float, int]:
    """(wall s, CPU s, peak RSS KiB) of the measured part of one row."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if argv[0] == "sh":  # grep: exit 1 means no line matched, which is still a count
        if done.returncode > 1:
            raise SystemExit(f"grep failed: {done.stderr}")
        return wall, (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime), \
            after.ru_maxrss
    if done.returncode:
        raise SystemExit(f"{argv[:3]} failed: {done.stderr[-2000:]}")
    r = json.loads(done.stdout)
    return float(r["seconds"]), float(r["cpu_seconds"]), int(r["rss_peak_kib"])


def _instructions(argv: list[str]) -> int:
    cmd = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
           "--trace-children=yes", *argv]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    if out.returncode > (1 if argv[0] == "sh" else 0):  # grep: 1 is "no line matched"
        raise SystemExit(f"{argv[:3]} failed under valgrind:\n{out.stderr[-2000:]}")
    counts = re.findall(r"I\s+refs:\s+([\d,]+)", out.stderr)  # one per process (sh, grep)
    if not counts:
        raise SystemExit(f"no instruction count for {argv[:3]}:\n{out.stderr[-2000:]}")
    return sum(int(c.replace(",", "")) for c in counts)


def table(size_mb: float, runs: int, count_mb: float | None) -> dict[str, dict[str, float]]:
    """Every row measured ``runs`` times, interleaved; instructions on a ``count_mb`` log."""
    rows: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="truthgate-logs-bench-") as tmp:
        root = Path(tmp)
        contract = _setup(root)
        log = root / "bench.log"
        generate_log(log, int(size_mb * 1024 * 1024))
        size = log.stat().st_size
        cmds = _commands(contract, log, root / "grep.out")
        samples: dict[str, list[tuple[float, float, int]]] = {name: [] for name in cmds}
        for _ in range(runs):
            for name, argv in cmds.items():
                samples[name].append(_run(argv))
        for name, got in samples.items():
            wall = statistics.median(g[0] for g in got)
            cpu = statistics.median(g[1] for g in got)
            rows[name] = {"wall_s": wall, "cpu_s": cpu, "mb_per_s": size / 1e6 / wall,
                          "mb_per_cpu_s": size / 1e6 / cpu,
                          "rss_mib": max(g[2] for g in got) / 1024}
        if count_mb:
            small, empty = root / "count.log", root / "empty.log"
            generate_log(small, int(count_mb * 1024 * 1024))
            empty.write_bytes(b"2024-01-01T00:00:00Z INFO boot\n")
            for name in cmds:
                full = _instructions(_commands(contract, small, root / "g1")[name])
                base = _instructions(_commands(contract, empty, root / "g2")[name])
                rows[name]["instructions"] = full - base
                rows[name]["instructions_per_byte"] = (full - base) / small.stat().st_size
        rows["_meta"] = {"size_bytes": size, "runs": runs, "count_mb": count_mb or 0}
    return rows


def _print_table(rows: dict[str, dict[str, float]]) -> None:
    meta = rows["_meta"]
    names = [n for n in rows if n != "_meta"]
    floor = rows[FLOOR]
    print(f"log: {meta['size_bytes'] / 1e6:.1f} MB, medians of {int(meta['runs'])} interleaved "
          f"runs; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
          + (f"; instructions on a {meta['count_mb']:g} MiB log" if meta["count_mb"] else ""))
    counted = "instructions" in floor
    head = "| row | wall s | MB/s | CPU s | MB/s CPU | CPU x plain reader | peak RSS MiB |"
    if counted:
        head += " instr/byte | instr x plain reader |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for n in names:
        r = rows[n]
        line = (f"| {n} | {r['wall_s']:.2f} | {r['mb_per_s']:.1f} | {r['cpu_s']:.2f} | "
                f"{r['mb_per_cpu_s']:.1f} | {r['cpu_s'] / floor['cpu_s']:.2f} | {r['rss_mib']:.0f} |")
        if counted:
            line += (f" {r['instructions_per_byte']:.1f} | "
                     f"{r['instructions'] / floor['instructions']:.2f} |")
        print(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=200.0)
    parser.add_argument("--json", action="store_true", help="Print the raw measurements.")
    parser.add_argument("--keep", type=Path, help="Write the log here instead (kept).")
    parser.add_argument("--runs", type=int, default=0,
                        help="Measure the gate and both floors this many times, interleaved.")
    parser.add_argument("--instructions", action="store_true",
                        help="With --runs: also count instructions with valgrind.")
    parser.add_argument("--count-mb", type=float, default=20.0,
                        help="Size of the log the instructions are counted on.")
    parser.add_argument("--check", action="store_true",
                        help="With --runs: exit 1 when the gate's ratios to the plain reader "
                             "regress more than 10%% against kb/benchmarks.md (## logs).")
    args = parser.parse_args(argv)
    if args.runs:
        if args.instructions and shutil.which("valgrind") is None:
            raise SystemExit("valgrind is not installed")
        rows = table(args.size_mb, args.runs, args.count_mb if args.instructions else None)
        if args.json:
            print(json.dumps(rows))
        else:
            _print_table(rows)
        if args.check:
            from checkratios import check
            gate, floor = rows[GATE], rows[FLOOR]
            ok = check("logs", GATE, "CPU x plain reader", gate["cpu_s"] / floor["cpu_s"])
            if "instructions" in gate:
                ok &= check("logs", GATE, "instr x plain reader",
                            gate["instructions"] / floor["instructions"])
            return 0 if ok else 1
        return 0
    r = measure(args.size_mb, args.keep)
    if args.json:
        print(json.dumps(r))
        return 0
    print(f"log:        {int(r['size_bytes']) / 1e6:.1f} MB, {r['lines']} lines")  # type: ignore[call-overload]
    print(f"scan:       {float(r['seconds']):.2f} s  ->  {float(r['mb_per_s']):.1f} MB/s "  # type: ignore[arg-type]
          f"(CPU {float(r['cpu_seconds']):.2f} s -> {float(r['mb_per_cpu_s']):.1f} MB/s; "  # type: ignore[arg-type]
          "wall time suffers first on a busy machine)")
    print(f"peak RSS:   {int(r['rss_peak_kib']) / 1024:.1f} MiB "  # type: ignore[call-overload]
          f"(+{int(r['rss_growth_kib']) / 1024:.1f} MiB during the scan)")  # type: ignore[call-overload]
    print(f"verdict:    exit {r['exit_code']}, failed {r['failed']}, {r['findings']} findings")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
