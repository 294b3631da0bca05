"""Credentials recognised by their form, whatever their value.

Secret env var values are masked by value (:mod:`truthgate.redact.values`); this catches
what no env var holds: a bearer token, a cookie or an API key that a service logged or
echoed, a password inside a URL, a private key block, and the token formats of the big
providers (GitHub, Slack, Stripe, AWS, Google, Telegram, JWTs).

Look-alikes stay readable: a placeholder (``${DB_PASSWORD}``, ``<password>``, ``***``) is
not a credential, nor is code (``password=os.getenv("PW")``), nor a word such as
``keyboard:`` or ``max_tokens=5``.
"""

from __future__ import annotations

import re
from typing import Any, cast

from truthgate.redact.mask import MASK


class _Lazy:
    """A regex compiled on first use: a command that never writes a credential-shaped line
    (or writes nothing before its first request) does not pay for compiling these."""

    __slots__ = ("_args", "_rx")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self._args = (pattern, flags)
        self._rx: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._rx is None:
            self._rx = re.compile(*self._args)
        return getattr(self._rx, name)


def _lazy(pattern: str, flags: int = 0) -> re.Pattern[str]:
    # Typed as the pattern it stands for: every attribute is the compiled pattern's.
    return cast("re.Pattern[str]", _Lazy(pattern, flags))

_HEADER_NAMES = r"(?:proxy-)?authorization|x-api-key|api[-_]?key"
_COOKIE_NAMES = r"set-cookie|cookie"
# A quoted value, also with JSON-escaped quotes (\"value\" inside a JSON report).
_QUOTED = r"(?P<o>\\?(?P<q>[\"']))(?:(?!\\?(?P=q)).)*(?P=o)"

# name: value / name=value / "name": "value"; a quoted value runs to its closing quote.
# A header value is one word, or a scheme and its credentials ("Bearer x"); a cookie header
# holds several cookies, so it is masked to the end of the line.
_NAMED = _lazy(
    rf"""(?P<name>["']?\b(?:{_HEADER_NAMES})\b["']?\s*[:=]\s*)"""
    rf"""(?:{_QUOTED}|(?:(?:Bearer|Basic|Digest|Token)\s+)?[^\s,;}}\]"'\\]+)""",
    re.IGNORECASE,
)
_COOKIE = _lazy(
    rf"""(?P<name>["']?\b(?:{_COOKIE_NAMES})\b["']?\s*[:=]\s*)(?:{_QUOTED}|[^\r\n"']+)""",
    re.IGNORECASE,
)
_SCHEME = _lazy(r"\b(?P<name>(?:Bearer|Basic|Token)\s+)[A-Za-z0-9._~+/=-]{8,}",
                     re.IGNORECASE)

# password=..., "db_password": "...", SESSION_SECRET=..., client_secret: ... : a name ending
# in a credential word, then its value. The name may carry a prefix (DB_, aws_, x-).
_PAIR_WORDS = (r"password|passwd|secret|secret[-_]?key|token|api[-_]?key|apikey"
               r"|private[-_]?key|access[-_]?key|credentials?")
_PAIR = _lazy(
    rf"""(?P<name>["']?(?<![A-Za-z0-9])[A-Za-z0-9_.-]*?(?:{_PAIR_WORDS})["']?\s*[:=]\s*)"""
    rf"""(?:{_QUOTED}|(?P<bare>[^\s,;&"'}}\])\\]{{4,}}))""",
    re.IGNORECASE,
)
# Values that are not credentials: placeholders, booleans, numbers, already masked text,
# and code that reads the value from somewhere else.
_NOT_A_VALUE = _lazy(
    r"""^(?:\\?["']?)(?:\$\{[^}]*\}|<[^>]*>|\*+|.{0,4}(?:…|\\u2026)\(\d.*|true|false|null|none|nil|\d{1,6}|"""
    r"""(?:os|env|settings|config|cfg|self|request)\b.*|.*[(\[].*|)(?:\\?["']?)$""",
    re.IGNORECASE,
)

_PARTIAL_MARKS = ("…(", "\\u2026(")
_CREDENTIAL_LIKE = _lazy(r"^(?=.{6,}$)(?=.*[0-9_+/=!@#$%^&*~.-])")

# scheme://user:password@host — the password only; placeholders are left readable.
_USERINFO = _lazy(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@\"'<>]*:)"
                       r"(?P<pw>[^\s/@\"'<>]+)(?P<at>@)")
_PLACEHOLDER_PW = _lazy(r"^(?:\$\{[^}]*\}|<[^>]*>|\*+|%[sr])$")

_PEM = _lazy(r"(?P<begin>-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)"
                  r"[\s\S]*?(?P<end>-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\Z)")

