"""Masking: no secret value leaves the runner unmasked.

Two sources of secrets: values of the contract's secret env vars (and of env vars read by
``auth`` blocks, their ``:-default`` values, the base URL's password), and credential
headers (Authorization, Cookie, Set-Cookie, Proxy-Authorization, plus any header an
``auth`` block sets), whatever their value. Every Exchange, failure text and error message
goes through one :class:`Masker`, whose text rule is the redaction boundary's
(:class:`truthgate.redact.Redactor`): encoded forms, cut copies and credential shapes too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# One mask for every surface: smoke reports and log lines must hide secrets the same way.
from truthgate.redact import MASK, MIN_SECRET_LEN, Redactor

CREDENTIAL_HEADERS = frozenset({"authorization", "cookie", "set-cookie",
                                "proxy-authorization", "x-api-key"})


@dataclass(frozen=True)
class Masker:
    """Replaces known secret values and credential header values with ``***``."""

    secrets: tuple[str, ...] = ()
    headers: frozenset[str] = CREDENTIAL_HEADERS
    redactor: Redactor = field(default=Redactor(), compare=False, repr=False)

    def __post_init__(self) -> None:
        if set(self.secrets) != set(self.redactor.secrets):
            object.__setattr__(self, "redactor", Redactor(self.secrets))

    @classmethod
    def build(cls, names: Iterable[str], environ: Mapping[str, str],
              extra_headers: Iterable[str] = (), extra_values: Iterable[str] = ()) -> Masker:
        """A masker for the values the named env vars hold in ``environ``, and ``extra_values``."""
        values = {environ[n] for n in names if len(environ.get(n, "")) >= MIN_SECRET_LEN}
        values.update(v for v in extra_values if len(v) >= MIN_SECRET_LEN)
        hdrs = CREDENTIAL_HEADERS | {h.lower() for h in extra_headers}
        return cls(secrets=tuple(sorted(values, key=len, reverse=True)), headers=hdrs)

    def text(self, value: str) -> str:
        """``value`` with every secret (any form, cut copies) and credential replaced."""
        return self.redactor.redact(value)

    def header_pairs(self, pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
        """Headers with credential values masked whole and secrets masked in the rest."""
        return tuple((k, MASK if k.lower() in self.headers else self.text(v)) for k, v in pairs)

    def contains_secret(self, value: str) -> bool:
        """True when a known secret value occurs in ``value`` (any form, or a cut copy)."""
        return self.redactor.contains_secret(value)
