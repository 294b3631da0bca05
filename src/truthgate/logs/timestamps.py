"""Find the time a log line was written, from the prefixes real deployments print.

Recognised, near the start of a line (after an optional short prefix such as kubectl's
``[pod/web-1/app]`` or Heroku's ``web.1 |``):

* ISO-8601 and its space-separated cousin: ``2024-05-01T12:00:00.123Z``,
  ``2024-05-01 12:00:00,123`` (Python logging), with an optional UTC offset;
* syslog: ``May  1 12:00:00`` (no year: only the differences between lines matter).

Times come back as seconds since the epoch (floats). A timestamp without an offset is read
as UTC: the window checks compare lines of one log, so only consistency matters.
"""

from __future__ import annotations

import datetime as dt
import functools
import re

# Only the head of a line is searched: a date quoted deep inside a message is not the
# time the line was written, and searching whole lines would cost throughput.
HEAD_CHARS = 64

_ISO = re.compile(
    r"(?<!\d)(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?"
    r"\s?(Z|[+-]\d{2}:?\d{2})?(?!\d)"
)
_MONTHS = {m: i for i, m in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
_SYSLOG = re.compile(
    r"(?<![A-Za-z])(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+(\d{1,2})\s"
    r"(\d{2}):(\d{2}):(\d{2})(?!\d)"
)
# syslog lines carry no year; any fixed leap year keeps 'Feb 29' valid.
_SYSLOG_YEAR = 2000

# Any timestamp shape, for stripping them out of lines (error-loop normalisation).
TIMESTAMP_ANYWHERE = re.compile(f"{_ISO.pattern}|{_SYSLOG.pattern}")


def parse_timestamp(line: str) -> float | None:
    """Seconds since the epoch of the timestamp heading ``line``, or None when it has none."""
    head = line[:HEAD_CHARS]
    m = _ISO.search(head)
    if m is not None:
        return _iso_seconds(m)
    s = _SYSLOG.search(head)
    if s is not None:
        return _syslog_seconds(s)
    return None


@functools.lru_cache(maxsize=512)
def _midnight(year: int, month: int, day: int) -> float | None:
    """Seconds since the epoch of a day's midnight (UTC); None when there is no such day.

    A log's lines share a handful of days: building one datetime per day instead of one
    per line is most of the cost of a timestamp.
    """
    try:
        return dt.datetime(year, month, day, tzinfo=dt.timezone.utc).timestamp()
    except ValueError:  # 2024-13-45: looks like a date, is not one
        return None


def _seconds(year: int, month: int, day: int, hour: int, minute: int,
             second: int) -> float | None:
    """What ``datetime(...).timestamp()`` gives (UTC), or None where datetime refuses."""
    midnight = _midnight(year, month, day)
    if midnight is None or hour > 23 or minute > 59:
        return None
    # Leap second '60' is folded onto '59': it is the same moment for a window check.
    return midnight + (hour * 3600 + minute * 60 + min(second, 59))


def _iso_seconds(m: re.Match[str]) -> float | None:
    year, month, day, hour, minute, second = map(int, m.groups()[:6])
    frac, zone = m.group(7), m.group(8)
    offset = 0
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    stamp = _seconds(year, month, day, hour, minute, second)
    if stamp is None:
        return None
    return stamp - offset + (float(f"0.{frac}") if frac else 0.0)


def _syslog_seconds(m: re.Match[str]) -> float | None:
    month = _MONTHS[m.group(1)]
    day, hour, minute, second = map(int, m.groups()[1:])
    return _seconds(_SYSLOG_YEAR, month, day, hour, minute, second)
