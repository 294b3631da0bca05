"""The real side effects of a release: the engines, a subprocess, git, the ledger."""

from __future__ import annotations

import importlib
import os
import shlex
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from truthgate.contract.model import Contract, ReleaseStep
from truthgate.cycles.ledger import Cycle, list_cycles, record_cycle
from truthgate.model import RunReport
from truthgate.redact import scrub
from truthgate.release.core import CommandResult, GitError, ReleaseRunners, ReleaseUsageError

GIT_TIMEOUT_S = 30
OUTPUT_TAIL = 4000


class Git:
    """git in one working tree, through the ``git`` executable."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        try:
            return subprocess.run(["git", *args], cwd=self.root, input=stdin, text=True,
                                  capture_output=True, timeout=GIT_TIMEOUT_S, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            raise GitError(f"cannot run git: {exc}") from None

    def head(self) -> str:
        done = self._run("rev-parse", "--verify", "-q", "HEAD")
        return done.stdout.strip() if done.returncode == 0 else ""

    def dirty(self) -> bool:
        # Untracked files do not count: the ledger itself writes new files under reports/.
        done = self._run("status", "--porcelain", "--untracked-files=no")
        if done.returncode != 0:
            raise GitError(done.stderr.strip() or "git status failed")
        return bool(done.stdout.strip())

    def tag_exists(self, tag: str) -> bool:
        return self._run("rev-parse", "-q", "--verify", f"refs/tags/{tag}").returncode == 0

    def create_tag(self, tag: str, commit: str, message: str) -> None:
        # The message goes through stdin (-F -): no length limit, no quoting of the shell.
        # Through the redaction boundary: a tag message is pushed for everyone to read.
        done = self._run("tag", "-a", tag, commit, "-F", "-", stdin=scrub(message))
        if done.returncode != 0:
            raise GitError(done.stderr.strip() or f"git tag {tag} failed")


def run_command(command: str, cwd: Path, timeout_s: float | None = None) -> CommandResult:
    """Run a shell-free command line in ``cwd``; a missing program is exit status 127."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        return CommandResult(2, f"cannot parse the command: {exc}")
    if not argv:
        return CommandResult(2, "empty command")
    try:
        done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, errors="replace",
                              timeout=timeout_s, check=False)
    except FileNotFoundError:
        return CommandResult(127, f"{argv[0]}: command not found")
    except subprocess.TimeoutExpired:
        return CommandResult(124, f"timed out after {timeout_s} s")
    except OSError as exc:
        return CommandResult(126, f"{argv[0]}: {exc.strerror or exc}")
    return CommandResult(done.returncode, (done.stdout + done.stderr)[-OUTPUT_TAIL:])


def _logs_entry() -> Callable[..., RunReport] | None:
    """``truthgate.logs.run_logs`` if this install has the log gate; looked up at use time."""
    try:
        module = importlib.import_module("truthgate.logs")
    except ImportError:
        return None
    fn = getattr(module, "run_logs", None)
    return fn if callable(fn) else None


def default_runners(contract: Contract, environ: Mapping[str, str] | None = None,
                    cycles_dir: Path | None = None, record: bool = True) -> ReleaseRunners:
    """Runners that do the real thing for ``contract``'s repository."""
    from truthgate.app import stamp

    env = dict(os.environ if environ is None else environ)
    ledger = cycles_dir or contract.root / contract.release.cycles_dir

    def verify() -> RunReport:
        from truthgate.verify.engine import run_verify

        return stamp(run_verify(contract, use_cache=contract.verify.cache), contract)

    def smoke(target: str | None, base_url: str | None) -> RunReport:
        from truthgate.smoke.runner import SmokeUsageError, run_smoke

        try:
            return stamp(run_smoke(contract, target=target, base_url=base_url, environ=env),
                         contract)
        except SmokeUsageError as exc:
            raise ReleaseUsageError(f"smoke: {exc}") from None

    def logs(step: ReleaseStep, source: str | None) -> RunReport | None:
        entry = _logs_entry()
        if entry is None:
            return None
        return entry(contract.source, source or "-", root=contract.root, environ=env)

    def history() -> Sequence[Cycle]:
        return list_cycles(ledger).cycles

    def save(report: RunReport) -> Cycle | None:
        return record_cycle(report, ledger, kind="release") if record else None

    return ReleaseRunners(
        verify=verify, smoke=smoke, logs=logs,
        command=lambda cmd: run_command(cmd, contract.root), history=history, record=save,
        git=Git(contract.root), stamp=lambda r: stamp(r, contract, r.context.flags))
