"""Regression tests for the report fixes the reliability sweep made."""

from __future__ import annotations

from truthgate.model import Finding, Location, RunContext, RunReport, Severity
from truthgate.reports import render


def test_github_annotations_include_skipped_files() -> None:
    skip = Finding(invariant_id="truthgate-skipped", kind="skipped-file",
                   message="skipped (binary): NUL byte in a Python file",
                   severity=Severity.WARNING, location=Location("app/blob.py"))
    report = RunReport(context=RunContext(command="verify"), skipped_files=(skip,))
    out = render("github", report)
    assert "::warning file=app/blob.py" in out
    assert "NUL byte in a Python file" in out


def test_text_header_shows_allow_unsafe() -> None:
    ctx = RunContext(command="smoke", target="staging", flags=("--allow-unsafe",
                                                                "--concurrency=4"))
    head = render("text", RunReport(context=ctx)).splitlines()[1]
    assert "--allow-unsafe" in head
    plain = render("text", RunReport(context=RunContext(command="smoke", target="staging")))
    assert "--allow-unsafe" not in plain
