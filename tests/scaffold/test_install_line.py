"""One install line: README, kb/workflows.md and the workflow `truthgate init` writes agree.

truthgate is not on PyPI, so ``pip install truthgate`` does not resolve; a new team's first CI
run must install it exactly as the README says.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from truthgate.cli.main import app
from truthgate.scaffold import init as init_module
from truthgate.scaffold.init import INSTALL_LINE, install_line

ROOT = Path(__file__).resolve().parents[2]
# `pip install "truthgate @ ..."`: the install of truthgate in another repository (the
# quickstart's `pip install -e '.[dev]'` in a checkout and a built wheel are other things).
PIP = re.compile(r'pip install "truthgate[^"]*"|pip install truthgate\b')


def pip_lines(text: str) -> set[str]:
    """Every ``pip install`` of truthgate by name."""
    return {m.group(0) for m in PIP.finditer(text)}


def init_workflow(tmp_path: Path) -> tuple[str, str]:
    (tmp_path / "app.py").write_text("print('hi')\n")
    result = CliRunner().invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    return (tmp_path / ".github" / "workflows" / "truth_gate.yml").read_text(), result.output


def test_readme_kb_and_init_install_truthgate_the_same_way(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As for a truthgate installed from a wheel or a checkout (pip recorded no git source).
    monkeypatch.setattr(init_module, "installed_direct_url", lambda: None)
    workflow, output = init_workflow(tmp_path)
    readme = pip_lines((ROOT / "README.md").read_text())
    kb = pip_lines((ROOT / "kb" / "workflows.md").read_text())
    generated = pip_lines(workflow)
    assert readme == kb == generated == {INSTALL_LINE}
    assert "pip install truthgate\n" not in workflow
    # init says what to edit, since OWNER is a placeholder.
    assert "replace OWNER" in output
    steps = yaml.safe_load(workflow)["jobs"]["truth_gate"]["steps"]
    assert {"run": INSTALL_LINE} in steps


def test_init_installs_from_the_git_commit_it_was_installed_from(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commit = "0123456789abcdef0123456789abcdef01234567"
    monkeypatch.setattr(init_module, "installed_direct_url", lambda: {
        "url": "https://github.com/acme/truthgate.git",
        "vcs_info": {"vcs": "git", "commit_id": commit, "requested_revision": "main"}})
    workflow, output = init_workflow(tmp_path)
    line = f'pip install "truthgate @ git+https://github.com/acme/truthgate.git@{commit}"'
    assert pip_lines(workflow) == {line} and "replace OWNER" not in output


@pytest.mark.parametrize("direct_url", [
    None,
    {"url": "file:///work/truthgate", "dir_info": {"editable": True}},
    {"url": "https://github.com/a/b.git", "vcs_info": {"vcs": "hg", "commit_id": "a" * 40}},
    {"url": "https://github.com/a/b.git; rm -rf /", "vcs_info": {"vcs": "git",
                                                                 "commit_id": "a" * 40}},
    {"url": "https://github.com/a/b.git", "vcs_info": {"vcs": "git", "commit_id": "main"}},
], ids=["none", "editable", "not-git", "unsafe-url", "not-a-commit"])
def test_anything_but_a_clean_git_source_falls_back_to_the_documented_line(
        direct_url: dict[str, object] | None) -> None:
    assert install_line(direct_url) == INSTALL_LINE
