"""Known secret values, in every form they travel in, and what is left of them when cut.

A value reaches a report in more spellings than its own: URL-encoded in a query or a form
body, base64 inside a Basic ``Authorization`` header a server echoes back (as part of
``user:value``), JSON- or HTML-escaped inside a rendered report, hex in a dump. And it
reaches it cut: a server that echoes 30 characters of a 32-character token, a renderer
that shortens a message. :class:`SecretValues` finds all of those in a text.
"""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

# Values this short occur by chance ('1', 'true'): masking them would garble every quote
# while protecting nothing. They still never appear through a credential header.
MIN_SECRET_LEN = 4
# The longest piece of a secret that may survive anywhere: a cut copy of a secret keeps
# at most FRAGMENT - 1 of its characters.
FRAGMENT = 6

# A run that may be base64 (standard or URL-safe alphabet), long enough to hide a secret.
_B64_RUN = re.compile(r"[A-Za-z0-9+/_-]{8,}={0,2}")


def encoded_forms(value: str) -> frozenset[str]:
    """``value`` and the spellings it takes in URLs, JSON, HTML, base64 and hex."""
    raw = value.encode("utf-8", "surrogatepass")
    forms = {value, quote(value, safe=""), quote_plus(value), quote(value),
             json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1],
             html.escape(value), raw.hex(), raw.hex().upper()}
    for enc in (base64.b64encode, base64.urlsafe_b64encode):
        b64 = enc(raw).decode("ascii")
        forms.update((b64, b64.rstrip("=")))
    return frozenset(f for f in forms if len(f) >= MIN_SECRET_LEN)


def _anchors(form: str) -> Iterable[int]:
    """Offsets of the pieces of ``form`` to look for: every FRAGMENT-th one and the last.

    Any cut copy of at least 2 * FRAGMENT - 1 characters holds one aligned piece whole, and
    a copy cut at one end only (what truncation does) holds the first or the last piece.
    """
    last = len(form) - FRAGMENT
    yield from range(0, last + 1, FRAGMENT)
    if last % FRAGMENT:
        yield last


class SecretValues:
    """Finds the known secret values, their encodings and their cut copies in a text."""

    __slots__ = ("_whole", "_pieces", "_raw_pieces", "values")

    def __init__(self, values: Iterable[str]) -> None:
        self.values = frozenset(v for v in values if len(v) >= MIN_SECRET_LEN)
        forms = set().union(*(encoded_forms(v) for v in self.values)) if self.values else set()
        # Short forms are matched whole only; longer ones by their pieces too.
        self._whole = tuple(sorted(forms, key=len, reverse=True))
        pieces: dict[str, list[tuple[str, int]]] = {}
        for form in self._whole:
            if len(form) >= FRAGMENT:
                for at in _anchors(form):
                    pieces.setdefault(form[at:at + FRAGMENT], []).append((form, at))
        self._pieces = pieces
        self._raw_pieces = tuple(v[at:at + FRAGMENT] for v in self.values
                                 if len(v) >= FRAGMENT for at in _anchors(v))

    def __bool__(self) -> bool:
        return bool(self.values)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Sorted, merged ``(start, end)`` spans of ``text`` that hold a secret or part of one."""
        found: list[tuple[int, int]] = []
        for form in self._whole:
            start = text.find(form)
            while start >= 0:
                found.append((start, start + len(form)))
                start = text.find(form, start + 1)
        for piece, homes in self._pieces.items():
            start = text.find(piece)
            while start >= 0:
                found.extend(_grown(text, start, form, at) for form, at in homes)
                start = text.find(piece, start + 1)
        if self._raw_pieces:
            found.extend(self._base64_spans(text))
        return _merged(found)

    def occurs_in(self, text: str) -> bool:
        """True when a secret value (in any form, or a cut copy) occurs in ``text``."""
        return bool(self.spans(text))

    def _base64_spans(self, text: str) -> Iterable[tuple[int, int]]:
        # "user:secret" in base64 shares no characters with the secret's own base64: the
        # offset shifts the alphabet. Decoding every base64-looking run finds it.
        for m in _B64_RUN.finditer(text):
            run = m.group()
            if run.islower() or run.isupper() or run.isdigit():
                continue  # identifiers, hex digests and numbers are not what hides here
            body = run.rstrip("=").replace("-", "+").replace("_", "/")
            body = body[: len(body) - len(body) % 4]
            try:
                decoded = base64.b64decode(body, validate=False).decode("latin-1")
            except (binascii.Error, ValueError):
                continue
            if any(p in decoded for p in self._raw_pieces):
                yield m.span()


def _grown(text: str, start: int, form: str, at: int) -> tuple[int, int]:
    """The span of ``text`` around a piece found at ``start`` that still matches ``form``."""
    lo, f_lo = start, at
    while lo > 0 and f_lo > 0 and text[lo - 1] == form[f_lo - 1]:
        lo, f_lo = lo - 1, f_lo - 1
    hi, f_hi = start + FRAGMENT, at + FRAGMENT
    while hi < len(text) and f_hi < len(form) and text[hi] == form[f_hi]:
        hi, f_hi = hi + 1, f_hi + 1
    return lo, hi


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(spans):
        if out and lo <= out[-1][1]:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out
