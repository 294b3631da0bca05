"""Which lines of a block of log lines can hold a match: found by plain-string search.

The log gate scans blocks of whole lines; these give the ``(start, end)`` of the lines a
pattern's required strings, its block regex or an error hint touch, so only those lines are
cut out and tested exactly (see ``logs/scan.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import AnyStr

from truthgate.logs.normalise import HINT_LITERALS, LEVELS

# For a block lowered as bytes (see _hint_spans): every error line, lowered, holds one of
# these whole words (an error line holds a level word, a traceback banner or a name ending
# in Error or Exception); longer strings than HINT_LITERALS' pieces, so fewer false hits
# and a faster search.
_HINT_LOWER = tuple(w.encode("ascii") for w in (*LEVELS, "traceback", "exception"))


def hint_spans(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each line of ``text`` holding one of the error hint's strings.

    A block whose characters all fit in one byte each (ASCII, Latin-1: most logs) is
    lowered as bytes (offsets unchanged) and searched for 8 lower-case words instead of
    14 strings in two cases.
    """
    try:
        low = text.encode("latin-1").lower()
    except UnicodeEncodeError:
        return literal_spans(HINT_LITERALS, text, "\n")
    return literal_spans(_HINT_LOWER, low, b"\n")


def literal_spans(literals: tuple[AnyStr, ...], text: AnyStr,
                   nl: AnyStr) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each line of ``text`` holding one of ``literals``, in order.

    ``nl`` is the newline (``"\\n"`` or ``b"\\n"``). No literal holds a newline, so each hit
    lies inside one line; the search for a literal resumes after the line it was found in.
    """
    find, rfind, size = text.find, text.rfind, len(text)
    if len(literals) == 1:
        (lit,) = literals
        at = find(lit)
        while at >= 0:
            end = find(nl, at + len(lit))
            if end < 0:
                yield rfind(nl, 0, at) + 1, size
                return
            yield rfind(nl, 0, at) + 1, end
            at = find(lit, end + 1)
        return
    lines: dict[int, int] = {}
    for lit in literals:
        at = find(lit)
        while at >= 0:
            end = find(nl, at + len(lit))
            if end < 0:
                lines[rfind(nl, 0, at) + 1] = size
                break
            lines[rfind(nl, 0, at) + 1] = end
            at = find(lit, end + 1)
    for start in sorted(lines):
        yield start, lines[start]


def regex_spans(block: re.Pattern[str], text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each line of ``text`` that a match of ``block`` touches, in order.

    Every line that could match on its own is touched by some match in the block (see
    :func:`block_regex`), so only these lines need the exact test. A match that ends at
    the start of a line (it took the newline before) touches that line too.
    """
    find, rfind, size = text.find, text.rfind, len(text)
    following = 0  # the start of the first line not yielded yet
    for m in block.finditer(text):
        begin, finish = m.span()
        start = max(rfind("\n", 0, begin) + 1, following)
        while start <= finish and start <= size:
            end = find("\n", start)
            if end < 0:
                end = size
            yield start, end
            start = following = end + 1


def all_spans(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of every line of ``text``."""
    start = 0
    for line in text.split("\n"):
        end = start + len(line)
        yield start, end
        start = end + 1


# Constructs under which a match inside one line might not be a match inside the block of
# lines joined by newlines (they look at what surrounds the match, or at the string's ends).
_CONTEXT_SENSITIVE = ("(?<", "(?=", "(?!", "(?>", "\\A", "\\Z", "*+", "++", "?+", "}+")


def block_regex(pattern: str) -> re.Pattern[str] | None:
    """``pattern`` for scanning a block of lines at once, or None when that is not exact.

    With ``re.MULTILINE`` (``^``/``$`` at every line), and without lookaround, string
    anchors or possessive matching, a pattern matching a line at some position also matches
    the block at that position: the block's matches touch a superset of the matching lines.
    A pattern matching the empty string matches every line and gains nothing from a block.
    """
    if any(tok in pattern for tok in _CONTEXT_SENSITIVE):
        return None
    try:
        compiled = re.compile(pattern, re.MULTILINE)
    except re.error:
        return None
    return None if compiled.search("") is not None else compiled
