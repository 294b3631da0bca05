"""The registry of scenario kinds: the one place a new kind is added.

``KINDS`` maps each kind name (the ``kind:`` of a scenario) to its :class:`ScenarioKind`.
Plain scenarios (``kind: steps``, the default) are not a registered kind: their steps are
written out in the contract.
"""

from __future__ import annotations

from truthgate.smoke.kinds import (
    auth_required,
    cold_start,
    cors,
    error_leak,
    fast_ack,
    health,
    idempotency,
    modes,
    no_crash,
    rate_limit,
    responsive,
    security_headers,
    storage,
)
from truthgate.smoke.kinds.base import ScenarioKind

KINDS: dict[str, ScenarioKind] = {
    k.name: k
    for k in (
        health.KIND,
        responsive.KIND,
        storage.KIND,
        fast_ack.KIND,
        modes.KIND,
        idempotency.KIND,
        no_crash.KIND,
        cold_start.KIND,
        cors.KIND,
        auth_required.KIND,
        rate_limit.KIND,
        security_headers.KIND,
        error_leak.KIND,
    )
}

STEPS = "steps"
"""The kind of a scenario whose steps are written out in the contract."""


def kind_names() -> tuple[str, ...]:
    """'steps' and every registered kind, in catalogue order (S0..S8 first)."""
    return (STEPS, *KINDS)
