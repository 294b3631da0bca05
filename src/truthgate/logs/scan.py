"""``scan_logs``: one pass over a log, constant memory, every rule of the contract at once.

Per forbidden pattern the scan counts matching lines against the pattern's threshold:
``max`` matches in the whole log, or — when the pattern has ``window_seconds`` and the line
carries a timestamp — ``max`` matches in any window of that many seconds (a sliding window:
the (max+1)-th most recent timed match closer than ``window_seconds`` to the current one is
a breach). Matching lines without a timestamp count toward the whole-log total instead.

Error loops: every error line is reduced to a key (see :mod:`truthgate.logs.normalise`) and
counted; a key seen more than ``error_loop_limit`` times is a loop.

Speed: the log is scanned a block of whole lines at a time (:func:`scan_blocks`, about a
MiB, from :func:`truthgate.logs.source.iter_blocks`), and no line is split off a block
unless a search of the whole block touches it. Each rule first searches the block, in C,
for the plain strings every match must contain (:func:`~truthgate.logs.literals.required_literals`;
``str.find`` runs 3-30x faster than the regex engine over the same text), or, for a
pattern without such strings, for its own regex (see :func:`block_regex`). Only the lines
a hit falls in are cut out (``rfind``/``find`` of the newlines around the hit) and get
the exact per-line test; line numbers are counted (``str.count`` of newlines) only for a
line that is quoted.

Memory is bounded whatever the log: one block at a time, a window keeps at most
``max + 1`` timestamps, each rule keeps at most :data:`QUOTES` quoted lines, and the error
counter keeps at most :data:`MAX_KEYS` keys (see :class:`_LoopCounter`).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from truthgate.contract.model import LogPattern, Observability
from truthgate.logs.literals import required_literals
from truthgate.logs.normalise import error_key, is_error_line
from truthgate.logs.spans import all_spans, block_regex, hint_spans, literal_spans, regex_spans
from truthgate.logs.timestamps import parse_timestamp
from truthgate.redact import Redactor

QUOTES = 3  # offending lines quoted per rule
QUOTE_CHARS = 300  # each quote truncated to this many characters
MAX_KEYS = 4096  # distinct error keys tracked at once
BATCH_CHARS = 1 << 18  # lines given one by one are scanned a block of about this many characters at a time



@dataclass(frozen=True)
class Quote:
    """One offending line: its 1-based number and its text, secrets masked, truncated."""

    line: int
    text: str


@dataclass(frozen=True)
class PatternScan:
    """What one forbidden pattern found.

    ``breaches`` counts the matching lines that went over the threshold (for a whole-log
    threshold of 3, the 4th match onward; for a window, each match that made its window
    hold more than ``max``). ``error`` is set when the regex does not compile.
    """

    pattern: LogPattern
    matches: int = 0
    timed_matches: int = 0
    breaches: int = 0
    quotes: tuple[Quote, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class ErrorLoop:
    """One error repeated beyond the limit: its normalised key, count and first line."""

    key: str
    count: int
    first: Quote


@dataclass(frozen=True)
class LogScan:
    """The whole result of one scan; ``loops`` is sorted by count, most repeated first."""

    lines: int
    chars: int
    patterns: tuple[PatternScan, ...]
    error_loop_limit: int
    error_lines: int
    loops: tuple[ErrorLoop, ...]
    loops_approximate: bool = False


def mask_and_cut(text: str, redactor: Redactor, focus: re.Pattern[str] | None) -> str:
    """``text`` with every secret and credential masked, cut to :data:`QUOTE_CHARS` around ``focus``'s match.

    Masking happens before cutting, so no cut can leave half a secret behind.
    """
    # Secret values in any form, and what no env var names (a logged bearer token, a
    # cookie, password=...): masked by the redaction boundary's own rule.
    text = redactor.redact(text).rstrip("\r\n")
    if len(text) <= QUOTE_CHARS:
        return text
    start = 0
    m = focus.search(text) if focus is not None else None
    if m is not None and m.end() > QUOTE_CHARS - 1:
        # Show the match with some lead-in; a quote without the offending part is useless.
        start = max(0, min(m.start() - 40, len(text) - QUOTE_CHARS + 1))
    cut = text[start:start + QUOTE_CHARS - 1]
    return ("…" if start else "") + cut + "…"


class _PatternCounter:
    """Mutable state of one pattern while the scan runs."""

    def __init__(self, pattern: LogPattern) -> None:
        self.pattern = pattern
        self.error = ""
        self.regex: re.Pattern[str] | None
        try:
            self.regex = re.compile(pattern.regex)
        except re.error as exc:
            self.regex, self.error = None, f"invalid regex {pattern.regex!r}: {exc}"
        self.literals = required_literals(pattern.regex) if self.regex is not None else None
        self.block = (block_regex(pattern.regex)
                      if self.regex is not None and self.literals is None else None)
        self.windowed = pattern.window_seconds > 0
        self.recent: deque[float] = deque(maxlen=max(pattern.max, 0) + 1)
        self.matches = self.timed = self.untimed = self.breaches = 0
        self.quotes: list[Quote] = []

    def offends(self, stamp: float | None) -> bool:
        """Count one matching line; True when it takes the count over the threshold."""
        self.matches += 1
        if self.windowed and stamp is not None:
            self.timed += 1
            self.recent.append(stamp)
            # Logs from several pods interleave slightly out of order: measure the span
            # as a distance so a step back in time does not hide a burst.
            return (len(self.recent) == self.recent.maxlen
                    and abs(stamp - self.recent[0]) < self.pattern.window_seconds)
        self.untimed += 1
        return self.untimed > self.pattern.max

    def freeze(self) -> PatternScan:
        return PatternScan(self.pattern, self.matches, self.timed, self.breaches,
                           tuple(self.quotes), self.error)


class _LoopCounter:
    """Counts error keys in bounded memory.

    When :data:`MAX_KEYS` keys are held and a new one arrives, the least repeated half is
    dropped (a loop is, by definition, among the most repeated, so it survives); counts of
    keys dropped and seen again restart, which ``approximate`` records for the report.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.counts: dict[str, int] = {}
        self.first: dict[str, Quote] = {}
        self.error_lines = 0
        self.approximate = False

    def add(self, key: str, quote: Quote) -> None:
        """Count a key not held yet; ``quote`` is its first line."""
        self.error_lines += 1
        if len(self.counts) >= MAX_KEYS:
            self._evict()
        self.counts[key] = 1
        self.first[key] = quote

    def again(self, key: str) -> None:
        """Count a key already held."""
        self.error_lines += 1
        self.counts[key] += 1

    def _evict(self) -> None:
        self.approximate = True
        keep = sorted(self.counts, key=self.counts.__getitem__, reverse=True)[:MAX_KEYS // 2]
        self.counts = {k: self.counts[k] for k in keep}
        self.first = {k: self.first[k] for k in keep}

    def loops(self) -> tuple[ErrorLoop, ...]:
        found = [ErrorLoop(k, c, self.first[k]) for k, c in self.counts.items()
                 if c > self.limit]
        found.sort(key=lambda loop: (-loop.count, loop.first.line))
        return tuple(found)


def scan_logs(lines: Iterable[bytes | str], observability: Observability,
              secret_values: Collection[str]) -> LogScan:
    """Apply ``observability``'s rules to ``lines`` in one streaming pass.

    ``lines`` may be bytes (decoded as UTF-8, undecodable bytes replaced) or text; trailing
    newlines are ignored. ``secret_values`` never appear in a quote.
    """
    return scan_blocks(("\n".join(batch) for batch in _batches(lines)), observability,
                       secret_values)


def scan_blocks(blocks: Iterable[str], observability: Observability,
                secret_values: Collection[str]) -> LogScan:
    """:func:`scan_logs` over blocks of lines joined by ``\\n`` (:func:`~truthgate.logs.source.iter_blocks`).

    Each block holds at least one line (``""`` is one empty line) and does not end with the
    newline of its last line.
    """
    secrets = Redactor(secret_values)
    counters = [_PatternCounter(p) for p in observability.forbidden_log_patterns]
    live = [c for c in counters if c.regex is not None]
    limit = observability.error_loop_limit
    loop = _LoopCounter(limit) if limit > 0 else None
    number = chars = 0  # lines and characters before the current block
    for text in blocks:
        newlines = text.count("\n")
        chars += len(text) - newlines
        for c in live:
            _feed_pattern(c, text, number, secrets)
        if loop is not None:
            _feed_loop(loop, text, number, secrets)
        number += newlines + 1
    return LogScan(
        lines=number, chars=chars,
        patterns=tuple(c.freeze() for c in counters), error_loop_limit=limit,
        error_lines=loop.error_lines if loop else 0,
        loops=loop.loops() if loop else (), loops_approximate=bool(loop and loop.approximate),
    )


class _LineNumbers:
    """1-based line numbers of offsets in a block, counted from the last one asked for."""

    __slots__ = ("_text", "_pos", "_line")

    def __init__(self, text: str, before: int) -> None:
        self._text, self._pos, self._line = text, 0, before + 1

    def at(self, offset: int) -> int:
        if offset >= self._pos:
            self._line += self._text.count("\n", self._pos, offset)
        else:
            self._line -= self._text.count("\n", offset, self._pos)
        self._pos = offset
        return self._line


def _feed_pattern(c: _PatternCounter, text: str, number: int, secrets: Redactor) -> None:
    """Count one pattern's matches in a block, in line order (windows depend on order)."""
    regex = c.regex
    assert regex is not None  # only compiled patterns are fed
    if c.literals is not None:
        spans = literal_spans(c.literals, text, "\n")
    elif c.block is not None:
        spans = regex_spans(c.block, text)
    else:
        spans = all_spans(text)
    numbers = _LineNumbers(text, number)
    search, windowed = regex.search, c.windowed
    for start, end in spans:
        line = text[start:end]
        if search(line) is None:  # the exact, per-line test
            continue
        if c.offends(parse_timestamp(line) if windowed else None):
            c.breaches += 1
            if len(c.quotes) < QUOTES:
                c.quotes.append(Quote(numbers.at(start), mask_and_cut(line, secrets, regex)))


def _feed_loop(loop: _LoopCounter, text: str, number: int, secrets: Redactor) -> None:
    """Count the error lines of a block by their keys, in line order."""
    numbers = _LineNumbers(text, number)
    for start, end in hint_spans(text):
        line = text[start:end]
        if is_error_line(line):
            key = error_key(line)
            if key in loop.counts:
                loop.again(key)
            else:
                loop.add(key, Quote(numbers.at(start), mask_and_cut(line, secrets, None)))


def _batches(lines: Iterable[bytes | str]) -> Iterator[list[str]]:
    """Lines grouped into batches of about :data:`BATCH_CHARS` characters (never empty)."""
    batch: list[str] = []
    size = 0
    for raw in lines:
        line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        if "\n" in line:  # a caller's line with its newline (or several) attached
            line = line.rstrip("\r\n").replace("\n", " ")
        batch.append(line)
        size += len(line) + 1
        if size >= BATCH_CHARS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch
