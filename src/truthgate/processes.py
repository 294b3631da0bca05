"""Running a program the contract names, bounded in time, its whole process tree killed.

Both ``command`` invariants and the release's ``run: command`` steps start a program in its
own process group (POSIX), so a timeout kills its children too: a test runner's workers
would otherwise keep the pipes open and hang the gate.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

GRACE_S = 5.0  # how long to wait for the pipes to close after the kill


@dataclass(frozen=True)
class Finished:
    """What a bounded run produced: exit status (None when it timed out) and its output."""

    returncode: int | None
    out: bytes
    err: bytes


def run_bounded(argv: list[str], cwd: Path, timeout_s: float | None) -> Finished:
    """Run ``argv`` (no shell) in ``cwd``; FileNotFoundError/OSError when it cannot start."""
    posix = os.name == "posix"
    proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=posix)
    try:
        out, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        if posix:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        proc.kill()
        try:
            out, err = proc.communicate(timeout=GRACE_S)
        except subprocess.TimeoutExpired:
            out, err = b"", b""
        return Finished(None, out or b"", err or b"")
    return Finished(proc.returncode, out or b"", err or b"")