# Provider token formats. Each pattern starts with its fixed prefix, so the regex engine
# jumps from one occurrence of the prefix to the next instead of trying every position;
# the word boundary before it is checked in Python (a leading \b would disable that).
_TOKENS = tuple((guard, _lazy(pattern)) for guard, pattern in (
    ("eyJ", r"eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),  # JWT
    ("gh", r"gh[pousr]_[A-Za-z0-9]{20,}"),  # GitHub
    ("github_pat_", r"github_pat_[A-Za-z0-9_]{20,}"),
    ("xox", r"xox[abposre]-[A-Za-z0-9-]{10,}"),  # Slack
    ("hooks.slack.com", r"hooks\.slack\.com/services/[A-Za-z0-9/]+"),
    ("sk_", r"sk_(?:live|test)_[A-Za-z0-9]{10,}"),  # Stripe
    ("rk_", r"rk_(?:live|test)_[A-Za-z0-9]{10,}"),
    ("whsec_", r"whsec_[A-Za-z0-9]{16,}"),
    ("AKIA", r"AKIA[0-9A-Z]{16}(?![0-9A-Za-z])"),  # AWS access key id
    ("ASIA", r"ASIA[0-9A-Z]{16}(?![0-9A-Za-z])"),
    ("AIza", r"AIza[0-9A-Za-z_-]{35}"),  # Google API key
))
# A Telegram bot token is its numeric id, ':AA' and 33+ characters: found by ':AA', the id
# then read backwards.
_BOT_SECRET = _lazy(r":AA[A-Za-z0-9_-]{30,40}(?![A-Za-z0-9_-])")
_BOT_ID = _lazy(r"(?<![0-9A-Za-z])[0-9]{8,10}$")

# Words near which a credential may be written; lines without one skip the line rules.
_HINT_RE = _lazy(r"pass|pwd|secret|token|key|auth|cookie|bearer|basic|credential|://")


def redact_credentials(text: str) -> str:
    """``text`` with every credential-looking value replaced by ``***``."""
    if "-----BEGIN" in text or "-----begin" in text:
        text = _PEM.sub(lambda m: f"{m.group('begin')}{MASK}{m.group('end')}", text)
    for guard, pattern in _TOKENS:
        if guard in text:
            text = pattern.sub(_mask_token, text)
    if ":AA" in text:
        text = _mask_bot_tokens(text)
    return _by_line(text)


def _mask_token(m: re.Match[str]) -> str:
    start = m.start()
    if start and (m.string[start - 1].isalnum() or m.string[start - 1] == "_"):
        return m.group(0)  # inside a longer word: not the token's start
    return MASK


def _mask_bot_tokens(text: str) -> str:
    out, last = [], 0
    for m in _BOT_SECRET.finditer(text):
        bot = _BOT_ID.search(text[max(0, m.start() - 11):m.start()])
        if bot is None:
            continue
        start = m.start() - (len(bot.group()))
        out += [text[last:start], MASK]
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def _by_line(text: str) -> str:
    """The line rules applied to each line that holds a hint word (and only those).

    Finding the hint words in the lower-cased text is one fast scan; the line rules are
    slower and run on the few lines that can hold a credential. Where lower-casing changes
    the text's length (a few non-ASCII letters), the rules run on the whole text.
    """
    low = text.lower()
    if len(low) != len(text):
        return _line_rules(text)
    spans: list[tuple[int, int]] = []
    for m in _HINT_RE.finditer(low):
        if spans and m.start() < spans[-1][1]:
            continue  # same line as the previous hint
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        spans.append((start, len(text) if end < 0 else end))
    if not spans:
        return text
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], _line_rules(text[start:end])]
        last = end
    out.append(text[last:])
    return "".join(out)


def _line_rules(text: str) -> str:
    if "://" in text:
        text = _USERINFO.sub(_mask_userinfo, text)
    text = _COOKIE.sub(_keep_name, _NAMED.sub(_keep_name, text))
    text = _PAIR.sub(_mask_pair, text)
    return _SCHEME.sub(lambda m: m.group("name") + MASK, text)


def _keep_name(m: re.Match[str]) -> str:
    value = m.group(0)[len(m.group("name")):]
    if _NOT_A_VALUE.match(value) or m.string.startswith(_PARTIAL_MARKS, m.end()):
        return m.group(0)  # a placeholder, code, or a partial display (redact.partial)
    quote = m.group("o") or ""
    return f"{m.group('name')}{quote}{MASK}{quote}"


def _mask_pair(m: re.Match[str]) -> str:
    if MASK in m.group(0)[len(m.group("name")):]:
        return m.group(0)
    bare = m.group("bare")
    if bare and "=" not in m.group("name") and not _CREDENTIAL_LIKE.search(bare):
        # "name: word" is how prose and key paths read ("secret: expected boolean"); a
        # credential after a colon has a digit or a symbol in it.
        return m.group(0)
    return _keep_name(m)


def _mask_userinfo(m: re.Match[str]) -> str:
    if _PLACEHOLDER_PW.match(m.group("pw")):
        return m.group(0)
    return f"{m.group('head')}{MASK}{m.group('at')}"
