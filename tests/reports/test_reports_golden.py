"""Golden files: every format of every sample report, compared byte for byte.

Regenerate after an intended change with ``TRUTHGATE_UPDATE_GOLDEN=1 pytest tests/reports``
and review the diff like code: a golden file is the spec of what a reader sees.
"""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest
from reports_samples import SAMPLES, smoke_engine_report

from truthgate.model import Outcome
from truthgate.reports import REPORTERS, render

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("TRUTHGATE_UPDATE_GOLDEN") == "1"

CASES = [(sample, fmt) for sample in SAMPLES for fmt in REPORTERS]


def golden_path(sample: str, fmt: str) -> Path:
    # The format name is part of the file name because two formats share ".txt".
    return GOLDEN / f"{sample}.{fmt}{REPORTERS[fmt].suffix}"


@pytest.mark.parametrize(("sample", "fmt"), CASES)
def test_matches_golden(sample: str, fmt: str) -> None:
    text = render(fmt, SAMPLES[sample]())
    path = golden_path(sample, fmt)
    if UPDATE:
        # The renderer's bytes as they are: write_atomic would redact the goldens' sample
        # secrets (it is the output boundary), and the goldens pin render() itself.
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"missing golden {path.name}: run with TRUTHGATE_UPDATE_GOLDEN=1"
    # Bytes, not text: a stray CRLF or encoding change is a change a reader would see.
    assert path.read_bytes() == text.encode("utf-8")


@pytest.mark.parametrize(("sample", "fmt"), CASES)
def test_deterministic(sample: str, fmt: str) -> None:
    report = SAMPLES[sample]()
    first = render(fmt, report)
    assert render(fmt, report) == first
    assert render(fmt, copy.deepcopy(report)) == first
    assert render(fmt, SAMPLES[sample]()) == first


@pytest.mark.parametrize("fmt", list(REPORTERS))
def test_output_ends_with_one_newline(fmt: str) -> None:
    for build in SAMPLES.values():
        text = render(fmt, build())
        assert text.endswith("\n") and not text.endswith("\n\n")
        assert "\r" not in text


def test_no_stale_goldens() -> None:
    expected = {golden_path(s, f).name for s, f in CASES}
    present = {p.name for p in GOLDEN.iterdir() if p.is_file()}
    assert present == expected


@pytest.mark.parametrize("fmt", list(REPORTERS))
def test_every_format_shows_each_scenario_outcome(fmt: str) -> None:
    report = smoke_engine_report()
    out = render(fmt, report)
    for s in report.scenarios:
        # GitHub annotations are for red scenarios only (a green annotation is noise).
        if fmt != "github" or s.outcome in (Outcome.FAIL, Outcome.ERROR):
            assert s.id in out, (fmt, s.id)
    # An error is shown with its class (what kind of failure), a skip with its reason.
    assert "connect-refused" in out and "internal" in out
    if fmt != "github":
        assert "run with --allow-unsafe to include it" in out
