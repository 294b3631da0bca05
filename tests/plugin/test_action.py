"""The composite action's and the repo workflow's scripts, run as GitHub runs them.

GitHub runs a ``shell: bash`` step as ``bash --noprofile --norc -eo pipefail {0}`` on a file
holding the ``run:`` text with its ``${{ }}`` expressions substituted; a plain ``bash -c``
would hide every bug ``-e`` and ``pipefail`` expose. And the pre-commit hooks file."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
WORKFLOW = yaml.safe_load((ROOT / ".github" / "workflows" / "truth_gate.yml").read_text())
HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())

CONTRACT = """\
version: 1
product: {name: acted}
entrypoint: {path: app.py}
invariants:
  - {id: has-readme, kind: required_files, files: [README.md]}
"""


BROKEN = "version: 1\nproduct: {name: acted\n"  # invalid YAML: every command exits 2
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
GITHUB_SHELL = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]  # `shell: bash`, {0} last


def expand(text: str, context: dict[str, str]) -> str:
    """Substitute ``${{ ... }}`` as the runner does before the shell sees the text."""
    def one(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in context:
            raise AssertionError(f"the test does not know the expression {key!r}")
        return context[key]

    return EXPR.sub(one, text)


def run_like_github(step: dict[str, Any], context: dict[str, str], workspace: Path,
                    runner_temp: Path, path: str = "/usr/bin:/bin",
                    event: str = "push") -> tuple[int, str]:
    """Run one ``shell: bash`` step as the Actions runner does; (exit status, log).

    The runner writes the expanded ``run:`` text to a file and runs
    ``bash --noprofile --norc -eo pipefail {0}`` on it, in ``working-directory`` (relative
    to the workspace), with the step's ``env`` expanded and the runner's files set.
    """
    assert step.get("shell", "bash") == "bash"
    runner_temp.mkdir(parents=True, exist_ok=True)
    script = runner_temp / f"step-{uuid.uuid4().hex}.sh"
    script.write_text(expand(step["run"], context))
    env = {"PATH": path, "NO_COLOR": "1", "CI": "true", "GITHUB_ACTIONS": "true",
           "HOME": str(runner_temp / "home"), "RUNNER_TEMP": str(runner_temp),
           "GITHUB_WORKSPACE": str(workspace), "GITHUB_EVENT_NAME": event,
           "GITHUB_OUTPUT": str(runner_temp / "output"),
           "GITHUB_STEP_SUMMARY": str(runner_temp / "summary.md")}
    env.update({k: expand(str(v), context) for k, v in step.get("env", {}).items()})
    cwd = workspace / expand(str(step.get("working-directory", ".")), context)
    done = subprocess.run([*GITHUB_SHELL, str(script)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    return done.returncode, done.stdout + done.stderr


def outputs_of(runner_temp: Path) -> dict[str, str]:
    path = runner_temp / "output"
    lines = path.read_text().splitlines() if path.exists() else []
    return dict(line.split("=", 1) for line in lines if "=" in line)


def fake_install(runner_temp: Path) -> None:
    """What the install step leaves: a venv whose truthgate is the one under test."""
    bin_dir = runner_temp / "truthgate-venv" / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    (bin_dir / "truthgate").symlink_to(Path(sys.executable).with_name("truthgate"))


def run_step(repo: Path, runner_temp: Path, event: str = "push",
             **inputs: str) -> tuple[int, dict[str, str], str]:
    """Run the action's 'Run truthgate' step on ``event``; (exit code, outputs, log)."""
    step = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "run")
    fake_install(runner_temp)
    defaults = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
    context = {f"inputs.{k}": v for k, v in {**defaults, **inputs}.items()}
    code, log = run_like_github(step, context, repo, runner_temp, event=event)
    return code, outputs_of(runner_temp), log


def make_repo(root: Path, state: str) -> Path:
    """A repository whose gate is green, red (no README) or invalid (broken contract)."""
    (root / "product").mkdir(parents=True)
    (root / "product" / "truth.yaml").write_text(BROKEN if state == "invalid" else CONTRACT)
    (root / "app.py").write_text("print('acted')\n")
    (root / "app.log").write_text("INFO started\n")
    if state == "green":
        (root / "README.md").write_text("# acted\n")
    return root


needs_bash = pytest.mark.skipif(shutil.which("bash") is None,
                                reason="the action's steps run in bash")


