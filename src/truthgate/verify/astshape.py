"""Shapes of AST nodes the fact visitor asks about: guards, and which fields hold children."""

from __future__ import annotations

import ast


def is_type_checking(test: ast.expr) -> bool:
    """``if TYPE_CHECKING:`` or ``if typing.TYPE_CHECKING:``."""
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def is_main_guard(test: ast.expr) -> bool:
    """``if __name__ == "__main__":`` (either side)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return False
    if not isinstance(test.ops[0], ast.Eq):
        return False
    sides = (test.left, test.comparators[0])
    has_name = any(isinstance(s, ast.Name) and s.id == "__name__" for s in sides)
    has_main = any(isinstance(s, ast.Constant) and s.value == "__main__" for s in sides)
    return has_name and has_main


# Fields that never lead to a fact: expression contexts and operators are childless leaf
# nodes, present on most nodes; visiting them was a measurable share of the pass.
_LEAF_FIELDS = frozenset({"ctx", "op", "ops", "type_comment", "type_ignores",
                          # never a node: names, numbers and flags
                          "id", "attr", "arg", "module", "level", "kind", "conversion",
                          "is_async", "simple"})
CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def fields_of(cls: type) -> tuple[str, ...]:
    """The fields of a node class that can hold child nodes (cached per class)."""
    fields = CHILD_FIELDS.get(cls)
    if fields is None:
        names: tuple[str, ...] = getattr(cls, "_fields", ())
        fields = CHILD_FIELDS[cls] = tuple(f for f in names if f not in _LEAF_FIELDS)
    return fields
