"""Second half of the fact pass: resolve what the visitor saw through the file's imports."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass

from truthgate.verify.facts import NOT_LITERAL, CallFact, EnvRead, KeywordFallback, SettingsField
from truthgate.verify.literals import arg_value, literal, resolve, value_fallback
from truthgate.verify.settings import SettingsClass

_ENV_CALLS = frozenset({"os.getenv", "os.environ.get", "os.environ.setdefault"})


@dataclass
class PendingCall:
    """A call seen during the pass, resolved once all imports are known."""

    name: str
    node: ast.Call
    names: list[str]
    in_function: bool
    in_main_guard: bool


@dataclass
class PendingEnv:
    """A would-be env read; kept only if its accessor resolves to os.environ/getenv."""

    raw: str  # the accessor as written ('environ.get', 'os.environ'), resolved at the end
    subscript: bool
    key: object
    line: int
    col: int
    has_default: bool = False
    default: object = None


def resolve_calls(pending: Sequence[PendingCall], b: dict[str, str]) -> list[CallFact]:
    """CallFacts in source order, with qualnames resolved through ``b`` (the bindings)."""
    out = []
    for c in pending:
        n = c.node
        out.append(
            CallFact(
                name=c.name,
                qualname=resolve(c.name, b),
                line=n.lineno,
                col=n.col_offset + 1,
                end_line=n.end_lineno or n.lineno,
                end_col=(n.end_col_offset or 0) + 1,
                args=tuple(arg_value(a) for a in n.args),
                kwargs=tuple((k.arg or "**", literal(k.value)) for k in n.keywords),
                arg_names=tuple(dict.fromkeys(c.names)),
                in_function=c.in_function,
                in_main_guard=c.in_main_guard,
                kwarg_fallbacks=_kwarg_fallbacks(n),
            )
        )
    out.sort(key=lambda c: (c.line, c.col))
    return out


def _kwarg_fallbacks(node: ast.Call) -> tuple[KeywordFallback, ...]:
    out = []
    for k in node.keywords:
        # Only non-literal values: a plain literal keyword is already in ``kwargs``. A fallback
        # standing in for no call or subscript ('x or "lit"') cannot replace a config read.
        if k.arg and not isinstance(k.value, ast.Constant):
            text, sources = value_fallback(k.value)
            if text is not None and sources:
                at = tuple((s.lineno, s.col_offset + 1) for s in sources)
                out.append(KeywordFallback(k.arg, text, at))
    return tuple(out)


def resolve_env_reads(pending: Sequence[PendingEnv], b: dict[str, str]) -> list[EnvRead]:
    """The candidates whose accessor really is os.environ / os.getenv after resolution."""
    out = []
    for e in pending:
        resolved = resolve(e.raw, b)
        if e.subscript and resolved != "os.environ":
            continue
        if not e.subscript and resolved not in _ENV_CALLS:
            continue
        name = e.key if isinstance(e.key, str) else NOT_LITERAL
        accessor = "os.environ[]" if e.subscript else resolved
        out.append(EnvRead(name, e.line, e.col, accessor, e.has_default, e.default))
    return out


def settings_fields(classes: Sequence[SettingsClass], b: dict[str, str]) -> list[SettingsField]:
    """Fields of classes deriving (directly or within the file) from ``BaseSettings``."""
    names: set[str] = set()
    out: list[SettingsField] = []
    for cls in classes:
        if any(
            resolve(base, b).rsplit(".", 1)[-1] == "BaseSettings" or base in names
            for base in cls.bases
        ):
            names.add(cls.name)
            out.extend(cls.fields)
    return out
