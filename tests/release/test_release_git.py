"""End to end: ``truthgate release`` against a real temporary git repository."""

from __future__ import annotations

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
app = truthgate_cli


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


def test_green_release_tags_and_red_conditions_refuse(repo: Path) -> None:
    code, out = release(repo, "--tag", "v1.0.0")
    assert code == 0, out
    assert "PASSED: release GREEN: tagged v1.0.0" in out
    assert git(repo, "tag", "-l").split() == ["v1.0.0"]
    assert git(repo, "cat-file", "-t", "v1.0.0").strip() == "tag"  # annotated
    message = git(repo, "tag", "-l", "--format=%(contents)", "v1.0.0")
    assert message.startswith("Release v1.0.0 of shop 1.0")
    assert "Release cycle 1" in message and "verify: PASSED" in message
    assert "definition of done: 1 of 1 consecutive green cycles — met" in message
    assert git(repo, "rev-list", "-n", "1", "v1.0.0") == git(repo, "rev-parse", "HEAD")

    code, out = release(repo, "--tag", "v1.0.0")
    assert code == 1 and "tag v1.0.0 already exists" in out

    (repo / "app" / "main.py").write_text("from os import *\n")
    code, out = release(repo, "--tag", "v1.0.1")
    assert code == 1 and "uncommitted changes" in out
    git(repo, "commit", "-q", "-am", "star import")
    code, out = release(repo, "--tag", "v1.0.1")
    assert code == 1 and "release RED at step 'static checks'" in out
    assert "'definition of done' (dod): not run" in out
    assert git(repo, "tag", "-l").split() == ["v1.0.0"]

    # Every attempt was recorded, refused or not.
    cycles = list_cycles(repo / "reports" / "cycles").cycles
    assert [c.kind for c in cycles] == ["release"] * 4
    assert [c.report.passed for c in cycles] == [True, True, True, False]


def test_definition_of_done_gates_until_the_streak_is_long_enough(repo: Path) -> None:
    (repo / "product" / "truth.yaml").write_text(CONTRACT.format(required=2))
    git(repo, "commit", "-q", "-am", "ask for two green cycles")
    code, out = release(repo, "--tag", "v2.0.0")
    assert code == 1 and "1 of 2 consecutive green cycles — not met" in out
    assert git(repo, "tag", "-l") == ""
    # That attempt's checks were green and are now in the ledger: the streak reaches 2.
    code, out = release(repo, "--tag", "v2.0.0")
    assert code == 0, out
    assert git(repo, "tag", "-l").split() == ["v2.0.0"]


def test_usage_errors_exit_2(repo: Path) -> None:
    code, out = release(repo, "--tag", "not a tag")
    assert code == 2 and "not a usable tag name" in out
    code, out = release(repo, "--format", "pdf")
    assert code == 2
    result = CliRunner().invoke(app, ["release", "--contract", str(repo / "missing.yaml")])
    assert result.exit_code == 2
