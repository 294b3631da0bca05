"""The plain strings every match of a regex must contain, for a C-speed search before the regex.

``str.find`` runs several times faster than the ``re`` engine scanning a text for a pattern
(3-6 GB/s against 0.1-1 GB/s here, where an alternation such as ``a|b`` whose branches start
with different letters is the slowest). So the log gate looks for a pattern's required
literals first and runs the regex only on the lines that hold one (see
:func:`required_literals`).
"""

from __future__ import annotations

import importlib
import re
import sys
from typing import Any

# The stdlib's regex parser: ``re._parser`` from 3.11 (``sre_parse`` warns there), ``sre_parse`` before.
_sre: Any = importlib.import_module("re._parser" if sys.version_info >= (3, 11) else "sre_parse")

MIN_LITERAL = 3  # shorter literals occur on most lines: the regex engine does better alone


def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Strings of which every match of ``pattern`` (compiled without flags) contains one.

    None when there is no such set worth searching for (a literal shorter than
    :data:`MIN_LITERAL`, case-insensitive parts, or no literal at all). Only what is
    certain is used: a run of literal characters at the top level of the pattern, or of a
    group, or one run in each branch of an alternation. So a line the regex matches always
    contains one of the strings; the converse is the regex's to decide.
    """
    try:
        tree = _sre.parse(pattern)
        if tree.state.flags & re.IGNORECASE:
            return None
        found = _sequence(tree.data)
    except Exception:  # noqa: BLE001 - a private parser's shape may change: scan with the regex then
        return None
    if found is None or min(map(len, found)) < MIN_LITERAL:
        return None
    return tuple(sorted(found))


def _sequence(items: Any) -> frozenset[str] | None:
    """The best literal set for a sequence of parsed items: all of them occur in order."""
    options: list[frozenset[str]] = []
    run: list[str] = []
    for op, av in items:
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        if run:
            options.append(frozenset(("".join(run),)))
            run = []
        if op is _sre.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            if not add_flags & re.IGNORECASE:
                inner = _sequence(sub.data)
                if inner is not None:
                    options.append(inner)
        elif op is _sre.BRANCH:
            branches = [_sequence(b.data) for b in av[1]]
            if branches and all(b is not None for b in branches):
                options.append(frozenset().union(*(b for b in branches if b is not None)))
    if run:
        options.append(frozenset(("".join(run),)))
    # A literal with a newline can never be inside one line: the pattern then matches no
    # line, and the regex engine says so on its own.
    options = [o for o in options if o and not any("\n" in s for s in o)]
    if not options:
        return None
    return max(options, key=lambda o: (min(map(len, o)), -len(o)))
