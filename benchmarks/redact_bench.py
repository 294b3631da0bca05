"""What the redaction boundary costs: its share of a logs run, and of writing a big report.

Usage: python benchmarks/redact_bench.py [--size-mb 200] [--report-kb 1000]

1. The log gate on a generated log (``logs_bench.generate_log``: tracebacks, error loops, a
   secret in the lines), run in this process with ``Redactor.redact`` wrapped by a timer: the
   share of the scan's CPU time spent redacting (every quote, error-loop sample and the
   rendered report go through it).
2. ``scrub`` of a rendered report of ``--report-kb`` (a smoke JSON report's shape: exchanges
   with headers and bodies) with three known secrets, against rendering it (``json.dumps``
   of the same data): the boundary's cost per byte written.
3. The import of ``truthgate.redact`` (its regexes compile at import), in instructions under
   valgrind when it is installed: the share of smoke's start-up (see startup_count.py).
Figures are printed as a Markdown table; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from logs_bench import CONTRACT, generate_log  # noqa: E402

from truthgate import redact  # noqa: E402
from truthgate.redact import Redactor, scrub  # noqa: E402


def logs_share(size_mb: float) -> tuple[float, float, int]:
    """(scan CPU seconds, seconds inside redact, redact calls) for one logs run."""
    from truthgate.app.logs import run_logs

    spent, calls = [0.0], [0]
    original = Redactor.redact

    def timed(self: Redactor, text: str) -> str:
        t = time.process_time()
        try:
            return original(self, text)
        finally:
            spent[0] += time.process_time() - t
            calls[0] += 1

    with tempfile.TemporaryDirectory(prefix="truthgate-redact-bench-") as tmp:
        root = Path(tmp)
        (root / "product").mkdir()
        (root / "product" / "truth.yaml").write_text(CONTRACT, encoding="utf-8")
        (root / "app.py").write_text("print('hi')\n", encoding="utf-8")
        log = root / "app.log"
        generate_log(log, int(size_mb * 1_000_000))
        Redactor.redact = timed  # type: ignore[method-assign]
        try:
            cpu = time.process_time()
            run_logs(root / "product" / "truth.yaml", str(log),
                     environ={"BENCH_TOKEN": "bench-secret-value"})
            cpu = time.process_time() - cpu
        finally:
            Redactor.redact = original  # type: ignore[method-assign]
    return cpu, spent[0], calls[0]


def report_cost(size_kb: int) -> tuple[float, float, int]:
    """(seconds to render, seconds to scrub, bytes) for a report of about ``size_kb``."""
    secrets = ["Kq7Vw2Rm9XzT4pLb8NcYh", "Pz4Hs9Lq2Wd7Xr5Tn8Bv", "tok-abcdef-123456"]
    redact.install(Redactor(secrets))
    step = {"name": "GET /orders", "outcome": "fail", "failures": ["status: expected 200"],
            "exchange": {"method": "GET", "url": "http://127.0.0.1:8000/orders?page=2",
                         "request_headers": [["Authorization", "***"], ["X-Key", "***"]],
                         "response_headers": [["content-type", "application/json"]],
                         "response_body": json.dumps({"items": list(range(60)),
                                                      "note": "an ordinary body " * 8})}}
    steps = []
    size = 0
    while size < size_kb * 1000:
        steps.append(step)
        size += len(json.dumps(step))
    t = time.perf_counter()
    text = json.dumps({"scenarios": [{"id": "S1", "steps": steps}]}, indent=2)
    rendered = time.perf_counter() - t
    t = time.perf_counter()
    scrub(text)
    scrubbed = time.perf_counter() - t
    redact.install(Redactor())
    return rendered, scrubbed, len(text)


def import_instructions() -> tuple[int, int] | None:
    """Instructions of ``python -c pass`` and of importing truthgate.redact, or None."""
    if shutil.which("valgrind") is None:
        return None

    def count(code: str) -> int:
        done = subprocess.run(["valgrind", "--tool=cachegrind", "--cache-sim=no",
                               "--cachegrind-out-file=/dev/null", sys.executable, "-c", code],
                              capture_output=True, text=True, check=True)
        line = next(ln for ln in done.stderr.splitlines() if "I   refs" in ln or "I refs" in ln)
        return int(line.rsplit(":", 1)[1].replace(",", "").strip())

    return count("pass"), count("import truthgate.redact")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=200.0)
    parser.add_argument("--report-kb", type=int, default=1000)
    args = parser.parse_args()
    cpu, spent, calls = logs_share(args.size_mb)
    rendered, scrubbed, size = report_cost(args.report_kb)
    print("| measure | figure |")
    print("|---|---:|")
    print(f"| logs run, {args.size_mb:.0f} MB: scan CPU | {cpu:.2f} s |")
    print(f"| logs run: inside redact ({calls} calls) | {spent * 1000:.1f} ms "
          f"({100 * spent / cpu:.2f}% of the scan) |")
    print(f"| report of {size / 1000:.0f} kB: render (json.dumps) | {rendered * 1000:.1f} ms |")
    print(f"| same report: scrub with 3 secrets | {scrubbed * 1000:.1f} ms "
          f"({size / 1e6 / scrubbed:.0f} MB/s) |")
    counts = import_instructions()
    if counts is not None:
        base, with_redact = counts
        print(f"| import truthgate.redact | {(with_redact - base) / 1e6:.1f}M instructions |")


if __name__ == "__main__":
    main()
