"""no_hardcoded_secrets: credentials come from the environment, never from the source.

Findings (the secret's value never appears in a message):

* a string literal assigned to a secret-like name — ``SECRET_KEY = "..."``,
  ``app.secret_key = "..."``, ``app.config["SECRET_KEY"] = "..."``, ``JWT_SECRET``,
  ``DB_PASSWORD``, ``GITHUB_TOKEN``, ``api_key``, class fields and keyword defaults included,
  and any env var name the contract marks ``secret`` — or passed as a keyword argument with
  such a name (``app.config.update(SECRET_KEY="...")``, ``connect(password="...")``);
* an env read with a literal fallback for a secret-like variable
  (``os.environ.get("SESSION_SECRET", "dev-secret")``, and the same written
  ``os.environ.get("SESSION_SECRET") or "dev-secret"`` or ``os.environ["SESSION_SECRET"] if
  "SESSION_SECRET" in os.environ else "dev-secret"``): a missing variable silently runs
  production with a published key. When the variable is declared ``secret`` in the contract
  and the contract also enables ``env_contract``, that kind reports it instead (one finding per
  defect, not two) — set ``defer_to_env_contract: false`` to report it here as well;
* a secret-like assignment target that falls back to a literal, whatever the variable is
  called: ``app.secret_key = os.getenv("FLASK_KEY") or "dev"``,
  ``SECRET_KEY = os.getenv("FLASK_KEY", "dev-key")``, ``JWT_SECRET = settings.get("jwt") or
  "changeme-please"``, ``app.secret_key = os.getenv("K") if os.getenv("K") else "dev"``. One
  finding per assignment; none when the env read in it is already reported (above, or by
  ``env_contract``). Without an env read on the right, only setting-shaped targets count
  (``NAME`` constants, attributes, ``config["KEY"]``, class fields): a lowercase local such
  as ``token = request.headers.get("X-Token") or "anonymous"`` is request data;
* a secret-like keyword argument fed a configuration read that falls back to a literal:
  ``connect(password=os.getenv("DB_PW") or "dev")``, ``create_engine(url,
  password=os.environ.get("X", "hunter2"))``, ``Client(api_key=settings.get("k", "dev"))``.
  Only env reads and getters on ``settings`` / ``config`` / ``cfg`` count
  (``password=form.get("pw", "guest")`` is request data), and none when the env read is
  already reported;
* credentials inside a connection URL (``postgresql://user:password@host``), anywhere in the
  code; ``${DB_PASSWORD}``-style interpolation, ``<password>``, an obvious placeholder
  (``changethis``, ``xxxx``, ``your-...``) or one of the contract's ``env.placeholders`` is not
  a credential (the plain words ``password``/``secret`` still are: they connect).

Values in ``allow_values`` (default: only the empty string) are not findings; placeholders
such as ``changeme`` are *not* allowed by default because code with such a fallback still runs
in production. A value equal to its own name (``PASSWORD = "password"``, a form-field name)
is a key, not a secret. tests/ are excluded by default. An env fallback is named after the
env var only when the ``or``'s left side is itself an env read: ``value or "dev-key"`` on a
lowercase local is neither kind of fallback, ``or ""`` / ``or None`` is no value, and a name
ending in another word (``secret_key_path``, ``token_file``) is not a secret.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from truthgate.verify.facts import AssignFact, CallFact, EnvRead, FileFacts, KeywordFallback
from truthgate.verify.kinds._secrets import (
    is_example_path,
    is_literal,
    is_placeholder,
    is_secret_name,
    name_words,
    str_tuple,
    url_credentials,
)
from truthgate.verify.kinds.base import CheckContext, InvariantKind, Violation


@dataclass(frozen=True)
class Params:
    """Values tolerated as secrets, extra secret names, and the env_contract hand-off."""

    allow_values: tuple[str, ...] = ("",)
    secret_names: tuple[str, ...] = ()
    defer_to_env_contract: bool = True


def parse_params(raw: Mapping[str, Any]) -> Params:
    """Read ``allow_values`` (replaces the default), ``secret_names``, ``defer_to_env_contract``."""
    return Params(
        allow_values=str_tuple(raw, "allow_values", Params.allow_values),
        secret_names=str_tuple(raw, "secret_names"),
        defer_to_env_contract=bool(raw.get("defer_to_env_contract", True)),
    )


def _hardcoded(name: str, value: object, params: Params, declared: frozenset[str]) -> bool:
    """True when ``value`` is a real-looking string literal for a secret-like ``name``."""
    if not isinstance(value, str) or not is_literal(value) or value in params.allow_values:
        return False
    bare = name.rsplit(".", 1)[-1]
    if value.strip().lower() == bare.lower():
        return False  # a key / field name that merely spells the secret's name
    return is_secret_name(name, declared)


_FALLBACK_USED = "the literal is used when the variable is unset or empty"
_FALLBACK_HINT = (
    "Drop the fallback: read the value with no default (os.environ['SECRET_KEY']) and fail "
    "at start-up when it is unset or empty; rotate the literal if it was ever deployed."
)


def _setting_target(a: AssignFact) -> bool:
    """True for the places settings live: NAME constants, attributes, config keys, class fields.

    A lowercase local (``token = request.headers.get("X-Token") or "anonymous"``) is request
    or function data, not configuration, so a literal fallback there is no start-up secret.
    """
    return "." in a.target or "[" in a.target or bool(a.class_name and not a.in_function) or (
        a.name.isupper()
    )


@dataclass(frozen=True)
class _Scope:
    """What one run of the kind knows beyond a file: params and the contract's secrets."""

    params: Params
    declared: frozenset[str]
    deferred: frozenset[str]  # secret env vars whose literal defaults env_contract reports
    placeholders: tuple[str, ...] = ()  # the contract's env.placeholders

    def read_reported(self, read: EnvRead) -> bool:
        """True when an env read's literal default is reported, here or by env_contract."""
        if not read.has_default:
            return False
        if read.name.upper() in self.deferred:
            # env_contract's own rule: any literal, non-empty default of a secret env var.
            return is_literal(read.default) and read.default not in (None, "")
        return _hardcoded(read.name, read.default, self.params, self.declared)


