"""no_secret_logging: logging and print calls never format a secret.

A call is a logging call when it is ``logging.<level>(...)``, or ``<x>.<level>(...)`` on a
receiver whose last segment is ``log`` / ``_log`` / ``logging`` or ends in ``logger``
(``logger``, ``self.logger``, ``app.logger``, ``audit_logger``), with ``<level>`` one of debug,
info, warning, warn, error, exception, critical, fatal, log; ``print(...)`` counts too.

It is a finding when any name referenced in its arguments (variables, attribute tails, names
inside f-strings and ``extra={...}``) is secret-like — matched on word segments, so
``access_token``, ``db_password``, ``settings.SECRET_KEY`` and any env var the contract marks
``secret`` match, while ``token_count``, ``password_reset_url`` or ``user.password_hash`` do
not. Text inside string literals is not a reference: ``logger.info("token refreshed")`` is fine.

Sanitisers: a name referenced only inside a call to one of ``sanitizers`` (default ``len``,
``bool``, ``type``, ``mask``, ``redact``, ``hash``, ``sha256``, ``hexdigest``...) nested in the
arguments is trusted: ``logger.debug("token length %d", len(token))`` is fine, while
``logger.info("%s %d", password, len(token))`` still reports ``password``. Facts record the
names of a call's arguments as a set, so a name that appears both sanitised and raw in the
same call (``len(token), token``) is trusted — the trade-off favours no false alarms.
``ignore_names`` lists non-secret names such as pagination cursors (``next_page_token``).
tests/ are excluded by default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from truthgate.verify.facts import CallFact
from truthgate.verify.kinds._secrets import callee_tail, is_secret_name, receiver, str_tuple
from truthgate.verify.kinds.base import CheckContext, InvariantKind, Violation

LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"}
)


@dataclass(frozen=True)
class Params:
    """Sanitiser functions, names never treated as secrets, and extra secret names."""

    sanitizers: tuple[str, ...] = (
        "len", "bool", "type", "mask", "redact", "redacted", "masked", "hash", "sha256",
        "hexdigest", "fingerprint",
    )
    ignore_names: tuple[str, ...] = ("csrf_token", "next_token", "page_token", "next_page_token")
    secret_names: tuple[str, ...] = ()


def parse_params(raw: Mapping[str, Any]) -> Params:
    """Read ``sanitizers`` and ``ignore_names`` (replace the defaults) and ``secret_names``."""
    return Params(
        sanitizers=str_tuple(raw, "sanitizers", Params.sanitizers),
        ignore_names=str_tuple(raw, "ignore_names", Params.ignore_names),
        secret_names=str_tuple(raw, "secret_names"),
    )


def is_logging_call(call: CallFact) -> bool:
    """True for logging.x(), <logger>.x() and print()."""
    if call.qualname in ("print", "builtins.print"):
        return True
    if callee_tail(call) not in LOG_METHODS:
        return False
    if call.qualname.startswith("logging.") and call.qualname.count(".") == 1:
        return True
    base = receiver(call).rsplit(".", 1)[-1].lower()
    return base in ("log", "_log", "logging") or base.endswith("logger")


def _sanitised(
    call: CallFact, calls: tuple[CallFact, ...], sanitizers: frozenset[str]
) -> frozenset[str]:
    """Names passed to a sanitiser call nested inside ``call``'s span."""
    start, end = (call.line, call.col), (call.end_line, call.end_col)
    return frozenset(
        name
        for inner in calls
        if inner is not call
        and callee_tail(inner) in sanitizers
        and start <= (inner.line, inner.col)
        and (inner.end_line, inner.end_col) <= end
        for name in inner.arg_names
    )


def check(ctx: CheckContext, params: Params) -> Iterable[Violation]:
    """One violation per logging/print call that references a secret-like name."""
    declared = ctx.contract.env.secret_names | frozenset(params.secret_names)
    ignored = frozenset(n.lower() for n in params.ignore_names)
    sanitizers = frozenset(params.sanitizers)
    for facts in ctx.files:
        for call in facts.calls:
            if not is_logging_call(call):
                continue
            clean = _sanitised(call, facts.calls, sanitizers)
            secrets = [
                n for n in call.arg_names
                if n not in clean and n.lower() not in ignored and is_secret_name(n, declared)
            ]
            if not secrets:
                continue
            shown = ", ".join(secrets)
            yield Violation(
                path=facts.path,
                message=f"{call.name}() logs secret-like value(s): {shown}",
                line=call.line,
                col=call.col,
                end_line=call.end_line,
                end_col=call.end_col,
                key=f"{call.name}:{shown}",
            )


KIND = InvariantKind(
    name="no_secret_logging",
    summary="Logging and print calls never include tokens, passwords or other secrets.",
    why=(
        "Logs are shipped, retained and readable by far more people and systems than the "
        "secret store; a token written to a log is a leaked token."
    ),
    hint=(
        "Log an identifier or a masked form instead (e.g. token[-4:] via a mask() helper, or "
        "len(token)), or drop the value from the message."
    ),
    params_schema={
        "properties": {
            "sanitizers": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "description": "Functions whose presence in the arguments marks the value as "
                "sanitised (replaces the default list: len, bool, mask, redact, hash, ...).",
            },
            "ignore_names": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "description": "Names never treated as secrets, e.g. pagination cursors "
                "(replaces the default list).",
            },
            "secret_names": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "description": "Extra exact names treated as secrets, on top of the word rule "
                "and the contract's secret env vars.",
            },
        }
    },
    parse_params=parse_params,
    check=check,
    default_paths=("**/*.py",),
    default_exclude=("tests/**", "**/tests/**"),
    example=(
        "- id: no-secret-logging\n"
        "  kind: no_secret_logging\n"
        "  secret_names: [stripe_key]\n"
    ),
)
