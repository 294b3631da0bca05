"""Issue 5, part 2: hostile source trees end as findings or reported skips, never a crash.

Every case runs the real use case (``truthgate.app.run_verify``) with 18 invariants enabled
and checks that all 18 reached a verdict; the CLI cases check exit codes and tracebacks.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from truthgate.cli.main import app
from truthgate.model import Outcome
from truthgate.verify.collect import collect_facts
from truthgate.verify.walk import walk_repo

from .trees import CONTRACT, HOSTILE, check_tree, healthy, mentioned


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    healthy(root)
    return root


def test_healthy_baseline_passes(repo: Path) -> None:
    report = check_tree(repo, [])
    assert report.exit_code == 0, [(f.invariant_id, f.message) for f in report.findings]
    assert not report.skipped_files


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_tree(repo: Path, case: str) -> None:
    if case == "unreadable-files" and os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not stop root from reading, so the "
                    "permission path cannot be exercised here")
    started = time.monotonic()
    expected = HOSTILE[case](repo)
    report = check_tree(repo, expected)
    # One case is a few files: anything near this bound is a hang, not a slow parse.
    assert time.monotonic() - started < 120
    if case == "utf8-bom":
        assert "app/bom.py" in mentioned(report)  # the BOM file was parsed and checked
    if case == "5000-nested-parens":
        syntax = next(r for r in report.invariants if r.id == "syntax")
        assert syntax.outcome is Outcome.FAIL


def test_everything_at_once(repo: Path) -> None:
    expected: list[str] = []
    for name, build in HOSTILE.items():
        if name in ("unreadable-files", "ten-mebibyte-module"):
            continue  # root cannot be locked out; the big module has its own case
        expected += build(repo)
    report = check_tree(repo, expected)
    # The healthy part still gets checked: the entrypoint is still the only one.
    entry = next(r for r in report.invariants if r.id == "entry")
    assert entry.outcome is Outcome.PASS


def test_empty_repository(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    (root / "product").mkdir(parents=True)
    (root / "product" / "truth.yaml").write_text(CONTRACT, encoding="utf-8")
    report = check_tree(root, [], empty=True)
    # Nothing to check is never a pass: each invariant fails or says it checked nothing.
    assert report.exit_code == 1
    assert all(r.outcome in (Outcome.FAIL, Outcome.ERROR) for r in report.invariants
               if r.id not in ("ignore", "retired")), [(r.id, r.outcome) for r in report.invariants]
    files = next(r for r in report.invariants if r.id == "files")
    assert files.outcome is Outcome.FAIL


def test_cli_verify_on_hostile_tree_exits_1_without_traceback(repo: Path) -> None:
    for name in ("binary-named-py", "5000-deep-ast", "symlink-loops", "nul-bytes"):
        HOSTILE[name](repo)
    (repo / "app" / "extra.py").write_text("print('x')\n")
    for fmt in ("text", "json", "sarif", "junit", "github", "markdown"):
        result = CliRunner().invoke(app, ["verify", "-c", str(repo / "product" / "truth.yaml"),
                                          "--format", fmt, "--no-cache", "-j", "1"])
        assert result.exit_code == 1, (fmt, result.output, result.exception)
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
        assert "blob.py" in result.output, fmt  # the skip is in every format


def test_file_deleted_between_walk_and_read(repo: Path) -> None:
    (repo / "app" / "gone.py").write_text("X = 1\n")
    walked = walk_repo(repo)
    (repo / "app" / "gone.py").unlink()
    facts, _ = collect_facts(walked.files, None, 1)
    gone = next(f for f in facts if f.path == "app/gone.py")
    assert gone.problem == "unreadable"


def test_files_churning_during_verify(repo: Path) -> None:
    """A writer creates and deletes files while verify walks and reads: no crash."""
    churn = repo / "app" / "churn"
    churn.mkdir()
    stop = threading.Event()

    def writer() -> None:
        deadline = time.monotonic() + 60
        i = 0
        while not stop.is_set() and time.monotonic() < deadline and i < 200_000:
            path = churn / f"m{i % 50}.py"
            try:
                if path.exists():
                    path.unlink()
                else:
                    path.write_text(f"X = {i}\n")
            except OSError:
                pass
            i += 1

    for i in range(50):
        (churn / f"m{i}.py").write_text("X = 0\n")
    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        for _ in range(3):
            check_tree(repo, [])
    finally:
        stop.set()
        thread.join(10)


def test_file_replaced_by_fifo_between_walk_and_read(repo: Path) -> None:
    target = repo / "app" / "swap.py"
    target.write_text("X = 1\n")
    walked = walk_repo(repo)
    target.unlink()
    os.mkfifo(target)
    done = threading.Event()

    def run() -> None:
        collect_facts(walked.files, None, 1)
        done.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    finished = done.wait(5)
    if not finished:
        # Unblock the reader (it waits for a writer) so the thread ends with the test.
        fd = os.open(target, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        thread.join(10)
    assert finished, "collect_facts blocked on a FIFO"
