"""From contract text to YAML node trees: the parser choice and the guard it needs.

:mod:`truthgate.contract.yamlload` turns the nodes into data; this module only makes
sure parsing is fast (libyaml when installed) and cannot be made to hang.
"""

from __future__ import annotations

from typing import Any

import yaml

# libyaml parses a contract about 100x faster than PyYAML's pure-Python scanner (3 ms
# against 0.3-0.7 s for the demo contract), which is most of a smoke run's start-up.
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", None)


def compose(source: str) -> list[yaml.Node]:
    """Every document's node tree, parsed by libyaml when it is there.

    When libyaml refuses the text, PyYAML parses it again: its messages and marks are the
    ones the error help is written for, and a broken contract is not the fast path.
    """
    if _FAST_LOADER is not None:
        try:
            return list(yaml.compose_all(source, Loader=_FAST_LOADER))
        except yaml.YAMLError:
            pass
    return list(yaml.compose_all(source, Loader=yaml.SafeLoader))


def flow_too_deep(source: str, max_depth: int) -> tuple[int, int] | None:
    """(line, col) where '[' / '{' nesting passes max_depth, else None; one linear pass.

    PyYAML's scanner keeps a possible simple key per open flow level and re-checks all of
    them on every token, so '[[[[...' costs O(depth^2): 1 MiB of brackets would hang the
    load for hours. Quoted scalars and comments are skipped; a bracket inside a plain
    scalar may be counted, which only matters past ``max_depth`` unbalanced ones.
    """
    if source.count("[") + source.count("{") <= max_depth:
        return None  # the common case: a contract has a few dozen brackets in all
    depth, line, col, i, n = 0, 1, 0, 0, len(source)
    prev = "\n"
    while i < n:
        c = source[i]
        col += 1
        if c == "\n":
            line, col = line + 1, 0
        elif c in "'\"" and prev in " \t\n[{,:-?":
            # Skip a quoted scalar (a quote opens one only after an indicator or a space).
            j = i + 1
            while j < n:
                d = source[j]
                if c == '"' and d == "\\":
                    j += 2
                    continue
                if d == c:
                    if c == "'" and source.startswith("''", j):
                        j += 2
                        continue
                    break
                j += 1
            skipped = source[i:j + 1]
            if "\n" in skipped:
                line += skipped.count("\n")
                col = len(skipped) - skipped.rfind("\n") - 1
            else:
                col += j - i
            i, prev = j + 1, c
            continue
        elif c == "#" and prev in " \t\n":
            j = source.find("\n", i)
            i = n if j < 0 else j
            continue
        elif c in "[{":
            depth += 1
            if depth > max_depth:
                return line, col
        elif c in "]}":
            depth = max(depth - 1, 0)
        prev = c
        i += 1
    return None
