"""What counts as an error line, and the shape two repeats of the same error share.

An error loop is one failure logged again and again (a crash-restart cycle, a retry with no
back-off). Its lines differ only in their timestamps, counters, ids and addresses, so the
key of a line is the line with those stripped: two lines with the same key are the same
error. Keys are bounded in length so that memory stays bounded whatever the log holds.
"""

from __future__ import annotations

import re

KEY_CHARS = 200

# Level words in the three spellings loggers print (error, Error, ERROR), exception class
# names (ValueError, IOException) and the Python traceback banner. Mixed case ('eRRor') is
# not a level anyone prints, and leaving it out keeps HINT_LITERALS an exact superset.
LEVELS = ("error", "critical", "fatal", "panic", "severe", "emerg")
_ERROR_LINE = re.compile(
    r"\b(?:" + "|".join(f"{w}|{w.capitalize()}|{w.upper()}" for w in LEVELS) + r")\b"
    r"|Traceback \(most recent|\w(?:Error|Exception)\b"
)
# A cheap superset of _ERROR_LINE made of plain strings, which the scan finds in a whole
# block of lines with str.find (in C): only the lines holding one get the exact test.
HINT_LITERALS = tuple(x for w in LEVELS for x in (w[1:], w[1:].upper())) + (
    "Traceback", "xception")
ERROR_HINT = re.compile("|".join(HINT_LITERALS))
# timestamps.TIMESTAMP_ANYWHERE (which it replaces in keys: same matches, same spans) written to
# start with a character class, so the regex engine skips every position that cannot
# start a timestamp instead of trying both alternatives (and their lookbehinds) at each
# one: half the cost of a key. The lookbehinds run after the first character instead:
# (?<!\d)\d{4} is \d(?<!\d\d)\d{3}; (?<![A-Za-z])Jan is J(?<![A-Za-z]J)an.
TIMESTAMP_STRIP = re.compile(
    r"[\dADFJMNOS](?:"
    r"(?<=\d)(?<!\d\d)\d{3}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?\s?"
    r"(?:Z|[+-]\d{2}:?\d{2})?(?!\d)"
    r"|(?<![A-Za-z][ADFJMNOS])(?:an|eb|ar|pr|ay|un|ul|ug|ep|ct|ov|ec)"
    r"(?<=Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{1,2}\s\d{2}:\d{2}:\d{2}(?!\d))"
)
# Ids first (a UUID or a long hex run would otherwise become '#-#-#'), then any number.
_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}\b")
# HEX_WORD, the hex-or-number words, is
#   \b(?:0x)?[0-9a-fA-F]*\d[0-9a-fA-F]*\b|\b0x[0-9a-fA-F]+\b
# written, like TIMESTAMP_STRIP, to start with a character class (its first character is
# always a hex digit or a digit, and a word character, so the leading \b is "no word
# character before it"); the alternatives keep their order, so the matches are the same.
_H = "[0-9a-fA-F]"
_HEX = re.compile(
    rf"[\da-fA-F](?<!\w.)(?:(?<=0)x{_H}*\d{_H}*\b|(?<={_H}){_H}*\d{_H}*\b|(?<=\d){_H}*\b"
    rf"|(?<=0)x{_H}+\b)"
)
_NUMBER = re.compile(r"\d+")
# Runs of whitespace to collapse to one space: \s+ less the single spaces, which would be
# replaced by themselves (most of the replacements, for nothing).
_SPACE = re.compile(r"\s(?:(?<=[^ ])\s*|\s+)")


# _ERROR_LINE for `is there a match`, written so that every alternative starts with a
# literal (the regex engine then skips positions no alternative can start at): the
# leading \b of a word is checked after its first letter ((?<!\w.)), and 'xError' is
# found at its 'E' ((?<=\wE)); a quarter of the cost on log lines.
_ERROR_FOUND = re.compile("|".join(
    [alt for w in LEVELS for alt in (
        rf"{w[0]}(?<!\w.){w[1:]}\b",
        rf"{w[0].upper()}(?<!\w.)(?:{w[1:]}|{w[1:].upper()})\b")]
    + [r"Traceback \(most recent", r"E(?<=\wE)(?:rror|xception)\b"]
))


def is_error_line(line: str) -> bool:
    """True when ``line`` reports an error (level word, exception name, traceback)."""
    return _ERROR_FOUND.search(line) is not None


def error_key(line: str) -> str:
    """``line`` without what changes between repeats: timestamps, ids, numbers, spacing."""
    text = TIMESTAMP_STRIP.sub(" ", line)
    if "-" in text:  # every UUID has four
        text = _UUID.sub("<id>", text)
    text = _HEX.sub("#", text)
    text = _NUMBER.sub("#", text)
    return _SPACE.sub(" ", text).strip()[:KEY_CHARS]
