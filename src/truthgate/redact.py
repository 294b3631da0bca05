"""Credentials written out in free text (log lines) are masked whatever their value.

Secret env var values are masked by value; this catches what no env var holds: a bearer
token, a cookie or an API key that a service logged with its request headers, in the
forms logs use (``Authorization: Bearer x``, ``"cookie": "sid=x"``, ``api_key=x``).
"""

from __future__ import annotations

import re

# What every masked value becomes, in log lines and smoke reports alike. Defined here, not in
# smoke/, because the log gate imports this module and must not pull the smoke engine in.
MASK = "***"

_HEADER_NAMES = r"(?:proxy-)?authorization|x-api-key|api[-_]?key"
_COOKIE_NAMES = r"set-cookie|cookie"
_QUOTED = r"(?P<q>[\"'])(?:(?!(?P=q)).)*(?P=q)"

# name: value / name=value / "name": "value"; a quoted value runs to its closing quote.
# A header value is one word, or a scheme and its credentials ("Bearer x"); a cookie header
# holds several cookies, so it is masked to the end of the line.
_NAMED = re.compile(
    rf"""(?P<name>["']?\b(?:{_HEADER_NAMES})\b["']?\s*[:=]\s*)"""
    rf"""(?:{_QUOTED}|(?:(?:Bearer|Basic|Digest|Token)\s+)?[^\s,;}}\]"']+)""",
    re.IGNORECASE,
)
_COOKIE = re.compile(
    rf"""(?P<name>["']?\b(?:{_COOKIE_NAMES})\b["']?\s*[:=]\s*)(?:{_QUOTED}|[^\r\n"']+)""",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"\b(?P<name>(?:Bearer|Basic|Token)\s+)[A-Za-z0-9._~+/=-]{8,}",
                     re.IGNORECASE)


def redact_credentials(text: str) -> str:
    """``text`` with every credential-looking value replaced by ``***``."""
    if not _may_hold_credentials(text):
        return text
    text = _COOKIE.sub(_keep_name, _NAMED.sub(_keep_name, text))
    return _SCHEME.sub(lambda m: m.group("name") + MASK, text)


def _keep_name(m: re.Match[str]) -> str:
    quote = m.group("q") or ""
    return f"{m.group('name')}{quote}{MASK}{quote}"


def _may_hold_credentials(text: str) -> bool:
    # Most log lines mention none of these words: skip the regexes for them (hot path).
    low = text.lower()
    return any(w in low for w in ("auth", "cookie", "key", "bearer", "basic", "token"))
