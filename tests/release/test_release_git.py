"""End to end: ``truthgate release`` against a real temporary git repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from truthgate.cli.main import app as truthgate_cli
from truthgate.cycles.ledger import list_cycles

CONTRACT = """\
version: 1
product: {{name: shop, version: "1.0"}}
entrypoint: {{path: app/main.py}}
verify: {{cache: false}}
invariants:
  - {{id: no-star, kind: no_wildcard_imports}}
release:
  checklist:
    - {{name: static checks, run: verify}}
    - {{name: definition of done, run: dod}}
  definition_of_done: {{consecutive_green_cycles: {required}}}
"""

# The real CLI (its error boundary turns usage errors into exit 2), not a bare command.
app = main_app = truthgate_cli


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # A private HOME and identity: the developer's global git config (signing, hooks)
    # must not change what the test does.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Release Captain")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "captain@example.com")
    root = tmp_path / "repo"
    (root / "app").mkdir(parents=True)
    (root / "product").mkdir()
    (root / "app" / "main.py").write_text("print('hello')\n")
    (root / "product" / "truth.yaml").write_text(CONTRACT.format(required=1))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "initial")
    return root


def release(repo: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["release", "--contract", str(repo / "product" / "truth.yaml"),
                                      *args])
    return result.exit_code, result.output


def truthgate(repo: Path, *args: str) -> tuple[int, str]:
    """The whole CLI (``truthgate verify --record``, ``truthgate report list`` ...)."""
    result = CliRunner().invoke(main_app, [*args, "--contract",
                                           str(repo / "product" / "truth.yaml")])
    return result.exit_code, result.output


def green_cycles(repo: Path, n: int = 1) -> None:
    """Record ``n`` green verify cycles: evidence for the definition of done."""
    for _ in range(n):
        code, out = truthgate(repo, "verify", "--record")
        assert code == 0, out


def test_green_release_tags_and_red_conditions_refuse(repo: Path) -> None:
    green_cycles(repo)
    code, out = release(repo, "--tag", "v1.0.0")
    assert code == 0, out
    assert "PASSED: release GREEN: tagged v1.0.0" in out
    assert git(repo, "tag", "-l").split() == ["v1.0.0"]
    assert git(repo, "cat-file", "-t", "v1.0.0").strip() == "tag"  # annotated
    message = git(repo, "tag", "-l", "--format=%(contents)", "v1.0.0")
    assert message.startswith("Release v1.0.0 of shop 1.0")
    assert "Release cycle 2" in message and "verify: PASSED" in message
    assert "definition of done: 1 of 1 consecutive green cycles — met" in message
    assert git(repo, "rev-list", "-n", "1", "v1.0.0") == git(repo, "rev-parse", "HEAD")

    code, out = release(repo, "--tag", "v1.0.0")
    assert code == 1 and "tag v1.0.0 already exists" in out

    (repo / "app" / "main.py").write_text("from os import *\n")
    code, out = release(repo, "--tag", "v1.0.1")
    assert code == 1 and "not the commit to tag (modified: app/main.py)" in out
    git(repo, "commit", "-q", "-am", "star import")
    code, out = release(repo, "--tag", "v1.0.1")
    assert code == 1 and "release RED at step 'static checks'" in out
    assert "'definition of done' (dod): not run" in out
    assert git(repo, "tag", "-l").split() == ["v1.0.0"]

    # Every attempt was recorded, refused or not, with the exit code's verdict.
    cycles = list_cycles(repo / "reports" / "cycles").cycles
    assert [c.kind for c in cycles] == ["verify"] + ["release"] * 4
    assert [c.report.passed for c in cycles] == [True, True, False, False, False]


def test_retrying_a_refused_release_never_tags_and_every_view_says_red(repo: Path) -> None:
    (repo / "product" / "truth.yaml").write_text(CONTRACT.format(required=3))
    git(repo, "commit", "-q", "-am", "ask for three green cycles")
    green_cycles(repo, 2)
    for _ in range(6):
        code, out = release(repo, "--tag", "v0.3.3")
        assert code == 1, out
        assert "2 of 3 consecutive green cycles — not met" in out
        assert "FAILED: release RED at step 'definition of done'" in out
    assert git(repo, "tag", "-l") == ""

    cycles = list_cycles(repo / "reports" / "cycles").cycles
    assert [(c.kind, c.report.passed) for c in cycles] == (
        [("verify", True)] * 2 + [("release", False)] * 6)
    code, listing = truthgate(repo, "report", "list")
    assert code == 0
    rows = [line.split() for line in listing.splitlines()[1:-1]]
    assert [(r[1], r[4]) for r in rows] == [("verify", "PASSED")] * 2 + [
        ("release", "FAILED")] * 6
    assert listing.splitlines()[-1] == (
        "definition of done: 2 of 3 consecutive green cycles — not met")
    code, trend = truthgate(repo, "report", "trend")
    assert [ln.split()[2] for ln in trend.splitlines()[1:9]] == ["PASSED"] * 2 + [
        "FAILED"] * 6
    code, shown = truthgate(repo, "report", "show", "latest")
    assert code == 0
    assert ("release: FAILED — release RED at step 'definition of done': 2 of 3 "
            "consecutive green cycles — not met") in shown
    assert "2 of 3 consecutive green cycles — not met" in shown  # the streak, unchanged
    code, page = truthgate(repo, "report", "html")
    rows = re.findall(r"<tr><td>\d+</td><td>(\w+)</td><td>[^<]*</td><td><code>\w+</code></td>"
                      r"<td>[^<]*</td><td><span class=\"(\w+)\"", page)
    assert rows == [("release", "fail")] * 6 + [("verify", "pass")] * 2  # newest first
    assert "Not ready to release" in page

    # One more green verify cycle meets the definition of done: now it tags.
    green_cycles(repo)
    code, out = release(repo, "--tag", "v0.3.3")
    assert code == 0, out
    assert git(repo, "tag", "-l").split() == ["v0.3.3"]
    message = git(repo, "tag", "-l", "--format=%(contents)", "v0.3.3")
    assert "3 of 3 consecutive green cycles — met" in message
    assert "FAILED" not in message


def test_untracked_files_refuse_the_tag_and_the_checked_commit_is_tagged(
        repo: Path) -> None:
    green_cycles(repo)  # the ledger (reports/cycles) is untracked: it does not count
    (repo / ".gitignore").write_text("*.log\n")
    git(repo, "add", ".gitignore")
    git(repo, "commit", "-q", "-m", "ignore logs")
    (repo / "server.log").write_text("ignored: does not count\n")
    (repo / "kb").mkdir()
    (repo / "kb" / "runbook.md").write_text("never added\n")
    (repo / "notes.txt").write_text("never added either\n")
    code, out = release(repo, "--tag", "v1.1.0")
    assert code == 1
    assert ("not the commit to tag (untracked: kb/runbook.md; untracked: notes.txt)"
            in out)
    refusal = out.splitlines()[-1]
    assert "server.log" not in refusal and "reports/" not in refusal
    assert git(repo, "tag", "-l") == ""

    git(repo, "add", "kb", "notes.txt")
    code, out = release(repo, "--tag", "v1.1.0")
    assert code == 1 and "added, not committed: kb/runbook.md" in out
    git(repo, "commit", "-q", "-m", "kb")
    head = git(repo, "rev-parse", "HEAD").strip()
    code, out = release(repo, "--tag", "v1.1.0")
    assert code == 0, out
    assert git(repo, "rev-list", "-n", "1", "v1.1.0").strip() == head
    release_cycle = list_cycles(repo / "reports" / "cycles").cycles[-1]
    assert release_cycle.kind == "release" and release_cycle.report.passed
    assert release_cycle.report.context.git_commit == head
    assert not release_cycle.report.context.git_dirty


LOGS_CONTRACT = """\
version: 1
product: {{name: shop, version: "1.0"}}
entrypoint: {{path: app/main.py}}
verify: {{cache: false}}
invariants:
  - {{id: no-star, kind: no_wildcard_imports}}
