"""Masking: no secret value leaves the runner unmasked.

Two sources of secrets: values of the contract's secret env vars (and of env vars read by
``auth`` blocks), and credential headers (Authorization, Cookie, Set-Cookie,
Proxy-Authorization, plus any header an ``auth`` block sets), whatever their value. Every
Exchange, failure text and error message goes through one :class:`Masker`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# One mask for every surface: smoke reports and log lines must hide secrets the same way.
from truthgate.redact import MASK

CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "set-cookie",
                                "proxy-authorization", "x-api-key"})

# Values this short are too likely to occur by chance ('1', 'true') to be masked as text;
# they still never appear through a credential header.
_MIN_SECRET_LEN = 4


@dataclass(frozen=True)
class Masker:
    """Replaces known secret values and credential header values with ``***``."""

    secrets: tuple[str, ...] = ()  # longest first, so a secret containing another wins
    headers: frozenset[str] = CREDENTIAL_HEADERS

    @classmethod
    def build(cls, names: Iterable[str], environ: Mapping[str, str],
              extra_headers: Iterable[str] = ()) -> Masker:
        """A masker for the values the named env vars hold in ``environ``."""
        values = {environ[n] for n in names if len(environ.get(n, "")) >= _MIN_SECRET_LEN}
        hdrs = CREDENTIAL_HEADERS | {h.lower() for h in extra_headers}
        return cls(secrets=tuple(sorted(values, key=len, reverse=True)), headers=hdrs)

    def text(self, value: str) -> str:
        """``value`` with every secret replaced."""
        for s in self.secrets:
            if s in value:
                value = value.replace(s, MASK)
        return value

    def header_pairs(self, pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
        """Headers with credential values masked whole and secrets masked in the rest."""
        return tuple((k, MASK if k.lower() in self.headers else self.text(v)) for k, v in pairs)

    def contains_secret(self, value: str) -> bool:
        """True when a known secret value occurs in ``value``."""
        return any(s in value for s in self.secrets)
