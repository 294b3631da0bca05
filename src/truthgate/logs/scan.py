"""``scan_logs``: one pass over a log, constant memory, every rule of the contract at once.

Per forbidden pattern the scan counts matching lines against the pattern's threshold:
``max`` matches in the whole log, or — when the pattern has ``window_seconds`` and the line
carries a timestamp — ``max`` matches in any window of that many seconds (a sliding window:
the (max+1)-th most recent timed match closer than ``window_seconds`` to the current one is
a breach). Matching lines without a timestamp count toward the whole-log total instead.

Error loops: every error line is reduced to a key (see :mod:`truthgate.logs.normalise`) and
counted; a key seen more than ``error_loop_limit`` times is a loop.

Speed: lines are taken a batch of about :data:`BATCH_CHARS` characters at a time and each
rule first searches the batch joined into one string (one pass of the regex engine, in C);
only the lines its matches touch get the exact per-line test (see :func:`block_regex`).

Memory is bounded whatever the log: one batch at a time, a window keeps at most
``max + 1`` timestamps, each rule keeps at most :data:`QUOTES` quoted lines, and the error
counter keeps at most :data:`MAX_KEYS` keys (see :class:`_LoopCounter`).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from truthgate.contract.model import LogPattern, Observability
from truthgate.logs.normalise import ERROR_HINT, error_key, is_error_line
from truthgate.logs.timestamps import parse_timestamp
from truthgate.redact import Redactor

QUOTES = 3  # offending lines quoted per rule
QUOTE_CHARS = 300  # each quote truncated to this many characters
MAX_KEYS = 4096  # distinct error keys tracked at once
BATCH_CHARS = 1 << 18  # lines are searched a block of about this many characters at a time


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
        self.block = block_regex(pattern.regex) if self.regex is not None else None
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
        self.error_lines += 1
        count = self.counts.get(key)
        if count is None:
            if len(self.counts) >= MAX_KEYS:
                self._evict()
            self.counts[key] = 1
            self.first[key] = quote
        else:
            self.counts[key] = count + 1

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
    secrets = Redactor(secret_values)
    counters = [_PatternCounter(p) for p in observability.forbidden_log_patterns]
    live = [c for c in counters if c.regex is not None]
    limit = observability.error_loop_limit
    loop = _LoopCounter(limit) if limit > 0 else None
    number = chars = 0  # lines and characters before the current batch
    for batch in _batches(lines):
        text = "\n".join(batch)
        chars += len(text) - len(batch) + 1
        for c in live:
            _feed_pattern(c, batch, text, number, secrets)
        if loop is not None:
            for i in _candidates(ERROR_HINT, batch, text):
                if is_error_line(batch[i]):
                    key = error_key(batch[i])
                    quote = (loop.first[key] if key in loop.first
                             else Quote(number + i + 1, mask_and_cut(batch[i], secrets, None)))
                    loop.add(key, quote)
        number += len(batch)
    return LogScan(
        lines=number, chars=chars,
        patterns=tuple(c.freeze() for c in counters), error_loop_limit=limit,
        error_lines=loop.error_lines if loop else 0,
        loops=loop.loops() if loop else (), loops_approximate=bool(loop and loop.approximate),
    )


def _feed_pattern(c: _PatternCounter, batch: list[str], text: str, number: int,
                  secrets: Redactor) -> None:
    """Count one pattern's matches in a batch, in line order (windows depend on order)."""
    regex = c.regex
    assert regex is not None  # only compiled patterns are fed
    hits = _candidates(c.block, batch, text) if c.block is not None else range(len(batch))
    for i in hits:
        line = batch[i]
        if regex.search(line) is None:  # the exact, per-line test
            continue
        stamp = parse_timestamp(line) if c.windowed else None
        if c.offends(stamp):
            c.breaches += 1
            if len(c.quotes) < QUOTES:
                c.quotes.append(Quote(number + i + 1, mask_and_cut(line, secrets, regex)))


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


def _candidates(block: re.Pattern[str], batch: list[str], text: str) -> Iterator[int]:
    """Indexes of the lines of ``batch`` that a match of ``block`` in ``text`` touches.

    ``text`` is the batch joined with newlines. Every line that could match on its own is
    touched by some match in the block (see :func:`block_regex`), so only these lines need
    the exact test. Line numbers come from counting newlines between successive matches,
    one pass over the block in C.
    """
    line, pos, last = 0, 0, -1
    for m in block.finditer(text):
        line += text.count("\n", pos, m.start())
        first = max(line, last + 1)
        line += text.count("\n", m.start(), m.end())
        pos = m.end()
        yield from range(first, line + 1)
        last = max(last, line)


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