@needs_bash
@pytest.mark.parametrize("fail_on_error", ["true", "false"])
@pytest.mark.parametrize(("state", "worst", "exits"), [
    ("green", 0, {"validate": 0, "verify": 0, "logs": 0}),
    ("red", 1, {"validate": 0, "verify": 1, "logs": 0}),
    ("invalid", 2, {"validate": 2, "verify": 2, "logs": 2}),
])
def test_every_command_runs_and_everything_is_written_under_githubs_shell(
        tmp_path: Path, state: str, worst: int, exits: dict[str, int],
        fail_on_error: str) -> None:
    repo, temp = make_repo(tmp_path / "repo", state), tmp_path / "runner"
    code, outputs, log = run_step(repo, temp, commands="validate verify logs",
                                  **{"log-file": "app.log", "fail-on-error": fail_on_error})
    assert code == (worst if fail_on_error == "true" else 0), log
    # Every requested command ran, in order, whatever the one before it said.
    ran = re.findall(r"^truthgate (\w+): exit (\d+)$", log, re.MULTILINE)
    assert ran == [(cmd, str(rc)) for cmd, rc in exits.items()], log
    assert outputs == {"exit-code": str(worst), "sarif-file": str(repo / "truthgate.sarif")}
    sarif = json.loads((repo / "truthgate.sarif").read_text())
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["tool"]["driver"]["name"] == (
        "truthgate")
    summary = (temp / "summary.md").read_text()
    assert "**truthgate validate**: exit " + str(exits["validate"]) in summary
    if state == "invalid":
        assert sarif["runs"][0]["invocations"][0]["executionSuccessful"] is False
        assert summary.count("invalid YAML") == 3  # each command's error, in the summary
        assert log.count("::error title=truthgate ") == 3
    else:
        assert "has-readme" in summary and "logs" in summary
    if state == "red":
        assert "::error file=README.md" in log  # the annotation of the finding


@needs_bash
def test_unknown_command_and_missing_log_file_are_reported_not_fatal(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", "green")
    code, outputs, log = run_step(repo, tmp_path / "runner",
                                  commands="validate bogus logs verify",
                                  **{"fail-on-error": "false"})
    assert code == 0, log
    assert outputs["exit-code"] == "2"
    assert "unknown command 'bogus'" in log and "log-file input is required" in log
    assert "truthgate verify: exit 0" in log  # still ran after both
    summary = (tmp_path / "runner" / "summary.md").read_text()
    assert "**truthgate bogus**: unknown command" in summary


@needs_bash
@pytest.mark.parametrize(("event", "allow", "runs"), [
    ("pull_request", "auto", False),
    ("pull_request_target", "auto", False),
    ("push", "auto", True),
    ("pull_request", "true", True),
    ("push", "false", False),
])
def test_command_invariants_run_only_when_allowed(tmp_path: Path, event: str, allow: str,
                                                  runs: bool) -> None:
    repo = make_repo(tmp_path / "repo", "green")
    script = "open('ran', 'w').close()"
    (repo / "product" / "truth.yaml").write_text(
        CONTRACT + f"  - {{id: cmd, kind: command, argv: [{sys.executable!r}, -c, {script!r}]}}\n")
    code, outputs, log = run_step(repo, tmp_path / "runner", event=event, commands="verify",
                                  **{"allow-commands": allow, "fail-on-error": "false"})
    assert (repo / "ran").exists() is runs, log
    assert outputs["exit-code"] == ("0" if runs else "1"), log
    if not runs:
        assert "needs --allow-commands" in log


def test_the_action_inputs_reach_the_script_only_through_env() -> None:
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step["run"], step.get("name")


@needs_bash
@pytest.mark.parametrize(("state", "code"), [("green", 0), ("red", 1), ("invalid", 2)])
def test_the_repo_workflow_verify_step_writes_its_summary_even_when_red(
        tmp_path: Path, state: str, code: int) -> None:
    step = next(s for s in WORKFLOW["jobs"]["truth_gate"]["steps"]
                if s.get("name") == "Verify the repository")
    repo, temp = make_repo(tmp_path / "repo", state), tmp_path / "runner"
    (repo / ".venv" / "bin").mkdir(parents=True)
    (repo / ".venv" / "bin" / "truthgate").symlink_to(
        Path(sys.executable).with_name("truthgate"))
    got, log = run_like_github(step, {}, repo, temp)
    assert got == code, log
    if state == "invalid":
        assert not (temp / "summary.md").exists()  # no report to summarise; the log says why
        assert "invalid YAML" in log
    else:
        assert "has-readme" in (temp / "summary.md").read_text()
        assert (repo / "truthgate.sarif").is_file()


@needs_bash
@pytest.mark.parametrize(("state", "code"), [("green", 0), ("red", 1)])
def test_the_workflow_init_writes_summarises_a_red_verify_and_fails(
        tmp_path: Path, state: str, code: int) -> None:
    from truthgate.scaffold.init import INSTALL_LINE, scaffold

    repo, temp = make_repo(tmp_path / "repo", state), tmp_path / "runner"
    scaffold(repo, install=INSTALL_LINE)  # keeps the repository's own contract
    workflow = yaml.safe_load((repo / ".github" / "workflows" / "truth_gate.yml").read_text())
    steps = workflow["jobs"]["truth_gate"]["steps"]
    verify = next(s for s in steps if "truthgate verify" in s.get("run", ""))
    bin_dir = str(Path(sys.executable).parent)
    got, log = run_like_github(verify, {}, repo, temp, path=f"{bin_dir}:/usr/bin:/bin")
    assert got == code, log
    assert "has-readme" in (temp / "summary.md").read_text()


def test_pre_commit_hooks_run_truthgate_without_file_names() -> None:
    by_id = {hook["id"]: hook for hook in HOOKS}
    assert set(by_id) == {"truthgate-verify", "truthgate-validate"}
    for hook_id, hook in by_id.items():
        assert hook["language"] == "python" and hook["pass_filenames"] is False
        assert hook["entry"] == "truthgate " + hook_id.removeprefix("truthgate-")
