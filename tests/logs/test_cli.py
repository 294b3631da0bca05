"""`truthgate logs` as a real process: files, stdin, exit codes, reports written."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# Until cli/main.py registers the command, a two-line app registers it the same way the
# lead will (app.command("logs")(logs_command)); once registered, `truthgate logs` is it.
# The real CLI, with its error boundary (a bad contract exits 2 there).
SHIM = textwrap.dedent("""
    from truthgate.cli.main import run
    run()
""")

CONTRACT = textwrap.dedent("""
    version: 1
    product: {name: logged}
    entrypoint: {path: app.py}
    env:
      required:
        - {name: API_TOKEN, secret: true}
    invariants:
      - {id: app, kind: required_files, files: [app.py]}
    observability:
      error_loop_limit: 3
      forbidden_log_patterns:
        - {name: traceback, regex: 'Traceback \\(most recent call last\\)', max: 0}
        - {name: slow-ack, regex: 'ack took \\d{4,} ms', max: 1, window_seconds: 60,
           severity: warning}
""")

CLEAN = "2024-05-01T12:00:00Z INFO boot\n2024-05-01T12:00:01Z INFO ack took 12 ms\n"
DIRTY = (
    "2024-05-01T12:00:00Z INFO boot with token hunter2-secret\n"
    "Traceback (most recent call last):\n"
    '  File "app.py", line 3, in <module>\n'
    "RuntimeError: token hunter2-secret rejected\n"
) + "".join(f"2024-05-01T12:00:0{i}Z ERROR token hunter2-secret rejected ({i})\n"
            for i in range(4))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "product").mkdir()
    (tmp_path / "product" / "truth.yaml").write_text(CONTRACT)
    (tmp_path / "app.py").write_text("print('hi')\n")
    (tmp_path / "shim.py").write_text(SHIM)
    return tmp_path


def logs(repo: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "API_TOKEN": "hunter2-secret"}
    return subprocess.run([sys.executable, str(repo / "shim.py"), "logs", *args], cwd=repo,
                          input=stdin, capture_output=True, text=True, env=env, timeout=120)


def test_clean_file_exits_zero(repo: Path) -> None:
    (repo / "app.log").write_text(CLEAN)
    done = logs(repo, "app.log")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASS" in done.stdout and "log:traceback" in done.stdout


def test_stdin_with_a_traceback_fails_and_masks_the_secret(repo: Path) -> None:
    done = logs(repo, "-", "--format", "json", "--out", "markdown:out/logs.md", stdin=DIRTY)
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    text = json.dumps(data)
    assert "hunter2-secret" not in text and "***" in text
    failed = {r["id"] for r in data["invariants"] if r["outcome"] == "fail"}
    assert failed == {"log:traceback", "log:error-loop"}
    assert "<stdin>:2" in (repo / "out" / "logs.md").read_text()


def test_missing_log_and_bad_contract_exit_two(repo: Path) -> None:
    done = logs(repo, "nope.log")
    assert done.returncode == 2 and "cannot read log nope.log" in done.stderr
    (repo / "product" / "truth.yaml").write_text("version: 1\nproduct: {}\n")
    done = logs(repo, "-", stdin=CLEAN)
    assert done.returncode == 2 and done.stderr
