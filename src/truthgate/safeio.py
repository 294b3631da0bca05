"""Reading a file that someone else controls: regular files only, never blocking, bounded.

A repository (or a pull request against it) can put a FIFO where truthgate expects a text
file (opening it for reading blocks until a writer appears: verify hangs forever), or a
symlink to ``/dev/zero`` (read until MemoryError), or a file of gigabytes. Every read of a
file whose content truthgate does not control goes through :func:`read_regular`: it opens
non-blocking, refuses anything but a regular file, and refuses more than ``limit`` bytes
(counting what it reads, not what ``stat`` said, so a growing file is bounded too).
Stdlib only, so every layer may use it.
"""

from __future__ import annotations

import errno
import os
import stat

MiB = 1 << 20


def file_type(mode: int) -> str:
    """What a non-regular file is, in words."""
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "a special file"


def read_regular(path: str | os.PathLike[str], limit: int | None = None) -> bytes:
    """The bytes of the regular file at ``path`` (symlinks followed).

    Raises OSError: EINVAL "<a FIFO>, not a regular file" for anything else, EFBIG when
    the file holds more than ``limit`` bytes, or whatever ``open`` raised.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, f"{file_type(st.st_mode)}, not a regular file")
        if limit is not None and st.st_size > limit:
            raise OSError(errno.EFBIG, f"larger than {limit} bytes ({st.st_size} bytes)")
        chunks: list[bytes] = []
        total = 0
        size = max(st.st_size + 1, 65536)
        while True:
            want = size if limit is None else min(size, limit + 1 - total)
            chunk = os.read(fd, max(want, 1))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            total += len(chunk)
            if limit is not None and total > limit:
                raise OSError(errno.EFBIG, f"larger than {limit} bytes (it grew while read)")
    finally:
        os.close(fd)
