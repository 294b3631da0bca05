"""Read a log as lines, in binary chunks, without ever holding the whole file.

Lines are split on ``\\n`` (a trailing ``\\r`` is dropped) and decoded as UTF-8 with
undecodable bytes replaced, a block of complete lines at a time (one C-level decode per
chunk instead of one per line). A line longer than :data:`MAX_LINE` bytes is cut there
and the rest of it skipped: a multi-megabyte line (a minified payload dumped into a log)
must not make memory grow with it.

:func:`iter_blocks` gives the same lines a block at a time, joined by ``\\n`` (what the
scan searches); :func:`iter_lines` gives them one by one.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

CHUNK = 1 << 18
BLOCK = 1 << 18  # bytes read at a time by iter_blocks; at most MAX_LINE (see there)
MAX_LINE = 1 << 20
STDIN = "-"


def iter_lines(stream: BinaryIO, chunk_size: int = CHUNK,
               max_line: int = MAX_LINE) -> Iterator[str]:
    """The lines of ``stream`` as text, newline characters removed."""
    carry = b""  # the unfinished last line of the previous chunk, at most max_line bytes
    skipping = False  # the current line already hit max_line: drop bytes until newline
    while True:
        chunk = stream.read(chunk_size)
        if not chunk:
            break
        cut = chunk.rfind(b"\n")
        if cut < 0:  # no line ends in this chunk: it all belongs to the current line
            if not skipping:
                carry += chunk[:max_line - len(carry)]
                skipping = len(carry) >= max_line
            continue
        head, tail = chunk[:cut], chunk[cut + 1:]
        first_nl = head.find(b"\n")
        first = head if first_nl < 0 else head[:first_nl]
        yield _decode(carry if skipping else (carry + first)[:max_line])
        if first_nl >= 0:  # more complete lines (possibly empty ones) up to the cut
            for text in _decode(head[first_nl + 1:]).split("\n"):
                yield text[:max_line] if len(text) > max_line else text
        carry = tail[:max_line]
        skipping = len(tail) >= max_line
    if carry:
        yield _decode(carry)


def iter_blocks(stream: BinaryIO, chunk_size: int = BLOCK,
                max_line: int = MAX_LINE) -> Iterator[str]:
    """The lines of :func:`iter_lines`, a block of whole lines at a time joined by ``\\n``.

    ``"\\n".join`` of the blocks, split on ``\\n``, is exactly the list of lines: a block is
    never empty of lines (an empty string is one empty line) and never ends with a newline.
    Decoding a block at once equals decoding its lines one by one: a newline byte is never
    part of a UTF-8 sequence, so no replacement spans two lines.
    """
    carry = b""  # the unfinished last line of the previous chunk, at most max_line bytes
    skipping = False  # the current line already hit max_line: drop bytes until newline
    while True:
        chunk = stream.read(chunk_size)
        if not chunk:
            break
        cut = chunk.rfind(b"\n")
        if cut < 0:  # no line ends in this chunk: it all belongs to the current line
            if not skipping:
                carry += chunk[:max_line - len(carry)]
                skipping = len(carry) >= max_line
            continue
        first_nl = chunk.find(b"\n")
        first = _decode(carry if skipping else (carry + chunk[:first_nl])[:max_line])
        if first_nl < cut:  # more complete lines (possibly empty ones) up to the cut
            rest = _decode(chunk[first_nl + 1:cut])
            if len(rest) > max_line:  # only when chunk_size > max_line
                rest = "\n".join(t[:max_line] for t in rest.split("\n"))
            yield first + "\n" + rest
        else:
            yield first
        carry = chunk[cut + 1:cut + 1 + max_line]
        skipping = len(chunk) - cut - 1 >= max_line
    if carry:
        yield _decode(carry)


def _decode(block: bytes) -> str:
    text = block.decode("utf-8", "replace")
    # Windows line ends: the \r before each \n goes, so quotes and anchors ($) behave.
    return text.replace("\r\n", "\n").removesuffix("\r") if "\r" in text else text


@contextlib.contextmanager
def open_blocks(source: str) -> Iterator[Iterator[str]]:
    """The blocks of :func:`iter_blocks` of a file, or of standard input when ``source`` is ``-``.

    Raises OSError (missing file, a directory, no permission) before any line is read.
    """
    if source == STDIN:
        yield iter_blocks(sys.stdin.buffer)
        return
    with Path(source).open("rb") as fh:
        yield iter_blocks(fh)


@contextlib.contextmanager
def open_source(source: str) -> Iterator[Iterator[str]]:
    """The lines of a file, or of standard input when ``source`` is ``-``.

    Raises OSError (missing file, a directory, no permission) before any line is read.
    """
    if source == STDIN:
        yield iter_lines(sys.stdin.buffer)
        return
    with Path(source).open("rb") as fh:
        yield iter_lines(fh)


def display_name(source: str) -> str:
    """How the source is named in reports."""
    return "<stdin>" if source == STDIN else source
