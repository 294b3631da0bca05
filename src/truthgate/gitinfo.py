"""What git says about the checkout a run happened in (best effort, never fatal)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class GitInfo:
    commit: str = ""
    branch: str = ""
    dirty: bool = False


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def git_info(root: Path) -> GitInfo:
    """Commit, branch and dirty flag of ``root``; empty values outside a git checkout."""
    commit = _git(root, "rev-parse", "HEAD")
    if not commit:
        return GitInfo()
    branch = _git(root, "rev-parse", "--abbrev-ref", "HEAD")
    status = _git(root, "status", "--porcelain", "--untracked-files=no")
    return GitInfo(commit=commit, branch=branch, dirty=bool(status))


def tracked_files(root: Path) -> frozenset[str] | None:
    """Paths (relative to ``root``, posix) git tracks below ``root``; None outside a checkout."""
    try:
        done = subprocess.run(
            ["git", "ls-files", "-z", "--", "."], cwd=root, capture_output=True, timeout=30,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    names = done.stdout.decode("utf-8", "surrogateescape").split("\0")
    return frozenset(n for n in names if n)
