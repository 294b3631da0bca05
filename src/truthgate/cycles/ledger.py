"""The cycle ledger: one numbered JSON file per recorded run, in ``release.cycles_dir``.

A cycle file ``NNNN.json`` is the run's JSON report (``reports.json_report``, which reads
back to the very same ``RunReport``) plus a ``cycle`` object carrying the number, the
kind of run and when it was recorded.

Two guarantees, because CI jobs and a release captain may record into one directory at
the same moment:

* **No half files.** The document is written to a temporary file in the same directory
  and fsynced *before* it gets its public name, so a reader (or a crash) sees either no
  cycle or a whole one.
* **Unique, consecutive numbers.** The public name is claimed with ``os.link``, which
  fails if the name exists; the loser of a race simply tries the next number. No lock
  file is needed, so a process killed mid-record can never leave the ledger locked.

Reading is tolerant: a file that does not parse (hand-edited, truncated by a disk-full
copy) is skipped with a note rather than breaking ``report list`` for every other cycle.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import errno
import json
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from truthgate.errors import TruthgateError
from truthgate.model import Finding, InvariantResult, Outcome, RunReport, Severity
from truthgate.redact import scrub
from truthgate.reports.json_report import ReportFormatError, load, render
from truthgate.safeio import read_regular

LEDGER_VERSION = 1
_NAME = re.compile(r"^(\d{4,})\.json$")
# Far more than any real contention; only a bug (or a directory we cannot link in) loops.
_MAX_CLAIMS = 10_000
MAX_CYCLE_BYTES = 64 << 20  # a cycle file past this is refused as unreadable, not loaded
# Errors meaning "this file system has no hard links": fall back to an O_EXCL claim.
_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.EXDEV}


# The item that carries a release's own verdict when it was not green (see release.core).
RELEASE_VERDICT_ID = "release"
# How a release that was not green ends its notes; older ledgers recorded some of these
# releases as passed cycles (a refusal at the definition of done had no red item).
_NOT_GREEN = ("release RED at step ", "release refused: ", "release green but tagging failed")


def release_verdict_item(message: str) -> InvariantResult:
    """The failed item that makes a red or refused release cycle red, saying why."""
    return InvariantResult(
        id=RELEASE_VERDICT_ID, kind=RELEASE_VERDICT_ID, severity=Severity.ERROR,
        outcome=Outcome.FAIL, description="the release was not green: nothing was tagged",
        findings=(Finding(invariant_id=RELEASE_VERDICT_ID, kind=RELEASE_VERDICT_ID,
                          message=message),))


def _truthful(kind: str, report: RunReport) -> RunReport:
    """An old release cycle recorded as passed though its release was refused, made red."""
    if kind != "release" or not report.passed:
        return report
    why = next((n for n in reversed(report.notes) if n.startswith(_NOT_GREEN)), None)
    if why is None:
        return report
    return dataclasses.replace(report, invariants=(*report.invariants,
                                                   release_verdict_item(why)))


class CycleError(TruthgateError):
    """A cycle that does not exist or cannot be read."""


@dataclass(frozen=True)
class Cycle:
    """One recorded run: its number in the ledger, what kind of run, and the report."""

    number: int
    kind: str
    report: RunReport
    recorded_at: str = ""
    path: Path | None = None

    @property
    def passed(self) -> bool:
        return self.report.passed

    @property
    def label(self) -> str:
        """``"cycle 7 (smoke)"``: how messages name a cycle."""
        return f"cycle {self.number} ({self.kind})"


@dataclass(frozen=True)
class LedgerScan:
    """Every readable cycle, oldest first, and a note for each file that was skipped."""

    cycles: tuple[Cycle, ...] = ()
    notes: tuple[str, ...] = ()

    def get(self, number: int) -> Cycle | None:
        return next((c for c in self.cycles if c.number == number), None)


def cycle_path(cycles_dir: Path, number: int) -> Path:
    """Where cycle ``number`` lives: four digits, more once the ledger passes 9999."""
    return cycles_dir / f"{number:04d}.json"


def _utc_now() -> str:
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    return now.replace("+00:00", "Z")


def cycle_document(report: RunReport, number: int, kind: str, recorded_at: str) -> str:
    """The text of a cycle file: the JSON report with a ``cycle`` header added."""
    data: dict[str, Any] = json.loads(render(report))
    data["cycle"] = {"number": number, "kind": kind, "recorded_at": recorded_at,
                     "ledger_version": LEDGER_VERSION}
    # Through the redaction boundary: a cycle is committed to the repository and read by all.
    return scrub(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def _numbers(cycles_dir: Path) -> list[int]:
    try:
        names = os.listdir(cycles_dir)
    except FileNotFoundError:
        return []
    return sorted(int(m.group(1)) for n in names if (m := _NAME.match(n)))


def _write_fd(fd: int, data: bytes) -> None:
    """Replace the whole content of ``fd`` with ``data`` and make it durable."""
    os.lseek(fd, 0, os.SEEK_SET)
    os.ftruncate(fd, 0)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]
    os.fsync(fd)


def _claim(tmp: str, target: Path) -> bool:
    """Give ``tmp`` the name ``target`` unless it exists; False when another run has it."""
    try:
        os.link(tmp, target)
        return True
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
    # No hard links here: reserve the name with O_EXCL, then move the finished file over
    # it. A reader may briefly see the empty reservation; it is skipped like any bad file.
    try:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    except FileExistsError:
        return False
    os.replace(tmp, target)
    return True


def _fsync_dir(directory: Path) -> None:
    """Make the new name durable; best effort where directories cannot be opened."""
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(dfd)
    finally:
        os.close(dfd)


def record_cycle(report: RunReport, cycles_dir: Path, kind: str | None = None,
                 now: Callable[[], str] = _utc_now) -> Cycle:
    """Append ``report`` to the ledger as the next cycle and return it.

    ``kind`` defaults to the run's command (verify, smoke, logs, release). Safe to call
    from several processes at once: each gets its own number, none is lost.
    """
    kind = kind or report.context.command or "run"
    cycles_dir.mkdir(parents=True, exist_ok=True)
    recorded_at = now()
    fd, tmp = tempfile.mkstemp(dir=cycles_dir, prefix=".cycle-", suffix=".tmp")
    try:
        # mkstemp makes 0o600; the CI user uploading reports must be able to read them.
        os.fchmod(fd, 0o644)
        number = (_numbers(cycles_dir) or [0])[-1] + 1
        for _ in range(_MAX_CLAIMS):
            _write_fd(fd, cycle_document(report, number, kind, recorded_at).encode("utf-8"))
            target = cycle_path(cycles_dir, number)
            if _claim(tmp, target):
                break
            # Lost the race (or a gap-filler took it): look again rather than guess +1,
            # so a burst of writers converges on the next free number quickly.
            number = max(number + 1, (_numbers(cycles_dir) or [0])[-1] + 1)
        else:  # pragma: no cover - needs ten thousand concurrent writers
            raise CycleError(f"could not claim a cycle number in {cycles_dir}")
    finally:
        os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    _fsync_dir(cycles_dir)
    return Cycle(number=number, kind=kind, report=report, recorded_at=recorded_at,
                 path=target)


def rewrite_cycle(cycle: Cycle, report: RunReport) -> Cycle:
    """Replace a recorded cycle's report, keeping its number, kind and time.

    Only for a verdict that changed after recording (a release recorded green whose tag
    then failed). The new text gets the same path by ``os.replace`` from a fsynced temp
    file, so a reader sees the old cycle or the new one, never half of either.
    """
    if cycle.path is None:
        raise CycleError(f"{cycle.label} has no file to rewrite")
    text = cycle_document(report, cycle.number, cycle.kind, cycle.recorded_at)
    fd, tmp = tempfile.mkstemp(dir=cycle.path.parent, prefix=".cycle-", suffix=".tmp")
    try:
        os.fchmod(fd, 0o644)
        _write_fd(fd, text.encode("utf-8"))
        os.replace(tmp, cycle.path)
    finally:
        os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    _fsync_dir(cycle.path.parent)
    return Cycle(number=cycle.number, kind=cycle.kind, report=report,
                 recorded_at=cycle.recorded_at, path=cycle.path)


def parse_cycle(text: str, path: Path | None = None, number: int | None = None) -> Cycle:
    """A cycle from the text of its file; CycleError saying why when it is not one."""
    try:
        data = json.loads(text)
        report = load(text)  # ignores the ``cycle`` header it does not know
    except (ValueError, ReportFormatError, TypeError, KeyError) as exc:
        raise CycleError(f"not a readable cycle: {exc}") from None
    header = data.get("cycle") if isinstance(data, dict) else None
    if not isinstance(header, dict):
        raise CycleError("not a cycle: the 'cycle' header is missing")
    # The file name is what numbering trusts; the header only confirms it.
    num = number if number is not None else header.get("number")
    if not isinstance(num, int):
        raise CycleError("not a cycle: no cycle number")
    kind = str(header.get("kind") or report.context.command or "run")
    return Cycle(number=num, kind=kind, report=_truthful(kind, report),
                 recorded_at=str(header.get("recorded_at") or ""), path=path)


def _read(path: Path, number: int) -> Cycle:
    try:
        # A cycle file is the repository's to plant: a FIFO or a link to /dev/zero there
        # must not hang or exhaust `report`, so regular files of bounded size only.
        text = read_regular(path, MAX_CYCLE_BYTES).decode("utf-8")
    except FileNotFoundError:
        raise CycleError(f"no cycle {number} in {path.parent}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CycleError(f"{path.name}: cannot read: {exc}") from None
    try:
        return parse_cycle(text, path, number)
    except CycleError as exc:
        raise CycleError(f"{path.name}: {exc}") from None


def list_cycles(cycles_dir: Path,
                progress: Callable[[int, int], None] | None = None) -> LedgerScan:
    """Every cycle in the ledger, oldest first; unreadable files become notes, not errors.

    ``progress(done, total)`` follows the files read (a terminal's progress bar)."""
    cycles: list[Cycle] = []
    notes: list[str] = []
    numbers = _numbers(cycles_dir)
    for i, number in enumerate(numbers):
        if progress is not None:
            progress(i, len(numbers))
        try:
            cycles.append(_read(cycle_path(cycles_dir, number), number))
        except CycleError as exc:
            notes.append(f"skipped {exc}")
    if progress is not None:
        progress(len(numbers), len(numbers))
    return LedgerScan(tuple(cycles), tuple(notes))


def load_cycle(cycles_dir: Path, number: int) -> Cycle:
    """Cycle ``number``; CycleError when it is missing or unreadable."""
    return _read(cycle_path(cycles_dir, number), number)


def latest_number(cycles_dir: Path) -> int:
    """The highest cycle number on disk (readable or not), 0 for an empty ledger."""
    return (_numbers(cycles_dir) or [0])[-1]
