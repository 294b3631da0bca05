"""Small helpers that turn AST expressions into the plain values facts store."""

from __future__ import annotations

import ast

from truthgate.verify.facts import NOT_LITERAL

# Literals bigger than this are not worth keeping: no invariant compares against them, and
# they would bloat the cache.
_MAX_ITEMS = 64
_MAX_DEPTH = 4


def literal(node: ast.AST | None, depth: int = 0) -> object:
    """The node's value when it is a small literal, else ``NOT_LITERAL``."""
    if node is None:
        return None
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bytes):
            return value.decode("utf-8", "replace")
        if value is Ellipsis or isinstance(value, complex):
            return NOT_LITERAL
        return value
    if depth >= _MAX_DEPTH:
        return NOT_LITERAL
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        if len(node.elts) > _MAX_ITEMS:
            return NOT_LITERAL
        items = [literal(e, depth + 1) for e in node.elts]
        if any(i == NOT_LITERAL for i in items):
            return NOT_LITERAL
        if isinstance(node, ast.List):
            return items
        if isinstance(node, ast.Tuple):
            return tuple(items)
        try:
            return frozenset(items)
        except TypeError:
            return NOT_LITERAL
    if isinstance(node, ast.Dict):
        if len(node.keys) > _MAX_ITEMS or any(k is None for k in node.keys):
            return NOT_LITERAL
        keys = [literal(k, depth + 1) for k in node.keys]
        values = [literal(v, depth + 1) for v in node.values]
        if any(x == NOT_LITERAL for x in (*keys, *values)):
            return NOT_LITERAL
        try:
            return dict(zip(keys, values, strict=False))
        except TypeError:
            return NOT_LITERAL
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, (ast.USub, ast.UAdd))
        and isinstance(node.operand, ast.Constant)
        and isinstance(node.operand.value, (int, float))
        and not isinstance(node.operand.value, bool)
    ):
        return -node.operand.value if isinstance(node.op, ast.USub) else node.operand.value
    return NOT_LITERAL


def or_fallbacks(node: ast.BoolOp) -> dict[int, str]:
    """``id(operand) -> literal`` for operands of ``a or b or "lit"`` that fall back to "lit".

    An operand falls back to the first non-empty string literal after it, unless a truthy
    non-string constant comes first (``x or 1 or "lit"`` never reaches "lit"). ``x or ""``
    is no fallback: an empty value behaves like an unset one. Only calls and subscripts are
    keyed, since only they can be env reads. Ids are of nodes of the tree being walked, which
    outlives the pass, so they stay unique while the visitor looks them up.
    """
    out: dict[int, str] = {}
    if not isinstance(node.op, ast.Or):
        return out
    fallback: str | None = None
    for value in reversed(node.values):
        if isinstance(value, ast.Constant):
            if isinstance(value.value, str) and value.value:
                fallback = value.value
            elif value.value:
                fallback = None  # a truthy constant: nothing after it is reached
        elif fallback is not None and isinstance(value, (ast.Call, ast.Subscript)):
            out[id(value)] = fallback
    return out


def arg_value(node: ast.AST) -> object:
    """A positional argument: a literal, '<name:X>' for a bare name, else ``NOT_LITERAL``."""
    if isinstance(node, ast.Name):
        return f"<name:{node.id}>"
    return literal(node)


def dotted(node: ast.AST) -> str:
    """'a.b.c' for a Name/Attribute chain, '?.x' when the chain starts on a non-name, '' else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    elif parts:
        parts.append("?")
    else:
        return ""
    return ".".join(reversed(parts))


def resolve(name: str, bindings: dict[str, str]) -> str:
    """Resolve the first segment of a dotted name through the file's import bindings."""
    head, sep, rest = name.partition(".")
    target = bindings.get(head)
    if target is None:
        return name
    return target + sep + rest if rest else target
