"""``--wait-ready``: before the scenarios, wait until the service answers at all.

The probe path is the first health / cold_start scenario's path, else ``/``. "Ready" is
any HTTP answer below 500; refused connections and timeouts mean "not yet". The wait is
capped in time and in attempts; a service that never gets ready is noted in the report
and the scenarios then say precisely what fails.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import replace

from truthgate.smoke.client import TransportFailure, send
from truthgate.smoke.execute import StepEnv, prepare
from truthgate.smoke.model import Request, Scenario

_INTERVAL_S = 0.2
_MAX_ATTEMPTS = 3000


def probe_path(scenarios: Iterable[Scenario]) -> str:
    """Where to knock: a declared health path when there is one."""
    for sc in scenarios:
        path = getattr(sc.params, "path", None)
        if sc.kind in ("health", "cold_start") and isinstance(path, str):
            return path
    return "/"


async def wait_ready(env: StepEnv, scenarios: Iterable[Scenario], seconds: float) -> str:
    """Poll until ready; '' when ready, else a note saying what the last attempt saw."""
    path = probe_path(scenarios)
    started = time.monotonic()
    last = "no attempt"
    for _ in range(_MAX_ATTEMPTS):
        left = seconds - (time.monotonic() - started)
        if left <= 0:
            break
        try:
            prep = prepare(env, Request(path=path), {})
        except Exception as exc:  # noqa: BLE001 - a template problem is reported by steps
            return f"--wait-ready could not build its probe: {exc}"
        prep = replace(prep, timeout_s=min(env.timeout_s, left))
        try:
            resp = await send(env.client, prep, max_body=env.max_body, max_redirects=5,
                              guard=env.rails.check if env.rails is not None else None)
        except TransportFailure as exc:
            last = exc.message
        else:
            if resp.status < 500:
                return ""
            last = f"status {resp.status}"
        await asyncio.sleep(min(_INTERVAL_S, max(left, 0)))
    return f"the service was not ready after {seconds:g} s of --wait-ready ({last})"
