"""``${...}`` templates: environment variables, built-ins and captured variables.

``${NAME}`` looks NAME up in the scenario's variables first (built-ins ``uuid``, ``now``,
``run_id`` and values captured by earlier steps), then in the environment;
``${NAME:-default}`` falls back to ``default`` when both lack it (or hold an empty value).
``$${`` is a literal ``${``. A missing name without default raises
:class:`TemplateError`, so a typo never silently sends ``${ADMN_TOKEN}`` to a server.

When a whole string is a single ``${name}`` of a captured non-string value (a number, a
list), rendering JSON bodies keeps its type: ``{id: "${item_id}"}`` sends ``{"id": 42}``.

Typed built-ins: ``${int:unique}`` is an integer unique to the run and the scenario (a
millisecond clock times 1000 plus a random part, under 2**53 so every JSON reader keeps it
exact); as a whole JSON value it is sent as a number (``{update_id: "${int:unique}"}``),
so a service whose ids are integers needs no literal id that a second run would repeat.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_VAR = re.compile(
    r"\$\$\{|\$\{((?:int:)?[A-Za-z_][A-Za-z0-9_.]*)(?::-([^}]*))?\}")


class TemplateError(ValueError):
    """A template names a variable that is neither captured, built in, nor in the env."""

    def __init__(self, name: str) -> None:
        super().__init__(f"template variable ${{{name}}} is not set (no env var, built-in "
                         "or captured variable of that name, and no ':-default')")
        self.name = name


def _lookup(name: str, default: str | None, variables: Mapping[str, Any],
            environ: Mapping[str, str]) -> Any:
    if name in variables:
        return variables[name]
    value = environ.get(name)
    if value:
        return value
    if default is not None:
        return default
    if value is not None:
        return value  # set but empty, and no default: the empty string is what was asked
    raise TemplateError(name)


def render(text: str, variables: Mapping[str, Any], environ: Mapping[str, str]) -> str:
    """``text`` with every ``${...}`` replaced by its value's string form."""
    if "$" not in text:
        return text

    def sub(m: re.Match[str]) -> str:
        if m.group(0) == "$${":
            return "${"
        return str(_lookup(m.group(1), m.group(2), variables, environ))

    return _VAR.sub(sub, text)


def render_value(value: Any, variables: Mapping[str, Any], environ: Mapping[str, str]) -> Any:
    """Render every string inside a JSON-like value (keys included)."""
    if isinstance(value, str):
        m = _VAR.fullmatch(value)
        if m and m.group(0) != "$${" and m.group(1) in variables:
            return variables[m.group(1)]  # keep the captured value's JSON type
        return render(value, variables, environ)
    if isinstance(value, list):
        return [render_value(v, variables, environ) for v in value]
    if isinstance(value, dict):
        return {render(str(k), variables, environ): render_value(v, variables, environ)
                for k, v in value.items()}
    return value


def names_in(text: str) -> tuple[str, ...]:
    """Variable names a template refers to (for diagnostics)."""
    return tuple(m.group(1) for m in _VAR.finditer(text) if m.group(1))
