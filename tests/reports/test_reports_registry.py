"""The registry, lazy loading, write_atomic, and "every format survives any report"."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from reports_samples import passing_verify
from reports_strategies import reports

from truthgate.model import RunReport
from truthgate.reports import REPORTERS, UnknownFormatError, formats, render, write_atomic
from truthgate.reports.common import verdict_lines


def test_registered_formats() -> None:
    assert formats() == ("text", "json", "sarif", "junit", "github", "markdown", "html")
    for name, reporter in REPORTERS.items():
        assert reporter.name == name
        assert reporter.suffix.startswith(".")
        assert callable(reporter.load())
        assert isinstance(reporter.render(passing_verify()), str)


def test_unknown_format() -> None:
    with pytest.raises(UnknownFormatError, match="known: text, json"):
        render("yaml", passing_verify())
    assert issubclass(UnknownFormatError, ValueError)


def test_formats_are_imported_lazily() -> None:
    code = ("import sys, truthgate.reports as r; "
            "print(sorted(m for m in sys.modules if m.startswith('truthgate.reports.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_write_atomic_creates_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "report.md"
    assert write_atomic(target, "first ünï\n") == target
    assert target.read_bytes() == "first ünï\n".encode()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    os.chmod(target, 0o640)
    write_atomic(str(target), "second\r\n")
    assert target.read_bytes() == b"second\r\n"  # no newline translation
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in target.parent.iterdir()) == ["report.md"]


def test_write_atomic_failure_keeps_old_file_and_no_temp(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "r.json"
    write_atomic(target, "old")

    def boom(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_write_atomic_unencodable_text_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(UnicodeEncodeError):
        write_atomic(tmp_path / "x.txt", "lone surrogate \ud800")
    assert list(tmp_path.iterdir()) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report=reports)
def test_every_format_handles_any_report(report: RunReport) -> None:
    for fmt in REPORTERS:
        text = render(fmt, report)
        assert text == render(fmt, report)
        assert text.endswith("\n")
    ET.fromstring(render("junit", report).encode("utf-8"))
    json.loads(render("sarif", report))
    # One annotation per finding, skipped file, errored invariant and red scenario, each on
    # one line, at most 10 errors, 10 warnings and 9 notices, then one summary notice.
    # The runner splits on LF only (str.splitlines would also split on \x1c, \u2028...).
    lines = render("github", report).rstrip("\n").split("\n")
    levels = [f.severity.value for f in (*report.findings, *report.skipped_files)]
    levels += ["error"] * (sum(1 for i in report.invariants if i.outcome.value == "error")
                           + sum(1 for s in report.scenarios
                                 if s.outcome.value in ("fail", "error")))
    expected = (min(10, levels.count("error")) + min(10, levels.count("warning"))
                + min(9, levels.count("info")) + (1 if levels else 0))
    assert len(lines) == expected + len(verdict_lines(report))
