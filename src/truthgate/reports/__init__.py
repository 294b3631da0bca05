"""Report renderers: pure functions ``RunReport -> str``, one module per format.

Every renderer is deterministic (no clock, no environment, no randomness: the same report
gives the same bytes), so reports can be diffed, golden-tested and recorded as cycles.
Formats are registered in :mod:`truthgate.formats` by name and imported only when used, because ``verify``
must not pay the import cost of formats it does not print. ``write_atomic`` is the only
function in the package that touches the file system.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from truthgate.errors import UsageError
from truthgate.formats import REPORTERS, Reporter, formats
from truthgate.model import RunReport
from truthgate.redact import scrub

__all__ = [
    "REPORTERS",
    "Reporter",
    "UnknownFormatError",
    "formats",
    "render",
    "write_atomic",
]

class UnknownFormatError(UsageError, ValueError):
    """Raised by :func:`render` for a format name that is not registered."""



def render(fmt: str, report: RunReport) -> str:
    """Render ``report`` in format ``fmt`` (a key of :data:`REPORTERS`)."""
    try:
        reporter = REPORTERS[fmt]
    except KeyError:
        known = ", ".join(REPORTERS)
        raise UnknownFormatError(f"unknown report format {fmt!r} (known: {known})") from None
    return reporter.render(report)


def write_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` so readers see the old file or the new, never half.

    The bytes go to a temporary file in the same directory (``os.replace`` is atomic only
    within one file system) through the redaction boundary, are fsynced, then renamed over the target; the directory is
    fsynced too so the rename survives a crash. Parent directories are created. The file
    keeps the mode of the one it replaces, else 0o644 (a temp file would be 0o600, which
    would hide a report from the CI user that uploads it).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644
    data = scrub(text).encode("utf-8")
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        # Never leave a stray temp file behind, whatever interrupted us.
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(target.parent)
    return target


def _fsync_dir(directory: Path) -> None:
    """Best effort: some platforms (Windows) cannot open a directory for fsync."""
    try:
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(dfd)
    finally:
        os.close(dfd)
