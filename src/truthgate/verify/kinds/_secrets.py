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

import fnmatch
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
# Placeholders: values nobody would deploy, that a reader must replace. A whole value:
_PLACEHOLDER = re.compile(
    r"^(x+|\*+|\.+|-+|_+|\?+|0+|todo|tbd|dummy|example|sample|none|null|nil|placeholder|fixme|"
    r"secret|secrets|password|passwd|pass|pwd|token|key|apikey|api[-_]key|secret[-_]key|"
    r"test|testing|demo|default|foo|bar|foobar|dev|local|insecure|unsafe|not[-_ ]?set|unset|"
    r"(change|replace|update|set|fill)[-_ ]?(me|this|it)([-_ ].*)?|"
    r"(add|enter|put|insert)[-_ ]?(your|a|the)?[-_ ].*|your[-_ ].*|my[-_ ]?(secret|password|key|token).*)$",
    re.IGNORECASE,
)
# ... or a part of one, anywhere (inside a URL too): '<password>', '${POSTGRES_PASSWORD}',
# '{{ token }}', 'your-api-key-here', 'changethis', 'xxxx'.
_PLACEHOLDER_PART = re.compile(
    r"<[^<>]*>|\$\{[^}]*\}|\{\{[^}]*\}\}|\byour[-_ ]\S*|[-_ ]here\b|x{4,}|\*{3,}|"
    r"change[-_]?(me|this|it)|replace[-_]?(me|this|it)|placeholder|insecure|not[-_]for[-_]prod",
    re.IGNORECASE,
)


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


def is_placeholder(value: str, extra: Iterable[str] = ()) -> bool:
    """True for values nobody would deploy: '', 'changeme', 'changethis', 'secret', 'xxx',
    '<token>', 'your-key-here', '${X}', a URL whose password is one ('postgresql://u:<pw>@h/db',
    'redis://:${REDIS_PASSWORD}@h'), or one of ``extra`` (the contract's ``env.placeholders``:
    case-insensitive fnmatch globs, matched against the value and a URL's password)."""
    text = value.strip().strip("'\"").strip()
    if not text:
        return True
    patterns = tuple(extra)
    if _own_placeholder(text, patterns):
        return True
    match = _URL_CREDENTIALS.match(text)
    if match:  # a URL: only its password matters ('postgresql://u:changethis@db/app')
        password = match.group("pw")
        return not password or _own_placeholder(password, patterns) or bool(
            _PLACEHOLDER.match(password) or _PLACEHOLDER_PART.search(password)
        )
    return bool(_PLACEHOLDER.match(text) or _PLACEHOLDER_PART.search(text))


def _own_placeholder(text: str, patterns: tuple[str, ...]) -> bool:
    lowered = text.lower()
    return any(fnmatch.fnmatchcase(lowered, p.lower()) for p in patterns)


_EXAMPLE_NAME = re.compile(r"(^|[._-])(example|sample|template|dist)([._-]|$)", re.I)


def is_example_path(path: str) -> bool:
    """True for a file that shows what to fill in: ``.env.example``, ``settings.example.py``,
    ``config_sample.py``, ``docker-compose.template.yml``, ``local.py.dist``."""
    return bool(_EXAMPLE_NAME.search(path.rsplit("/", 1)[-1]))


def url_credentials(url: str, extra: Iterable[str] = (),
                    example: bool = False) -> tuple[str, str] | None:
    """(user, password) embedded in a URL, or None when it carries no real password.

    Interpolation markers (``${DB_PASSWORD}``, ``$DB_PASSWORD``, ``{password}``, ``%s``,
    ``<pw>``) are not credentials: the value comes from elsewhere at run time; nor is a
    placeholder password (``changethis``, ``xxxx``, one of ``extra``: see
    ``is_placeholder``). In an ``example`` file (:func:`is_example_path`) a plain word
    (``password``, ``secret``) is a placeholder too: that file tells a reader what to fill in.
    """
    match = _URL_CREDENTIALS.match(url.strip())
    if not match:
        return None
    password = match.group("pw")
    if not password or any(m in password for m in ("${", "{", "%s", "%(", "<")):
        return None
    if re.fullmatch(r"\$[A-Za-z_][A-Za-z0-9_]*", password):
        return None  # a shell variable: '$POSTGRES_PASSWORD'
    if example and is_placeholder(password, extra):
        return None
    if set(password) <= {"*", "x", "X"} or _own_placeholder(password, tuple(extra)):
        return None
    # In code, a plain word ('password', 'secret') still connects: only the obvious ones go.
    generic = password.lower() in ("pass", "password", "secret", "test", "dev", "local", "demo")
    if _PLACEHOLDER_PART.search(password) or (_PLACEHOLDER.match(password) and not generic):
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
