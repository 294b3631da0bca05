"""Reading logs: chunked line splitting, timestamps, normalised error keys."""

from __future__ import annotations

import io
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from truthgate.logs.normalise import (
    _ERROR_LINE,
    _HEX,
    _SPACE,
    TIMESTAMP_STRIP,
    error_key,
    is_error_line,
)
from truthgate.logs.source import iter_blocks, iter_lines, open_blocks, open_source
from truthgate.logs.timestamps import TIMESTAMP_ANYWHERE, parse_timestamp


def reference_lines(data: bytes) -> list[str]:
    parts = data.split(b"\n")
    if parts[-1] == b"":
        parts.pop()
    return [p.decode("utf-8", "replace").removesuffix("\r") for p in parts]


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300).map(lambda b: b.replace(b"\x00", b"\n")),
       st.integers(min_value=1, max_value=40))
def test_chunked_lines_equal_a_whole_file_split(data: bytes, chunk: int) -> None:
    assert list(iter_lines(io.BytesIO(data), chunk_size=chunk)) == reference_lines(data)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([b"a", b"\n", b"\r\n", b"\xc3\xa9", b"\xff"]), max_size=200),
       st.integers(min_value=1, max_value=16), st.integers(min_value=1, max_value=24))
def test_long_lines_are_cut_and_never_merged(pieces: list[bytes], chunk: int,
                                             max_line: int) -> None:
    data = b"".join(pieces)
    got = list(iter_lines(io.BytesIO(data), chunk_size=chunk, max_line=max_line))
    assert len(got) == len(reference_lines(data))
    assert all(len(line) <= max_line for line in got)


def test_open_source_reads_a_real_file(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_bytes(b"one\r\ntwo\n\nfour")
    with open_source(str(log)) as lines:
        assert list(lines) == ["one", "two", "", "four"]


def test_timestamps_in_the_formats_deployments_print() -> None:
    base = parse_timestamp("2024-05-01T12:00:00Z boot")
    assert base is not None
    assert parse_timestamp("2024-05-01 12:00:01,500 INFO x") == base + 1.5
    assert parse_timestamp("2024-05-01T14:00:02+02:00 x") == base + 2
    assert parse_timestamp("2024-05-01T12:00:03.25 x") == base + 3.25
    assert parse_timestamp("web.1 | 2024-05-01 12:00:04 x") == base + 4
    may1 = parse_timestamp("May  1 12:00:00 host app[12]: x")
    assert may1 is not None and parse_timestamp("May  1 12:00:09 host x") == may1 + 9


def test_no_timestamp_or_an_impossible_one() -> None:
    assert parse_timestamp("plain message with 12:00 inside") is None
    assert parse_timestamp("2024-13-45T25:00:00Z not a date") is None
    assert parse_timestamp("x" * 80 + " 2024-05-01T12:00:00Z late in the line") is None


def test_error_lines_and_their_keys() -> None:
    assert is_error_line("2024-05-01 ERROR db down")
    assert is_error_line("KeyError: 'x'") and is_error_line("level=fatal msg=boom")
    assert not is_error_line("INFO all good, 0 errors")
    a = error_key("2024-05-01T12:00:00Z ERROR conn 17 to 10.0.0.3 lost (id deadbeef42)")
    b = error_key("2024-05-01T12:00:09Z ERROR conn 3 to 10.0.0.4 lost (id 0x1f)")
    assert a == b and "ERROR conn" in a
    assert error_key("ERROR cache miss") != error_key("ERROR cache full")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([b"a", b"b", b"\n", b"\r\n", b"\r", b"\xc3\xa9", b"\xff",
                                 b"\xe2\x82"]), max_size=200),
       st.integers(min_value=1, max_value=40), st.integers(min_value=1, max_value=24))
def test_blocks_hold_exactly_the_lines(pieces: list[bytes], chunk: int, max_line: int) -> None:
    data = b"".join(pieces)
    blocks = list(iter_blocks(io.BytesIO(data), chunk_size=chunk, max_line=max_line))
    lines = list(iter_lines(io.BytesIO(data), chunk_size=chunk,
                            max_line=max_line))
    assert [line for block in blocks for line in block.split("\n")] == lines


def test_open_blocks_reads_a_real_file(tmp_path: Path) -> None:
    log = tmp_path / "app.log"
    log.write_bytes(b"one\r\ntwo\n\nfour")
    with open_blocks(str(log)) as blocks:
        assert "\n".join(blocks).split("\n") == ["one", "two", "", "four"]


_STAMP_ATOMS = st.sampled_from(["2024", "-", "05", "01", "T", " ", "12", ":", "00", "Z", "+02:00",
                                "-0530", ".", ",", "123", "Jan", "Feb", "May", "Dec", "J", "an",
                                "x", "9", "\t", "٢٠٢٤", "ADec", "Nov  3 ", "2024-05-01T12:00:00",
                                "2024-05-01 12:00:00,123", "May  1 12:00:00"])


@settings(max_examples=500, deadline=None)
@given(st.lists(_STAMP_ATOMS, max_size=14).map("".join))
def test_the_key_stamp_regex_strips_what_timestamp_anywhere_matches(text: str) -> None:
    assert TIMESTAMP_STRIP.sub(" ", text) == TIMESTAMP_ANYWHERE.sub(" ", text)


# The key regexes as first written: the faster forms must replace exactly what these match.
_HEX_WORD = re.compile(r"\b(?:0x)?[0-9a-fA-F]*\d[0-9a-fA-F]*\b|\b0x[0-9a-fA-F]+\b")
_SPACE_RUN = re.compile(r"\s+")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["0", "x", "0x", "1", "9", "a", "f", "F", "g", "_", " ", "-",
                                 ".", "٢", "é", "deadbeef", "0x1f", "x0", "12", "=", "  ", "\t",
                                 "\x1c", "\u3000", "\xa0"]), max_size=12).map("".join))
def test_the_key_hex_and_space_regexes_replace_what_the_plain_ones_do(text: str) -> None:
    assert _HEX.sub("#", text) == _HEX_WORD.sub("#", text)
    assert _SPACE.sub(" ", text) == _SPACE_RUN.sub(" ", text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["error", "Error", "ERROR", "eRROR", "x", "_", " ", ":", "é",
                                 "Exception", "fatal", "FATAL", "critical", "PANIC", "Panic",
                                 "severe", "Emerg", "Traceback (most recent", "1", "E", "rror"]),
                max_size=6).map("".join))
def test_error_lines_are_what_the_plain_regex_finds(line: str) -> None:
    assert is_error_line(line) is (_ERROR_LINE.search(line) is not None)
