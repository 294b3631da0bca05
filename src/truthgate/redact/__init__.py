"""The redaction boundary: no secret leaves truthgate, in any output, in any form.

Every byte a command writes (stdout, stderr, ``--out`` files, recorded cycles, the HTML
page, tag messages, the pytest plugin's reports) passes through :func:`scrub`, which
applies the process's :class:`Redactor`:

* the values it was told are secret (declared secret env vars, their ``:-default`` values,
  auth-block values, the password of a ``--base-url``), in their raw, URL-encoded,
  JSON/HTML-escaped, base64 (also inside ``user:secret``) and hex forms, and any cut copy
  of them of :data:`~truthgate.redact.values.FRAGMENT` characters or more;
* credentials recognised by their form whatever their value (:mod:`.shapes`):
  ``Authorization``/``Cookie`` headers, passwords in URLs, ``password=``/``token=`` pairs,
  private key blocks, JWTs and provider tokens.

The engines mask what they record as well (the smoke masker, the log quotes): masking
before cutting is what keeps a prefix of a secret out of a truncated message; the boundary
is the net under them, so a new output path cannot forget. Imports nothing but the
standard library, so the log gate and the CLI can load it for the price of a few regexes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from truthgate.redact.mask import MASK
from truthgate.redact.shapes import redact_credentials
from truthgate.redact.values import FRAGMENT, MIN_SECRET_LEN, SecretValues

__all__ = ["FRAGMENT", "MASK", "MIN_SECRET_LEN", "Redactor", "active", "add_secrets",
           "install", "partial", "redact_credentials", "scrub"]


class Redactor:
    """Masks known secret values (every form, cut copies) and credentials by their form."""

    __slots__ = ("_values",)

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._values = SecretValues(secrets)

    @property
    def secrets(self) -> frozenset[str]:
        """The secret values this redactor masks (long enough to be masked as text)."""
        return self._values.values

    def with_secrets(self, more: Iterable[str]) -> Redactor:
        """A redactor that also masks ``more``."""
        extra = frozenset(more)
        return self if extra <= self.secrets else Redactor(self.secrets | extra)

    def redact(self, text: str) -> str:
        """``text`` with every secret value and every credential replaced by ``***``."""
        if not text:
            return text
        if self._values:
            spans = self._values.spans(text)
            if spans:
                parts, last = [], 0
                for lo, hi in spans:
                    parts += [text[last:lo], MASK]
                    last = hi
                parts.append(text[last:])
                text = "".join(parts)
        return redact_credentials(text)

    def contains_secret(self, text: str) -> bool:
        """True when a known secret value (any form, or a cut copy) occurs in ``text``."""
        return bool(self._values) and self._values.occurs_in(text)


def partial(value: str) -> str:
    """How a committed secret is named in a finding: ``tl_l…(32 chars, #1f2e3d4c)``.

    At most the first 4 characters (none of a short value), as secret scanners show them,
    and a short hash so two findings of the same value can be matched.
    """
    shown = value[: min(4, len(value) // 4)]
    digest = hashlib.sha256(b"truthgate-secret\0" + value.encode("utf-8", "replace"))
    return f"{shown}…({len(value)} chars, #{digest.hexdigest()[:8]})"


_active = Redactor()


def install(redactor: Redactor) -> None:
    """Make ``redactor`` the one every output of this process goes through."""
    global _active
    _active = redactor


def add_secrets(values: Iterable[str]) -> None:
    """Also mask ``values`` in every output from now on (a command learns them as it runs)."""
    install(_active.with_secrets(values))


def active() -> Redactor:
    """The redactor outputs go through."""
    return _active


def scrub(text: str) -> str:
    """``text`` as it may leave the process: through the active redactor."""
    return _active.redact(text)
