"""The real side effects of a release: the engines, a subprocess, git, the ledger."""

from __future__ import annotations

import importlib
import os
import shlex
import subprocess
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from truthgate.contract.model import Contract, ReleaseStep
from truthgate.cycles.ledger import Cycle, list_cycles, record_cycle, rewrite_cycle
from truthgate.model import RunReport
from truthgate.redact import scrub
from truthgate.release.core import (
    CommandResult,
    GitError,
    LogSourceError,
    ReleaseRunners,
    ReleaseUsageError,
)
from truthgate.release.targets import runs_unsafe

GIT_TIMEOUT_S = 30
OUTPUT_TAIL = 4000


class Git:
    """git in one working tree, through the ``git`` executable.

    ``ledger`` is the cycle ledger directory: truthgate writes it during the release (and
    CI runs append to it), so what is in it never makes the tree unclean.
    """

    def __init__(self, root: Path, ledger: Path | None = None) -> None:
        self.root = root
        self.ledger = ledger

    def _run(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        try:
            # errors="replace": a file name that is not UTF-8 must not crash the release.
            return subprocess.run(["git", *args], cwd=self.root, input=stdin, text=True,
                                  errors="replace", capture_output=True,
                                  timeout=GIT_TIMEOUT_S, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            raise GitError(f"cannot run git: {exc}") from None

    def head(self) -> str:
        done = self._run("rev-parse", "--verify", "-q", "HEAD")
        return done.stdout.strip() if done.returncode == 0 else ""

    def _ledger_prefix(self) -> str:
        """The ledger's path relative to the checkout's top level ('' when outside it)."""
        if self.ledger is None:
            return ""
        top = self._run("rev-parse", "--show-toplevel")
        if top.returncode != 0:
            return ""
        try:
            rel = self.ledger.resolve().relative_to(Path(top.stdout.strip()).resolve())
        except ValueError:
            return ""
        return rel.as_posix().rstrip("/") + "/" if rel.parts else ""

    def unclean(self) -> tuple[str, ...]:
        """Modified, staged, deleted and untracked (not ignored) paths, one line each.

        Untracked files count: a tag is a commit, and a file that exists only on this disk
        (a kb page never added) was checked by the gate but will not be in the tag.
        """
        done = self._run("status", "--porcelain=v1", "-z", "--untracked-files=all",
                         "--ignore-submodules=none")
        if done.returncode != 0:
            raise GitError(done.stderr.strip() or "git status failed")
        ledger = self._ledger_prefix()
        out: list[str] = []
        entries = iter(done.stdout.split("\0"))
        for entry in entries:
            if len(entry) < 4:
                continue
            code, path = entry[:2], entry[3:]
            if "R" in code or "C" in code:
                next(entries, None)  # the rename's source path follows
            if ledger and path.startswith(ledger):
                continue
            out.append(f"{_STATUS.get(code, 'changed')}: {path}")
        return tuple(out)

    def tag_exists(self, tag: str) -> bool:
        return self._run("rev-parse", "-q", "--verify", f"refs/tags/{tag}").returncode == 0

    def create_tag(self, tag: str, commit: str, message: str) -> None:
        # The message goes through stdin (-F -): no length limit, no quoting of the shell.
        # Through the redaction boundary: a tag message is pushed for everyone to read.
        done = self._run("tag", "-a", tag, commit, "-F", "-", stdin=scrub(message))
        if done.returncode != 0:
            raise GitError(done.stderr.strip() or f"git tag {tag} failed")


def _status_words() -> dict[str, str]:
    words = {"??": "untracked"}
    for code in (" M", "M ", "MM", "AM", " T", "T "):
        words[code] = "modified"
    for code in (" D", "D ", "AD", "MD"):
        words[code] = "deleted"
    words["A "] = "added, not committed"
    for code in ("R ", "RM", "RD", "C ", "CM"):
        words[code] = "renamed"
    for code in ("UU", "AA", "DD", "AU", "UA", "DU", "UD"):
        words[code] = "unmerged"
    return words


_STATUS = _status_words()


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


LOGS_COMMAND_TIMEOUT_S = 600


def logs_from_command(entry: Callable[..., RunReport], contract: Contract, command: str,
                      env: Mapping[str, str]) -> RunReport:
    """Gate the standard output of ``command`` (shell-free, in the repository root).

    The output goes to a temporary file first (constant memory, however long the log);
    a command that cannot run or exits non-zero raises LogSourceError: the step cannot
    run, rather than a silently empty, green log.
    """
    import tempfile

    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise LogSourceError(f"cannot parse the log command: {exc}") from None
    if not argv:
        raise LogSourceError("the log command is empty")
    with tempfile.TemporaryDirectory(prefix="truthgate-logs-") as tmp:
        path = Path(tmp) / "log"
        try:
            with path.open("wb") as out:
                done = subprocess.run(argv, cwd=contract.root, stdout=out,
                                      stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                      env=dict(env), timeout=LOGS_COMMAND_TIMEOUT_S,
                                      check=False)
        except FileNotFoundError:
            raise LogSourceError(f"log command {argv[0]}: command not found") from None
        except subprocess.TimeoutExpired:
            raise LogSourceError(f"log command timed out after {LOGS_COMMAND_TIMEOUT_S} s "
                                 f"({command})") from None
        except OSError as exc:
            raise LogSourceError(f"log command {argv[0]}: {exc.strerror or exc}") from None
        if done.returncode != 0:
            tail = done.stderr.decode("utf-8", "replace").strip()[-500:]
            raise LogSourceError(f"log command exited {done.returncode} ({command})"
                                 + (f": {tail}" if tail else ""))
        return entry(contract.source, str(path), root=contract.root, environ=env,
                     name=f"`{command}`")


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
            return stamp(run_smoke(contract, target=target, base_url=base_url, environ=env,
                                   allow_unsafe=runs_unsafe(contract, target)), contract)
        except SmokeUsageError as exc:
            raise ReleaseUsageError(f"smoke: {exc}") from None

    def logs(step: ReleaseStep, source: str | None) -> RunReport | None:
        entry = _logs_entry()
        if entry is None:
            return None
        if source is None and step.source_command:
            return logs_from_command(entry, contract, step.source_command, env)
        return entry(contract.source, source or "-", root=contract.root, environ=env)

    def history() -> Sequence[Cycle]:
        return list_cycles(ledger).cycles

    def save(report: RunReport) -> Cycle | None:
        return record_cycle(report, ledger, kind="release") if record else None

    def resave(cycle: Cycle, report: RunReport) -> Cycle | None:
        return rewrite_cycle(cycle, report)

    return ReleaseRunners(
        verify=verify, smoke=smoke, logs=logs,
        command=lambda cmd: run_command(cmd, contract.root), history=history, record=save,
        git=Git(contract.root, ledger), stamp=lambda r: stamp(r, contract, r.context.flags),
        rerecord=resave)

