"""A typed doorway to JMESPath (the library ships no type stubs)."""

from __future__ import annotations

from typing import Any

import jmespath  # type: ignore[import-untyped]

MISS: Any = object()
"""Returned by :func:`search` when the expression is invalid or cannot apply."""


def search(expression: str, data: Any) -> Any:
    """The expression's result over ``data``; :data:`MISS` when it cannot be evaluated."""
    try:
        return jmespath.search(expression, data)
    except (jmespath.exceptions.JMESPathError, TypeError, ValueError):
        return MISS
