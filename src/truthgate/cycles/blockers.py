"""What stands between the ledger and a release: the question the HTML page answers first."""

from __future__ import annotations

from collections.abc import Sequence

from truthgate.cycles.dod import DodRule, DodStatus, failing_items
from truthgate.cycles.ledger import Cycle

EVIDENCE_KINDS = ("verify", "smoke", "logs")
NAMED = 5


def release_blockers(cycles: Sequence[Cycle], dod: DodStatus | None) -> list[str]:
    """One sentence per blocker, most important first; [] when nothing blocks a release.

    The definition of done not met (and what it is missing), then each evidence kind
    whose newest cycle is red (a release would run that check again and stop at it).
    """
    out: list[str] = []
    if dod is not None and not dod.met:
        rule = dod.rule or DodRule(required=dod.required)
        needed = dod.required - min(dod.streak, dod.required)
        if needed:
            out.append(f"the definition of done needs {needed} more {rule.noun()} "
                       f"({dod.streak} of {dod.required})")
        missing = dod.missing()
        if rule.legacy and dod.last_red is not None:
            missing = [f"last red: cycle {dod.last_red}"]
        out += missing
    for kind in EVIDENCE_KINDS:
        newest = next((c for c in reversed(cycles) if c.kind == kind), None)
        if newest is None or newest.passed:
            continue
        items = failing_items(newest.report)
        named = ", ".join(items[:NAMED]) + (f" and {len(items) - NAMED} more"
                                            if len(items) > NAMED else "")
        out.append(f"the latest {kind} run (cycle {newest.number}) is red"
                   + (f": {named}" if named else ""))
    return out
