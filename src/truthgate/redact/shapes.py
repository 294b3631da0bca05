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

from truthgate.redact.mask import MASK

_HEADER_NAMES = r"(?:proxy-)?authorization|x-api-key|api[-_]?key"
_COOKIE_NAMES = r"set-cookie|cookie"
# A quoted value, also with JSON-escaped quotes (\"value\" inside a JSON report).
_QUOTED = r"(?P<o>\\?(?P<q>[\"']))(?:(?!\\?(?P=q)).)*(?P=o)"

# name: value / name=value / "name": "value"; a quoted value runs to its closing quote.
# A header value is one word, or a scheme and its credentials ("Bearer x"); a cookie header
# holds several cookies, so it is masked to the end of the line.
_NAMED = re.compile(
    rf"""(?P<name>["']?\b(?:{_HEADER_NAMES})\b["']?\s*[:=]\s*)"""
    rf"""(?:{_QUOTED}|(?:(?:Bearer|Basic|Digest|Token)\s+)?[^\s,;}}\]"'\\]+)""",
    re.IGNORECASE,
)
_COOKIE = re.compile(
    rf"""(?P<name>["']?\b(?:{_COOKIE_NAMES})\b["']?\s*[:=]\s*)(?:{_QUOTED}|[^\r\n"']+)""",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"\b(?P<name>(?:Bearer|Basic|Token)\s+)[A-Za-z0-9._~+/=-]{8,}",
                     re.IGNORECASE)

# password=..., "db_password": "...", SESSION_SECRET=..., client_secret: ... : a name ending
# in a credential word, then its value. The name may carry a prefix (DB_, aws_, x-).
_PAIR_WORDS = (r"password|passwd|secret|secret[-_]?key|token|api[-_]?key|apikey"
               r"|private[-_]?key|access[-_]?key|credentials?")
_PAIR = re.compile(
    rf"""(?P<name>["']?(?<![A-Za-z0-9])[A-Za-z0-9_.-]*?(?:{_PAIR_WORDS})["']?\s*[:=]\s*)"""
    rf"""(?:{_QUOTED}|(?P<bare>[^\s,;&"'}}\])\\]{{4,}}))""",
    re.IGNORECASE,
)
# Values that are not credentials: placeholders, booleans, numbers, already masked text,
# and code that reads the value from somewhere else.
_NOT_A_VALUE = re.compile(
    r"""^(?:\\?["']?)(?:\$\{[^}]*\}|<[^>]*>|\*+|.{0,4}(?:…|\\u2026)\(\d.*|true|false|null|none|nil|\d{1,6}|"""
    r"""(?:os|env|settings|config|cfg|self|request)\b.*|.*[(\[].*|)(?:\\?["']?)$""",
    re.IGNORECASE,
)

_PARTIAL_MARKS = ("…(", "\\u2026(")
_CREDENTIAL_LIKE = re.compile(r"^(?=.{6,}$)(?=.*[0-9_+/=!@#$%^&*~.-])")

# scheme://user:password@host — the password only; placeholders are left readable.
_USERINFO = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@\"'<>]*:)"
                       r"(?P<pw>[^\s/@\"'<>]+)(?P<at>@)")
_PLACEHOLDER_PW = re.compile(r"^(?:\$\{[^}]*\}|<[^>]*>|\*+|%[sr])$")

_PEM = re.compile(r"(?P<begin>-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----)"
                  r"[\s\S]*?(?P<end>-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\Z)")

# Provider token formats (each has a fixed prefix, so look-alikes are rare).
_TOKENS = re.compile(
    r"\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"  # JWT
    r"|\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"  # GitHub
    r"|\bxox[abposre]-[A-Za-z0-9-]{10,}"  # Slack
    r"|hooks\.slack\.com/services/[A-Za-z0-9/]+"  # Slack webhook
    r"|\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}|\bwhsec_[A-Za-z0-9]{16,}"  # Stripe
    r"|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"  # AWS access key id
    r"|\bAIza[0-9A-Za-z_-]{35}"  # Google API key
    r"|\b\d{8,10}:AA[A-Za-z0-9_-]{30,40}\b"  # Telegram bot token
)

# Cheap pre-checks: most text mentions none of these, and the regexes are skipped for it.
_HINTS = ("auth", "cookie", "key", "bearer", "basic", "token", "pass", "pwd", "secret",
          "credential", "://", "-----begin", "eyj", "gh", "xox", "sk_", "rk_", "whsec",
          "akia", "asia", "aiza", ":aa")


def redact_credentials(text: str) -> str:
    """``text`` with every credential-looking value replaced by ``***``."""
    low = text.lower()
    if not any(w in low for w in _HINTS):
        return text
    if "-----begin" in low:
        text = _PEM.sub(lambda m: f"{m.group('begin')}{MASK}{m.group('end')}", text)
    text = _TOKENS.sub(MASK, text)
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
