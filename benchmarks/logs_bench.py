"""Benchmark the log gate: throughput (MB/s) and peak memory on a generated log.

Usage: python benchmarks/logs_bench.py [--size-mb 200] [--json] [--keep DIR]

Generates a realistic deployment log (timestamps, request lines, slow acks, tracebacks, an
error loop, undecodable bytes) into a temporary directory, runs ``run_logs`` on it in a
fresh process (so the generator's memory is not counted) and reports the scan's wall time,
throughput and peak RSS, plus the RSS growth during the scan: a streaming scan stays flat
however large the log. The temporary directory is deleted afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import subprocess
import sys
import tempfile
import textwrap
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=200.0)
    parser.add_argument("--json", action="store_true", help="Print the raw measurements.")
    parser.add_argument("--keep", type=Path, help="Write the log here instead (kept).")
    args = parser.parse_args(argv)
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
