"""Helpers shared by the secret-, env- and call-oriented kinds.

Secret-like names are matched on *word segments*, never on substrings: ``SECRET_KEY``,
``jwtSecret``, ``db_password`` and ``access_token`` are secret-like, while ``token_count``,
``password_reset_url`` and ``cache_key`` are not. A name is secret-like when its last
segment is a secret word (``secret``, ``password``, ``token``, ...), or when it ends in ``key``
qualified by a word that makes a key a credential (``api_key``, ``secret_key``,
``private_key``), or when it is the exact name of an env var the contract marks ``secret``.

The module also holds the small accessors over ``CallFact`` every call-based kind needs, so
that "is this keyword a literal", "is this ``**kwargs``" mean the same thing everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from truthgate.verify.facts import NOT_LITERAL, CallFact

# The last word of a name that makes its value a credential.
SECRET_WORDS = frozenset(
    {"secret", "password", "passwd", "pwd", "passphrase", "token", "apikey", "secretkey"}
)
# Words that turn a trailing ``key`` into a credential; ``cache_key`` or ``sort_key`` stay plain.
KEY_QUALIFIERS = frozenset(
    {"api", "secret", "private", "access", "signing", "encryption", "master", "auth", "client"}
)

_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_URL_CREDENTIALS = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://(?P<user>[^:/@\s]*):(?P<pw>[^@/\s]*)@")
# Example-file values that are obviously not real: a reader must replace them.
_PLACEHOLDER = re.compile(
    r"^(x+|\*+|\.+|-+|<.*>|\$\{.*\}|\{\{.*\}\}|your[-_ ].*|todo|tbd|dummy|example|none|null|"
    r"placeholder|fixme)$",
    re.IGNORECASE,
)
_PLACEHOLDER_WORDS = ("changeme", "change-me", "change_me", "change_this", "replace-me",
                      "replace_me", "replaceme", "placeholder")


def name_words(name: str) -> tuple[str, ...]:
    """Lower-cased word segments of an identifier: 'jwtSecretKey' -> ('jwt', 'secret', 'key')."""
    tail = name.rsplit(".", 1)[-1]
    out: list[str] = []
    for part in re.split(r"[^A-Za-z0-9]+", tail):
        out.extend(w.lower() for w in _WORDS.findall(part))
    return tuple(out)


def is_secret_name(name: str, declared: Iterable[str] = ()) -> bool:
    """True when ``name`` names a credential (see the module docstring for the rule)."""
    bare = name.rsplit(".", 1)[-1]
    if bare.upper() in {d.upper() for d in declared}:
        return True
    # Trailing digits do not change meaning: 'db_password2' is still a password.
    words = tuple(w for w in name_words(bare) if not w.isdigit())
    if not words:
        return False
    if words[-1] in SECRET_WORDS:
        return True
    return len(words) >= 2 and words[-1] == "key" and words[-2] in KEY_QUALIFIERS


def is_placeholder(value: str) -> bool:
    """True for example-file values nobody would deploy: '', 'changeme', '<token>', 'your-key'."""
    text = value.strip().strip("'\"").strip()
    if not text:
        return True
    lowered = text.lower()
    return bool(_PLACEHOLDER.match(text)) or any(w in lowered for w in _PLACEHOLDER_WORDS)


def url_credentials(url: str) -> tuple[str, str] | None:
    """(user, password) embedded in a URL, or None when it carries no real password.

    Interpolation markers (``${DB_PASSWORD}``, ``{password}``, ``%s``, ``<pw>``) are not
    credentials: the value comes from elsewhere at run time.
    """
    match = _URL_CREDENTIALS.match(url.strip())
    if not match:
        return None
    password = match.group("pw")
    if not password or any(m in password for m in ("${", "{", "%s", "%(", "<")):
        return None
    if set(password) <= {"*", "x", "X"}:
        return None
    return match.group("user"), password


def is_literal(value: object) -> bool:
    """True for a literal value in a fact (not NOT_LITERAL and not a '<name:X>' reference)."""
    if value == NOT_LITERAL:
        return False
    return not (isinstance(value, str) and value.startswith("<name:") and value.endswith(">"))


def has_star_kwargs(call: CallFact) -> bool:
    """True when the call passes ``**kwargs``: its keywords are then unknown."""
    return any(key == "**" or key is None for key, _ in call.kwargs)


def kwarg(call: CallFact, name: str) -> tuple[bool, object]:
    """(present, value) of keyword ``name`` in a call."""
    for key, value in call.kwargs:
        if key == name:
            return True, value
    return False, None


def callee_tail(call: CallFact) -> str:
    """The last dotted segment of the callee: 'db.create_all' -> 'create_all'."""
    return call.name.rsplit(".", 1)[-1]


def receiver(call: CallFact) -> str:
    """The callee minus its last segment: 'self.logger.info' -> 'self.logger', 'print' -> ''."""
    return call.name.rsplit(".", 1)[0] if "." in call.name else ""


def str_tuple(raw: Mapping[str, Any], key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
    """A list-of-strings parameter as a tuple (``default`` when absent); rejects other shapes."""
    value = raw.get(key)
    if value is None:
        return default
    if isinstance(value, str) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{key} must be a list of strings")
    return tuple(value)


def wildcard(value: object) -> bool:
    """True when a literal origin setting allows every origin: '*', ['*'], 'a.com,*'."""
    if isinstance(value, str):
        return "*" in (part.strip() for part in value.split(","))
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(wildcard(v) for v in value)
    return False