def _fallback_violation(
    path: str, a: AssignFact, reads_at: Mapping[tuple[int, int], EnvRead], scope: _Scope
) -> Violation | None:
    """A secret-like target that falls back to a literal, unless its env read is reported."""
    if a.fallback is None:
        return None
    reads = [reads_at[p] for p in a.fallback_sources if p in reads_at]
    # An env read shows the value is configuration, whatever the target looks like; without
    # one only a setting-shaped target is (see _setting_target).
    if not (reads or _setting_target(a)) or any(scope.read_reported(r) for r in reads):
        return None  # the env read's own finding already covers this place: report once
    if not _hardcoded(a.name, a.fallback, scope.params, scope.declared):
        return None
    return Violation(path, f"hard-coded fallback for {a.target}: {_FALLBACK_USED}", a.line,
                     a.col, hint=_FALLBACK_HINT, key=f"fallback:{a.target}",
                     secret=str(a.fallback))


@dataclass(frozen=True)
class _Sources:
    """One file's env reads and calls by (line, col): how a fallback finds what it replaces."""

    reads: Mapping[tuple[int, int], EnvRead]
    calls: Mapping[tuple[int, int], CallFact]


# Receivers a getter reads configuration from: settings.get("k", "dev"), app.config.get(...),
# getattr(settings, "K", "dev"). A request, a form or a dict of user data is not one.
_CONFIG_WORDS = frozenset({"settings", "config", "conf", "cfg", "configuration"})


def _config_getter(call: CallFact | None) -> bool:
    if call is None:
        return False
    holder = ""
    if call.name == "getattr" and call.args and isinstance(call.args[0], str):
        first = call.args[0]  # '<name:settings>' for a bare name (see CallFact.args)
        holder = first[len("<name:"):-1] if first.startswith("<name:") else ""
    elif call.name.rsplit(".", 1)[-1] in ("get", "setdefault"):
        holder = call.name.rsplit(".", 1)[0] if "." in call.name else ""
    return bool(_CONFIG_WORDS.intersection(name_words(holder)))


def _keyword_violation(
    path: str, call: CallFact, kw: KeywordFallback, at: _Sources, scope: _Scope
) -> Violation | None:
    """A secret-named keyword fed an env or settings read that falls back to a literal.

    ``connect(password=os.getenv("DB_PW") or "dev")``: the keyword names the value, as an
    assignment target does. Only configuration reads count (an env read, or a getter on
    settings/config): ``password=form.get("pw", "guest")`` is request data. Once per defect:
    none when the env read's own default is already reported.
    """
    reads = [at.reads[p] for p in kw.sources if p in at.reads]
    if not reads and not any(_config_getter(at.calls.get(p)) for p in kw.sources):
        return None
    if any(scope.read_reported(r) for r in reads):
        return None
    if not _hardcoded(kw.keyword, kw.fallback, scope.params, scope.declared):
        return None
    return Violation(path, f"hard-coded fallback passed as {kw.keyword}= to {call.name}(): "
                     f"{_FALLBACK_USED}", call.line, call.col, call.end_line, call.end_col,
                     hint=_FALLBACK_HINT, key=f"fallback:{call.name}:{kw.keyword}",
                     secret=str(kw.fallback))


