"""Regular expressions from the contract, matched in linear time (RE2, google-re2 on PyPI).

A contract is data someone else may write: a backtracking pattern such as ``(a+)+$`` made
Python's ``re`` take 2.8 s on 24 characters (doubling per character), so verify's
``pattern`` invariant and smoke's ``body_regex`` hung on one line. RE2 matches in time
linear in the text (the same pattern over 1 MB: 3 ms) and refuses what it cannot do that
way: backreferences (``\\1``) and lookaround (``(?=``, ``(?<=``, ``(?!``). ``validate``
checks every such field with :func:`compile_linear` (format ``linear-regex``), so a
construct RE2 lacks is a located contract error, not a surprise at run time.

Differences from ``re`` worth knowing: ``\\d``, ``\\w``, ``\\s`` and ``\\b`` are ASCII;
``$`` without ``multiline`` matches only at the very end (not before a final newline);
repetition counts stop at 1000. The log scanner (``truthgate.logs``) keeps its own engine.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any, Protocol


class RegexError(ValueError):
    """A pattern the linear-time engine cannot compile; the message says why."""


class Match(Protocol):
    def start(self) -> int: ...
    def end(self) -> int: ...
    def group(self, index: int = 0) -> str: ...


class LinearRegex:
    """A compiled pattern; ``pattern`` is the text as written (flags shown separately)."""

    __slots__ = ("_compiled", "flags", "pattern")

    def __init__(self, pattern: str, flags: tuple[str, ...], compiled: Any) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled = compiled

    def search(self, text: str) -> Match | None:
        found: Match | None = self._compiled.search(text)
        return found

    def finditer(self, text: str) -> Iterator[Match]:
        return iter(self._compiled.finditer(text))

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, LinearRegex)
                and (self.pattern, self.flags) == (other.pattern, other.flags))

    def __hash__(self) -> int:
        return hash((self.pattern, self.flags))

    def __str__(self) -> str:  # stable: it keys the verify results cache (cachedir._canon)
        return f"/{self.pattern}/{','.join(self.flags)}"

    __repr__ = __str__


FLAGS = ("ignorecase", "multiline", "dotall", "ascii")
_INLINE = {"ignorecase": "i", "multiline": "m", "dotall": "s"}


@functools.lru_cache(maxsize=1024)
def compile_linear(pattern: str, flags: tuple[str, ...] = ()) -> LinearRegex:
    """Compile ``pattern`` for RE2; RegexError naming the unsupported construct if it fails.

    ``flags``: ignorecase, multiline, dotall; ascii is accepted and changes nothing (RE2's
    classes are ASCII already).
    """
    import re2  # google-re2: a compiled extension, imported only by a run that needs it

    unknown = [f for f in flags if f not in FLAGS]
    if unknown:
        raise RegexError(f"unknown flag {unknown[0]!r} (known: {', '.join(FLAGS)})")
    inline = "".join(sorted({_INLINE[f] for f in flags if f in _INLINE}))
    options = re2.Options()
    options.log_errors = False  # the error is ours to report, not a line on stderr
    try:
        compiled = re2.compile(f"(?{inline})" + pattern if inline else pattern, options)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else exc
        if isinstance(detail, bytes):
            detail = detail.decode("utf-8", "replace")
        raise RegexError(
            f"{detail} (contract regexes are matched in linear time by RE2: no "
            "backreferences, no lookahead or lookbehind, repetition counts up to 1000)"
        ) from None
    except (TypeError, ValueError) as exc:
        raise RegexError(str(exc)) from None
    return LinearRegex(pattern, tuple(flags), compiled)


def search(pattern: str, text: str) -> bool:
    """True when ``pattern`` (compiled once per process) matches somewhere in ``text``."""
    return compile_linear(pattern).search(text) is not None
