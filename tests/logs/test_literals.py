"""required_literals: every match of a pattern holds one of its strings; the scan agrees with a line-by-line scan."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from truthgate.contract.model import LogPattern, Observability
from truthgate.logs.literals import required_literals
from truthgate.logs.normalise import HINT_LITERALS, is_error_line
from truthgate.logs.scan import scan_blocks, scan_logs
from truthgate.logs.source import iter_blocks
from truthgate.logs.spans import _HINT_LOWER


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"Traceback \(most recent call last\)", ("Traceback (most recent call last)",)),
    ("401 Unauthorized|403 Forbidden", ("1 Unauthorized", "3 Forbidden")),
    ("processed again|duplicate update processed",
     ("duplicate update processed", "processed again")),
    ("PASSIVE.*(generate|unsafe).*(served|executed)", ("PASSIVE",)),
    (r"webhook ack took \d{4,} ms", ("webhook ack took ",)),
    (r"a(?:bcd|efgh)i", ("bcd", "efgh")),
    ("(?i)traceback", None), ("(?i:abcdef)gh", None), (r"\d+", None), ("ab", None),
    ("abc|d+", None), ("", None), ("(unclosed", None),
])
def test_required_literals(pattern: str, expected: tuple[str, ...] | None) -> None:
    assert required_literals(pattern) == expected


_ALPHABET = st.sampled_from(["a", "b", "ab", "ba", "x", "1", " ", ".", "\\d", "\\w", "\\s",
                             "|", "(", ")", "(?:", "*", "+", "?", "{2}", "[ab]", "^", "$",
                             "\\b", "(?i)", "(?i:a)", "é"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, max_size=12).map("".join),
       st.lists(st.sampled_from(["a", "b", "x", "1", " ", "é", "A", "B", "."]),
                max_size=20).map("".join))
def test_a_matching_line_holds_a_required_literal(pattern: str, line: str) -> None:
    try:
        regex = re.compile(pattern)
    except re.error:
        return
    literals = required_literals(pattern)
    if literals is not None and regex.search(line):
        assert any(lit in line for lit in literals), (pattern, line, literals)


def test_the_error_hint_is_a_superset_of_error_lines() -> None:
    for line in ["ERROR x", "Error: y", "a KeyError", "fatal", "PANIC now", "Traceback (most recent",
                 "IOException", "level=severe", "EMERG"]:
        assert is_error_line(line)
        assert any(h in line for h in HINT_LITERALS)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["error", "Error", "ERROR", "Fatal", "PANIC", "severe", "Emerg",
                                 "CRITICAL", "Key", "IOException", "Traceback (most recent",
                                 " ", "x", "é", "_", ":", "rror", "ATAL"]),
                max_size=8).map("".join))
def test_lowered_hint_words_hold_every_error_line(line: str) -> None:
    if is_error_line(line):
        low = line.encode("latin-1").lower()
        assert any(w in low for w in _HINT_LOWER)
        assert any(h in line for h in HINT_LITERALS)


PATTERNS = (
    LogPattern("trace", r"Traceback \(most recent call last\)"),
    LogPattern("alt", "processed again|duplicate update processed", max=1),
    LogPattern("win", r"slow ack \d{3,} ms", max=2, window_seconds=5),
    LogPattern("ctx", r"(?<=x)ERROR", max=1),  # its literal, though it looks behind
    LogPattern("anchored", r"^boom$", max=0),
    LogPattern("upper", "(?i)fatal", max=0),  # no literal: the block regex
    LogPattern("across", r"k\s1", max=0),  # the block regex, whose \s takes a newline
    LogPattern("look", r"(?<=x)\d+", max=1),  # no literal, looks behind: every line
)
_LINES = st.sampled_from([
    "2024-05-01T12:00:01Z slow ack 1234 ms", "2024-05-01T12:00:09Z slow ack 999 ms",
    "slow ack 5000 ms", "Traceback (most recent call last):", "xERROR 42 id=0x1f",
    "ERROR worker 7 crashed", "boom", " boom", "FATAL é", "processed again", "é\ufffd ok",
    "duplicate update processed", "", "ok", "1 ok", "2024-05-01T12:00:30Z ValueError: 3",
])


@settings(max_examples=150, deadline=None)
@given(st.lists(_LINES, max_size=60), st.integers(min_value=1, max_value=64))
def test_blocks_scan_like_lines_one_by_one(lines: list[str], chunk: int) -> None:
    obs = Observability(forbidden_log_patterns=PATTERNS, error_loop_limit=1)
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    by_blocks = scan_blocks(iter_blocks(io.BytesIO(data), chunk_size=chunk), obs, ["0x1f"])
    joined = scan_logs(lines, obs, ["0x1f"])
    single = scan_blocks(iter(lines), obs, ["0x1f"])  # one line per block
    assert by_blocks == joined == single
