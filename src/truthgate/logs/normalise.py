"""What counts as an error line, and the shape two repeats of the same error share.

An error loop is one failure logged again and again (a crash-restart cycle, a retry with no
back-off). Its lines differ only in their timestamps, counters, ids and addresses, so the
key of a line is the line with those stripped: two lines with the same key are the same
error. Keys are bounded in length so that memory stays bounded whatever the log holds.
"""

from __future__ import annotations

import re

from truthgate.logs.timestamps import TIMESTAMP_ANYWHERE

KEY_CHARS = 200

# Level words in the three spellings loggers print (error, Error, ERROR), exception class
# names (ValueError, IOException) and the Python traceback banner. Mixed case ('eRRor') is
# not a level anyone prints, and leaving it out keeps HINT_LITERALS an exact superset.
_LEVELS = ("error", "critical", "fatal", "panic", "severe", "emerg")
_ERROR_LINE = re.compile(
    r"\b(?:" + "|".join(f"{w}|{w.capitalize()}|{w.upper()}" for w in _LEVELS) + r")\b"
    r"|Traceback \(most recent|\w(?:Error|Exception)\b"
)
# A cheap superset of _ERROR_LINE made of plain strings, which the scan finds in a whole
# block of lines with str.find (in C): only the lines holding one get the exact test.
HINT_LITERALS = tuple(x for w in _LEVELS for x in (w[1:], w[1:].upper())) + (
    "Traceback", "xception")
ERROR_HINT = re.compile("|".join(HINT_LITERALS))
# Ids first (a UUID or a long hex run would otherwise become '#-#-#'), then any number.
_UUID = re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}\b")
_HEX = re.compile(r"\b(?:0x)?[0-9a-fA-F]*\d[0-9a-fA-F]*\b|\b0x[0-9a-fA-F]+\b")
_NUMBER = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")


def is_error_line(line: str) -> bool:
    """True when ``line`` reports an error (level word, exception name, traceback)."""
    return _ERROR_LINE.search(line) is not None


def error_key(line: str) -> str:
    """``line`` without what changes between repeats: timestamps, ids, numbers, spacing."""
    text = TIMESTAMP_ANYWHERE.sub(" ", line)
    text = _UUID.sub("<id>", text)
    text = _HEX.sub("#", text)
    text = _NUMBER.sub("#", text)
    return _SPACE.sub(" ", text).strip()[:KEY_CHARS]
