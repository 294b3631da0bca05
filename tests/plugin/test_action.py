"""The composite action's run step, executed by bash as a runner would, and the hooks file."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())

CONTRACT = """\
version: 1
product: {name: acted}
entrypoint: {path: app.py}
invariants:
  - {id: has-readme, kind: required_files, files: [README.md]}
"""


def run_step(repo: Path, runner_temp: Path, **inputs: str) -> tuple[int, dict[str, str], str]:
    """Run the action's 'Run truthgate' script; (exit code, outputs, stdout)."""
    step = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "run")
    # The install step's venv, as it would be: a link to the truthgate this suite tests.
    bin_dir = runner_temp / "truthgate-venv" / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    exe = Path(sys.executable).with_name("truthgate")
    (bin_dir / "truthgate").symlink_to(exe)
    defaults = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
    values = {**defaults, **inputs}
    env = {"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "RUNNER_TEMP": str(runner_temp),
           "GITHUB_OUTPUT": str(runner_temp / "output"),
           "GITHUB_STEP_SUMMARY": str(runner_temp / "summary.md")}
    for key, expr in step["env"].items():
        name = expr.removeprefix("${{ inputs.").removesuffix(" }}")
        env[key] = values[name]
    done = subprocess.run(["bash", "-c", step["run"]], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=300)
    outputs = dict(line.split("=", 1) for line in
                   (runner_temp / "output").read_text().splitlines() if "=" in line)
    return done.returncode, outputs, done.stdout + done.stderr


@pytest.mark.skipif(shutil.which("bash") is None, reason="the action's steps run in bash")
def test_action_annotates_summarises_and_leaves_sarif(tmp_path: Path) -> None:
    repo, temp = tmp_path / "repo", tmp_path / "runner"
    (repo / "product").mkdir(parents=True)
    (repo / "product" / "truth.yaml").write_text(CONTRACT)
    (repo / "app.py").write_text("print('acted')\n")
    code, outputs, out = run_step(repo, temp)
    assert code == 1, out
    assert outputs["exit-code"] == "1"
    assert outputs["sarif-file"] == str(repo / "truthgate.sarif")
    assert (repo / "truthgate.sarif").is_file()
    assert "::error file=README.md" in out  # the annotation of the finding
    assert "has-readme" in (temp / "summary.md").read_text()

    (repo / "README.md").write_text("# acted\n")
    code, outputs, out = run_step(repo, tmp_path / "runner2", commands="validate verify bogus",
                                  **{"fail-on-error": "false"})
    assert code == 0, out
    assert outputs["exit-code"] == "2"  # the unknown command, reported not fatal
    assert "unknown command 'bogus'" in out


def test_pre_commit_hooks_run_truthgate_without_file_names() -> None:
    by_id = {hook["id"]: hook for hook in HOOKS}
    assert set(by_id) == {"truthgate-verify", "truthgate-validate"}
    for hook_id, hook in by_id.items():
        assert hook["language"] == "python" and hook["pass_filenames"] is False
        assert hook["entry"] == "truthgate " + hook_id.removeprefix("truthgate-")
