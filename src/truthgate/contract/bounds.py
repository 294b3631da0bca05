"""Bounds on every number the contract schema admits: what validates, the runtime can take."""

from __future__ import annotations

from typing import Any

# Every integer and number the runtime takes fits these (deque lengths, ranges, sleeps and
# timeouts: time.sleep overflows near 9.2e9 s, a C ssize_t at 2**63). A value outside is a
# located contract error, not an OverflowError in the middle of a run.
INT_BOUND = 2**53 - 1
NUMBER_BOUND = 1e9


def bounded(node: Any) -> Any:
    """A copy of the schema ``node`` where every integer/number has both bounds."""
    if isinstance(node, list):
        return [bounded(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: (v if k in ("enum", "const", "default", "examples") else bounded(v))
           for k, v in node.items()}
    declared = out.get("type")
    kinds = (set(declared) if isinstance(declared, list)
             else {declared} if isinstance(declared, str) else set())
    if kinds & {"integer", "number"}:
        bound = INT_BOUND if "number" not in kinds else NUMBER_BOUND
        if "maximum" not in out and "exclusiveMaximum" not in out:
            out["maximum"] = bound
        if "minimum" not in out and "exclusiveMinimum" not in out:
            out["minimum"] = -bound
    return out

