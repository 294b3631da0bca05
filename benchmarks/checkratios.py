"""``--check`` for the benchmarks: a ratio against the figure committed in kb/benchmarks.md.

A bench run prints markdown tables; the quietest run's table is committed under its
section of ``kb/benchmarks.md``. :func:`committed` reads a figure back from there (the
first table under the section's heading with that row and column), and :func:`check`
says whether a new ratio regressed more than :data:`TOLERANCE` against it. Ratios are
"x floor" figures (lower is better), measured against a floor in the same run, so they
compare across machines; instruction ratios do not move with the machine's load, CPU and
wall ratios do (a noisy VM can fail a CPU check on its own: re-run before believing it).
"""

from __future__ import annotations

import re
from pathlib import Path

KB = Path(__file__).resolve().parents[1] / "kb" / "benchmarks.md"
TOLERANCE = 0.10


def _cells(line: str) -> list[str]:
    return [c.strip().strip("*") for c in line.strip().strip("|").split("|")]


def committed(section: str, row: str, column: str, kb: Path = KB) -> float | None:
    """The figure at (``row``, ``column``) in the first matching table under ``## section``."""
    text = kb.read_text(encoding="utf-8")
    m = re.search(rf"^## {re.escape(section)}\s*$", text, re.M)
    if m is None:
        return None
    end = re.search(r"^## ", text[m.end():], re.M)
    body = text[m.end(): m.end() + end.start()] if end else text[m.end():]
    header: list[str] | None = None
    for line in body.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = _cells(line)
        if header is None:
            header = cells
            continue
        if set(line) <= set("|-: "):
            continue
        if cells[0] == row and column in header:
            value = cells[header.index(column)]
            try:
                return float(value.rstrip("x"))
            except ValueError:
                return None
    return None


def check(section: str, row: str, column: str, now: float, kb: Path = KB) -> bool:
    """Print the comparison; False when ``now`` is more than TOLERANCE above the committed figure."""
    was = committed(section, row, column, kb)
    if was is None:
        print(f"check: no committed figure for {row!r} / {column!r} under '## {section}'")
        return True
    ok = now <= was * (1 + TOLERANCE)
    print(f"check: {row} / {column}: {now:.2f} against {was:.2f} committed "
          f"({(now / was - 1) * 100:+.0f}%): {'ok' if ok else 'REGRESSED'}")
    return ok