def _file_violations(facts: FileFacts, scope: _Scope) -> Iterable[Violation]:
    params, declared, deferred = scope.params, scope.declared, scope.deferred
    settings = {(f.class_name, f.field): f.env_name for f in facts.settings_fields}
    reads_at = {(r.line, r.col): r for r in facts.env_reads}
    at = _Sources(reads_at, {(c.line, c.col): c for c in facts.calls})
    example = is_example_path(facts.path)
    for a in facts.assigns:
        env_name = settings.get((a.class_name, a.name), "") if a.class_name else ""
        if example and isinstance(a.value, str) and is_placeholder(a.value, scope.placeholders):
            continue  # an example file's placeholder ('postgresql://u:<password>@h/db')
        if env_name.upper() not in deferred and _hardcoded(a.name, a.value, params, declared):
            yield Violation(facts.path, f"hard-coded secret assigned to {a.target}",
                            a.line, a.col, key=a.target, secret=str(a.value))
        elif (found := _fallback_violation(facts.path, a, reads_at, scope)) is not None:
            yield found
    for call in facts.calls:
        for key, value in call.kwargs:
            if key and key != "**" and _hardcoded(key, value, params, declared):
                yield Violation(facts.path, f"hard-coded secret passed as {key}= to {call.name}()",
                                call.line, call.col, call.end_line, call.end_col,
                                key=f"{call.name}:{key}", secret=str(value))
        for kw in call.kwarg_fallbacks:
            if (found := _keyword_violation(facts.path, call, kw, at, scope)) is not None:
                yield found
    for read in facts.env_reads:
        if read.name.upper() not in deferred and scope.read_reported(read):
            yield Violation(facts.path,
                            f"secret env var {read.name} falls back to a hard-coded value",
                            read.line, read.col, key=f"env:{read.name}",
                            secret=str(read.default or ""))
    for url in facts.credential_urls:
        creds = url_credentials(url.value, scope.placeholders, example)
        if creds:
            yield Violation(facts.path,
                            f"connection URL embeds the password of user {creds[0]!r}",
                            url.line, url.col, key=f"url:{creds[0]}", secret=creds[1])


def check(ctx: CheckContext, params: Params) -> Iterable[Violation]:
    """Hard-coded secrets in assignments, keyword arguments, env fallbacks and URLs."""
    env = ctx.contract.env
    declared = env.secret_names | frozenset(params.secret_names)
    env_contract_on = any(spec.kind == "env_contract" for spec in ctx.contract.invariants)
    deferred = frozenset(
        n.upper() for n in env.secret_names
        if params.defer_to_env_contract and env_contract_on
    )
    scope = _Scope(params, declared, deferred, env.placeholders)
    for facts in ctx.files:
        yield from _file_violations(facts, scope)


KIND = InvariantKind(
    name="no_hardcoded_secrets",
    summary="No secrets, secret fallbacks or URL credentials in the source.",
    why=(
        "A secret in the repository is readable by everyone with access to it, forever (git "
        "history); a hard-coded fallback lets production run with a published key when the "
        "real variable is missing, so sessions and tokens can be forged."
    ),
    hint=(
        "Read the value from the environment with no default (os.environ['SECRET_KEY']) and "
        "fail start-up when it is missing; rotate any secret that was committed."
    ),
    params_schema={
        "properties": {
            "allow_values": {
                "type": "array",
                "items": {"type": "string"},
                "description": "Literal values that are not secrets (replaces the default [''])"
                ", e.g. ['', 'changeme'].",
            },
            "secret_names": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "description": "Extra exact names treated as secrets, on top of the word rule "
                "and the contract's secret env vars.",
            },
            "defer_to_env_contract": {
                "type": "boolean",
                "description": "Leave literal defaults of contract-declared secret env vars to "
                "env_contract when it is enabled (default true: one finding per defect).",
            },
        }
    },
    parse_params=parse_params,
    check=check,
    default_paths=("**/*.py",),
    default_exclude=("tests/**", "**/tests/**"),
    example=(
        "- id: no-hardcoded-secrets\n"
        "  kind: no_hardcoded_secrets\n"
        "  allow_values: ['', 'changeme']\n"
    ),
)
