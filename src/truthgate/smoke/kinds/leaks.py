"""Patterns that betray a crash or a leaked secret in a response body (no_crash, error_leak).

They aim at what real frameworks print when an exception escapes: Python, Node, Java,
Go, Ruby and PHP stack traces, plus strings shaped like credentials. False positives are
cheap to fix (a contract can add its own ``patterns``); a leaked trace in production is not.
"""

from __future__ import annotations

import re

TRACE_PATTERNS: tuple[str, ...] = (
    r"Traceback \(most recent call last\)",
    r'File "[^"]+", line \d+',
    r"\bat [\w$.<>]+\([\w$.]+\.(?:js|java|kt|ts):\d+",
    r"goroutine \d+ \[",
    r"\.rb:\d+:in `",
    r"Fatal error: .* in .+\.php",
    r"\b(?:[A-Z]\w*(?:Error|Exception)): .+\n\s+at ",
)

SECRET_PATTERNS: tuple[str, ...] = (
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----",
    r"\bAKIA[0-9A-Z]{16}\b",
    r"\bgh[pousr]_[A-Za-z0-9]{30,}\b",
    r"\bxox[abpr]-[A-Za-z0-9-]{10,}\b",
    r"\bsk-[A-Za-z0-9]{20,}\b",
    r"(?i)\b(?:password|passwd|secret|api[_-]?key|token)\s*[=:]\s*['\"]?[^\s'\"<>]{6,}",
    r"(?i)\b(?:postgres|postgresql|mysql|mongodb(?:\+srv)?|redis|amqp)://[^\s:@/]+:[^\s@/]+@",
)

_TRACE = [re.compile(p) for p in TRACE_PATTERNS]
_SECRET = [re.compile(p) for p in SECRET_PATTERNS]


def leaks(body: str, extra: tuple[str, ...] = (), *, secrets: bool = True) -> list[str]:
    """Words describing each pattern family found in ``body`` (empty: clean).

    The matched text itself is never returned: it may be the very secret being reported.
    """
    found = []
    if any(p.search(body) for p in _TRACE):
        found.append("a stack trace")
    if secrets and any(p.search(body) for p in _SECRET):
        found.append("secret-looking text")
    from truthgate.contract.linregex import search

    for pat in extra:  # the contract's: matched in linear time
        if search(pat, body):
            found.append(f"text matching {pat!r}")
    return found
