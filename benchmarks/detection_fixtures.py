"""Score verify on the detection fixtures: found / missed / false alarms per class.

Each class of defect is a directory of ``tests/fixtures/issue15/`` holding two real
repositories, ``found/`` (the defect, planted) and ``lookalike/`` (code that resembles it
and is fine), each with its contract (``product/truth.yaml``) and an ``EXPECT`` file
listing the findings a correct gate reports, one ``kind path:line`` per line. A finding
that is expected is *found*, an expected one not reported is *missed*, any other finding is
a *false alarm*. Run it with another truthgate on the path to get the "before" figures::

    python benchmarks/detection_fixtures.py                      # this checkout
    PYTHONPATH=/path/to/other/src python benchmarks/detection_fixtures.py

A contract the running truthgate cannot load counts every expected finding as missed.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "issue15"


@dataclass(frozen=True)
class Score:
    """One repository's figures and what differed."""

    found: int
    missed: tuple[str, ...]
    false_alarms: tuple[str, ...]


def score(repo: Path) -> Score:
    """Verify ``repo`` (no cache) and compare its findings with its EXPECT file."""
    import truthgate.app  # noqa: F401 - wires the kinds into the contract loader
    from truthgate.contract.loader import load_contract
    from truthgate.verify.engine import run_verify

    expected = {line.strip() for line in (repo / "EXPECT").read_text().splitlines()
                if line.strip()}
    try:
        report = run_verify(load_contract(repo / "product" / "truth.yaml", root=repo),
                            use_cache=False)
    except Exception as exc:  # noqa: BLE001 - an older truthgate refusing the contract
        print(f"  {repo}: contract not loaded: {exc}"[:200], file=sys.stderr)
        return Score(0, tuple(sorted(expected)), ())
    got = {f"{f.kind} {f.location.path}:{f.location.line}" if f.location else f.kind
           for f in report.findings}
    return Score(len(expected & got), tuple(sorted(expected - got)),
                 tuple(sorted(got - expected)))


def main() -> int:
    rows = []
    for case in sorted(p for p in ROOT.iterdir() if p.is_dir()):
        tp, la = score(case / "found"), score(case / "lookalike")
        rows.append((case.name, tp.found, len(tp.missed),
                     len(tp.false_alarms) + len(la.false_alarms), tp, la))
    print("| class | found | missed | false alarms |")
    print("|---|---|---|---|")
    for name, found, missed, false, _, _ in rows:
        print(f"| {name} | {found} | {missed} | {false} |")
    for name, _, _, _, tp, la in rows:
        for what in tp.missed:
            print(f"  {name}: missed {what}", file=sys.stderr)
        for what in tp.false_alarms + la.false_alarms:
            print(f"  {name}: false alarm {what}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
