"""required_files: kb and listed files exist, are non-empty and carry their headings."""

from __future__ import annotations

import pytest

from truthgate.contract.model import KbFile
from truthgate.verify.kinds import get_kind
from truthgate.verify.kinds.required_files import markdown_headings

from .conftest import Runner

KB = (KbFile("kb/a.md", ("Overview", "Rollback")),)


def test_all_present_passes(run_kind: Runner) -> None:
    files = {
        "kb/a.md": "# Overview\n\ntext\n\n## ROLLBACK ##\n",
        "README.md": "Readme\n======\n\n## Install  steps\n",
    }
    raw = {"files": [{"path": "README.md", "headings": ["readme", "install steps"]}]}
    assert run_kind("required_files", raw, files, kb=KB) == []


def test_missing_file(run_kind: Runner) -> None:
    found = run_kind("required_files", {"files": ["docs/runbook.md"]}, {}, kb=KB)
    assert [(v.path, v.message, v.key) for v in found] == [
        ("docs/runbook.md", "required file docs/runbook.md does not exist", "missing"),
        ("kb/a.md", "required file kb/a.md does not exist", "missing"),
    ]


def test_empty_and_whitespace_only(run_kind: Runner) -> None:
    found = run_kind("required_files", {"files": ["b.md"]}, {"kb/a.md": "", "b.md": " \n\n"}, kb=KB)
    assert [(v.path, v.message) for v in found] == [
        ("b.md", "required file b.md is empty"),
        ("kb/a.md", "required file kb/a.md is empty"),
    ]


def test_non_utf8_is_unreadable(run_kind: Runner) -> None:
    found = run_kind("required_files", {"files": ["b.md"]}, {"b.md": b"\xff\xfe\x00bad"})
    assert [(v.path, v.message) for v in found] == [
        ("b.md", "required file b.md is not readable UTF-8 text")
    ]


def test_look_alike_headings_do_not_count(run_kind: Runner) -> None:
    # The words appear, but not as headings: in prose, in a fenced block, without the space
    # '#' needs, and inside a longer heading.
    text = (
        "# Intro\n"
        "Overview of the rollback.\n"
        "```md\n# Rollback\n```\n"
        "#Overview\n"
        "## Overview of things\n"
    )
    found = run_kind("required_files", {}, {"kb/a.md": text}, kb=KB)
    assert [(v.message, v.key) for v in found] == [
        ("required file kb/a.md has no heading 'Overview'", "heading:overview"),
        ("required file kb/a.md has no heading 'Rollback'", "heading:rollback"),
    ]


def test_same_file_in_kb_and_files_is_checked_once_with_all_headings(run_kind: Runner) -> None:
    raw = {"files": [{"path": "./kb/a.md", "headings": ["Deploy"]}]}
    found = run_kind("required_files", raw, {"kb/a.md": "# Overview\n# Rollback\n"}, kb=KB)
    assert [v.message for v in found] == ["required file kb/a.md has no heading 'Deploy'"]


def test_include_kb_false_skips_contract_kb(run_kind: Runner) -> None:
    assert run_kind("required_files", {"include_kb": False}, {}, kb=KB) == []


def test_headings_parser_handles_setext_and_tilde_fences() -> None:
    text = "Title\n=====\n~~~\n# not\n~~~\nSub\n---\n  ### Deep ###\n"
    assert markdown_headings(text) == [(1, "title"), (6, "sub"), (8, "deep")]


@pytest.mark.parametrize("bad", [["/etc/passwd"], ["../x.md"], [{"headings": ["x"]}], [3]])
def test_bad_params_rejected(bad: list[object]) -> None:
    with pytest.raises(ValueError):
        get_kind("required_files").parse_params({"files": bad})


def test_kind_metadata() -> None:
    kind = get_kind("required_files")
    assert kind.needs_files is False
    assert all("description" in p for p in kind.params_schema["properties"].values())
