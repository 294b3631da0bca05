"""Fault switches of the demo service: one named, deliberate defect per scenario kind.

The test suite starts the demo with one fault at a time and proves that the smoke scenario
written for that risk fails on it (and passes on the healthy service). Faults are fixed at
app creation, either as a Python collection or, for a subprocess, via ``DEMO_FAULTS``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from truthgate.errors import DemoError

# What each fault breaks; the keys are the only accepted names.
FAULT_DESCRIPTIONS: Mapping[str, str] = {
    "health_schema": "the health body lacks the required 'version' field",
    "slow": "/webhook, /health and /stats sleep 1.5 s before answering (past their budgets)",
    "storage": "health reports db.reachable = false",
    "modes": "PASSIVE mode accepts unsafe operations such as POST /generate",
    "idempotency": "a repeated update_id / Idempotency-Key is processed again",
    "crash": "bad input to /webhook answers 500 with a Python traceback in the body",
    "cold_start": "the service only becomes ready long after start (health 503 'starting')",
    "cors_wildcard": "any Origin is reflected (and '*' sent) together with credentials",
    "auth_open": "admin endpoints answer without a valid bearer token",
    "no_rate_limit": "/limited never answers 429",
    "no_security_headers": "responses carry no security headers",
    "error_leak": "500 bodies include a traceback and a secret-looking string",
}

FAULTS: frozenset[str] = frozenset(FAULT_DESCRIPTIONS)

# How long the 'slow' fault sleeps, and how late 'cold_start' makes readiness: both far past
# the budgets the example contract declares (500 ms, 2 s cold start), so that a loaded CI
# machine stalling the healthy service for a moment is never mistaken for the fault.
SLOW_DELAY_S = 1.5
COLD_START_DELAY_S = 10.0

ENV_VAR = "DEMO_FAULTS"


def parse_faults(value: str | Iterable[str] | None) -> frozenset[str]:
    """Normalise fault names given as a comma list or a collection; reject unknown names.

    Unknown names raise instead of being ignored: a typo in a test would otherwise silently
    run the healthy service and make a "this fault is caught" test meaningless.
    """
    if value is None:
        return frozenset()
    items = value.split(",") if isinstance(value, str) else list(value)
    names = frozenset(n.strip() for n in items if n and n.strip())
    unknown = sorted(names - FAULTS)
    if unknown:
        raise DemoError(
            f"unknown demo fault(s): {', '.join(unknown)}; known: {', '.join(sorted(FAULTS))}"
        )
    return names


def faults_from_env(environ: Mapping[str, str] | None = None) -> frozenset[str]:
    """The faults named in ``DEMO_FAULTS`` (empty when unset)."""
    env = os.environ if environ is None else environ
    return parse_faults(env.get(ENV_VAR, ""))
