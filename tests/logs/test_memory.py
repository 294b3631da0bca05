"""The log gate streams: a ~50 MB log is scanned with flat memory, in a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "logs_bench.py"


@pytest.mark.slow  # about 50 MB through the whole gate: seconds, not milliseconds
def test_a_50_mb_log_scans_in_bounded_memory() -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--size-mb", "50", "--json"],
                          capture_output=True, text=True, timeout=900, check=True)
    r = json.loads(done.stdout)
    assert r["size_bytes"] > 50_000_000 and r["lines"] > 500_000
    # Holding the log (or its lines) would add well over 50 MB; streaming adds a few.
    assert r["rss_growth_kib"] < 32 * 1024, r
    assert r["rss_peak_kib"] < 150 * 1024, r
    # The generated log has tracebacks and an error loop, and its secret stays masked.
    assert r["exit_code"] == 1 and set(r["failed"]) == {"log:traceback", "log:error-loop"}
    assert any(f"{r['lines']} lines" in note for note in r["notes"])
