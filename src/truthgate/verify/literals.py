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


def _read_key(node: ast.expr) -> str | None:
    # The key of a would-be env read: getenv("K") / environ.get("K") / environ["K"].
    if isinstance(node, ast.Call) and node.args:
        return _non_empty_str(node.args[0])
    if isinstance(node, ast.Subscript):
        return _non_empty_str(node.slice)
    return None


def ifexp_fallbacks(node: ast.IfExp) -> dict[int, str]:
    """``id(read) -> literal`` for ``read if <test on K> else "lit"`` (either order).

    ``os.environ["K"] if "K" in os.environ else "dev"`` and ``os.getenv("K") if
    os.getenv("K") else "dev"`` mean ``os.getenv("K", "dev")``: the literal is what the code
    runs with when K is unset. Only when the test names the same key: in ``os.environ["K"]
    if DEBUG else "dev"`` the literal is a mode's value, not K's default. The read must be the
    branch itself (a call or subscript with a string key), as for ``or_fallbacks``.
    """
    for lit, other in ((node.orelse, node.body), (node.body, node.orelse)):
        text = _non_empty_str(lit)
        if text is None:
            continue
        key = _read_key(other)
        if key is not None and any(
            isinstance(n, ast.Constant) and n.value == key for n in ast.walk(node.test)
        ):
            return {id(other): text}
    return {}


# Callees whose literal default is what the code runs with when the looked-up value is
# missing: os.getenv / mapping .get / os.environ.setdefault / getattr(settings, "X", "dev").
_DEFAULT_GETTERS = {"getenv": 1, "get": 1, "setdefault": 1, "getattr": 2}


def _non_empty_str(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
        return node.value
    return None


def _sources(operands: list[ast.expr]) -> tuple[ast.expr, ...]:
    # Only calls and subscripts can be env reads; their positions link the fallback to them.
    return tuple(
        n for op in operands for n in ast.walk(op) if isinstance(n, (ast.Call, ast.Subscript))
    )


def value_fallback(node: ast.AST | None) -> tuple[str | None, tuple[ast.expr, ...]]:
    """(literal, sources) when an assigned expression falls back to a non-empty string literal.

    Three shapes: ``src or "dev"`` (the chain's first truthy constant, when it is a string
    reached after a non-constant operand: ``src or 1 or "x"`` and ``"x" or src`` are not
    fallbacks), a getter's literal default (``os.getenv("K", "dev")``, ``cfg.get("k", "dev")``,
    ``getattr(settings, "K", "dev")``), and ``src if test else "dev"`` (either branch a literal,
    the other not a constant). ``sources`` are the calls and subscripts the literal stands in
    for, so a kind can tell whether one of them is an env read. ``(None, ())`` otherwise.
    """
    if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
        operands: list[ast.expr] = []
        for value in node.values:
            if not isinstance(value, ast.Constant):
                operands.append(value)
            elif value.value:  # a truthy constant ends the chain, whatever follows
                text = _non_empty_str(value)
                return (text, _sources(operands)) if text and operands else (None, ())
        return None, ()
    if isinstance(node, ast.IfExp):
        for lit, other in ((node.orelse, node.body), (node.body, node.orelse)):
            text = _non_empty_str(lit)
            if text and not isinstance(other, ast.Constant):
                return text, _sources([other])
        return None, ()
    if isinstance(node, ast.Call):
        func = node.func
        tail = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        index = _DEFAULT_GETTERS.get(tail)
        if index is None:
            return None, ()
        default: ast.expr | None = node.args[index] if len(node.args) > index else None
        for k in node.keywords:
            if k.arg in ("default", "value"):
                default = k.value
        text = _non_empty_str(default)
        if text:
            return text, (node,)
    return None, ()


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
