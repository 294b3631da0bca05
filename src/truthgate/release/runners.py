"""A release's own side effects: git (status, tags) and a bounded command runner.

The engines and the ledger are wired in by ``truthgate.app.release``.
"""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

from truthgate.processes import run_bounded
from truthgate.redact import scrub
from truthgate.release.core import CommandResult, GitError

GIT_TIMEOUT_S = 30
OUTPUT_TAIL = 4000
DEFAULT_TIMEOUT_S = 1800.0  # a release 'command' step's limit when the contract gives none


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


def run_command(command: str, cwd: Path,
                timeout_s: float | None = DEFAULT_TIMEOUT_S) -> CommandResult:
    """Run a shell-free command line in ``cwd``; a missing program is exit status 127.

    Past ``timeout_s`` the command's whole process group is killed (a test runner's
    workers would otherwise keep the pipes open) and the result is status 124.
    """
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        return CommandResult(2, f"cannot parse the command: {exc}")
    if not argv:
        return CommandResult(2, "empty command")
    try:
        done = run_bounded(argv, cwd, timeout_s)
    except FileNotFoundError:
        return CommandResult(127, f"{argv[0]}: command not found")
    except OSError as exc:
        return CommandResult(126, f"{argv[0]}: {exc.strerror or exc}")
    tail = (done.out + done.err).decode("utf-8", "replace")[-OUTPUT_TAIL:]
    if done.returncode is None:
        return CommandResult(124, f"timed out after {timeout_s:g} s and was killed\n{tail}")
    return CommandResult(done.returncode, tail)