observability:
  forbidden_log_patterns:
    - {{name: traceback, regex: "Traceback", max: 0}}
release:
  checklist:
    - {{name: static checks, run: verify}}
    - {{name: log window, run: logs{extra}}}
    - {{name: definition of done, run: dod}}
"""


@pytest.mark.parametrize(("extra", "log", "code", "expect"), [
    ("", None, 1, "step 'log window' (logs): red — cannot run: no log source"),
    (", optional: true", None, 0, "step 'log window' (logs): skipped — optional step not run"),
    (", source: var/app.log", "all good\n", 0, "step 'log window' (logs): green"),
    (", source: var/app.log", "Traceback (most recent call last)\n", 1,
     "step 'log window' (logs): red"),
], ids=["no-source-red", "optional-skipped", "source-green", "source-red"])
def test_a_logs_step_runs_from_the_contract_source_or_is_red(
        repo: Path, extra: str, log: str | None, code: int, expect: str) -> None:
    (repo / "product" / "truth.yaml").write_text(LOGS_CONTRACT.format(extra=extra))
    (repo / ".gitignore").write_text("var/\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "logs step")
    if log is not None:
        (repo / "var").mkdir()
        (repo / "var" / "app.log").write_text(log)
    green_cycles(repo)
    got, out = release(repo, "--tag", "v5.0.0")
    assert got == code, out
    assert expect in out
    assert git(repo, "tag", "-l").split() == (["v5.0.0"] if code == 0 else [])
    assert list_cycles(repo / "reports" / "cycles").cycles[-1].report.passed is (code == 0)
    if "optional" in extra:
        message = git(repo, "tag", "-l", "--format=%(contents)", "v5.0.0")
        assert "Optional steps NOT run (marked optional: true in the contract): log window." \
            in message


def test_an_old_refused_release_cycle_recorded_as_passed_loads_red(repo: Path) -> None:
    import json

    green_cycles(repo)
    ledger = repo / "reports" / "cycles"
    old = json.loads((ledger / "0001.json").read_text())
    old["cycle"]["kind"] = "release"
    old["context"]["command"] = "release"
    old["notes"] = ["step 'dod' (dod): red — 1 of 3 consecutive green cycles — not met",
                    "release RED at step 'dod': 1 of 3 consecutive green cycles — not met"]
    (ledger / "0002.json").write_text(json.dumps(old))
    cycles = list_cycles(ledger).cycles
    assert [c.report.passed for c in cycles] == [True, False]
    code, listing = truthgate(repo, "report", "list")
    assert listing.splitlines()[2].split()[4] == "FAILED"


def test_usage_errors_exit_2(repo: Path) -> None:
    code, out = release(repo, "--tag", "not a tag")
    assert code == 2 and "not a usable tag name" in out
    code, out = release(repo, "--format", "pdf")
    assert code == 2
    result = CliRunner().invoke(app, ["release", "--contract", str(repo / "missing.yaml")])
    assert result.exit_code == 2


def test_a_tag_git_refuses_leaves_a_red_cycle_not_a_green_one(repo: Path) -> None:
    green_cycles(repo)
    # A stale lock from a crashed git: `git tag` itself fails, after the cycle was recorded.
    (repo / ".git" / "refs" / "tags").mkdir(parents=True, exist_ok=True)
    (repo / ".git" / "refs" / "tags" / "v9.0.0.lock").write_text("")
    code, out = release(repo, "--tag", "v9.0.0")
    assert code == 1 and "release green but tagging failed" in out
    assert git(repo, "tag", "-l") == ""
    cycles = list_cycles(repo / "reports" / "cycles").cycles
    assert [c.number for c in cycles] == [1, 2]  # rewritten in place, not a second cycle
    last = cycles[-1]
    assert last.kind == "release" and not last.report.passed
    assert "tagging failed" in last.report.invariants[-1].findings[0].message
    code, listing = truthgate(repo, "report", "list")
    assert listing.splitlines()[-2].split()[4] == "FAILED"


def test_a_logs_step_reads_an_absolute_source_outside_the_repository(
        repo: Path, tmp_path: Path) -> None:
    deploy_log = tmp_path / "deploy" / "api.log"
    deploy_log.parent.mkdir()
    deploy_log.write_text("Traceback (most recent call last)\n")
    (repo / "product" / "truth.yaml").write_text(
        LOGS_CONTRACT.format(extra=f", source: {deploy_log}"))
    git(repo, "commit", "-q", "-am", "logs from the deploy")
    green_cycles(repo)
    code, out = release(repo, "--tag", "v6.0.0")
    assert code == 1 and "step 'log window' (logs): red" in out
    deploy_log.write_text("INFO all good\n")
    code, out = release(repo, "--tag", "v6.0.0")
    assert code == 0, out


def test_git_lists_every_kind_of_unclean_path_but_the_ledger(repo: Path) -> None:
    from truthgate.release.runners import Git

    (repo / "docs").mkdir()
    (repo / "docs" / "old name.md").write_text("old\n")
    (repo / "gone.txt").write_text("bye\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "more files")
    git(repo, "mv", "docs/old name.md", "docs/new name.md")
    (repo / "gone.txt").unlink()
    (repo / "app" / "main.py").write_text("print('changed')\n")
    (repo / "kb" / "deep").mkdir(parents=True)
    (repo / "kb" / "deep" / "page.md").write_text("never added\n")
    (repo / "reports" / "cycles").mkdir(parents=True)
    (repo / "reports" / "cycles" / "0001.json").write_text("{}\n")
    (repo / "bad-\udcff.txt").write_bytes(b"x")  # a file name that is not UTF-8
    ledger = Git(repo, repo / "reports" / "cycles")
    assert sorted(ledger.unclean()) == sorted([
        "renamed: docs/new name.md", "deleted: gone.txt", "modified: app/main.py",
        "untracked: kb/deep/page.md", "untracked: bad-\ufffd.txt"])
    assert "untracked: reports/cycles/0001.json" in Git(repo).unclean()
