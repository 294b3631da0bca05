"""Readiness: before the scenarios, wait until the service answers at all.

Asked for by the contract (``smoke.readiness: {probe, timeout_s}``) or by ``--wait-ready
SECONDS`` (which wins on the time). The probe path is the declared ``probe``, else the
first health / cold_start scenario's path, else ``/``; the wait is the declared
``timeout_s``, else the cold_start scenario's budget, else 60 s. "Ready" is any HTTP answer
below 500; refused connections and timeouts mean "not yet". The runner measures the
cold_start scenarios first (a cold start measured after a wait would measure nothing),
then waits, then starts the others. The wait is capped in time and in attempts; a service
that never gets ready is noted in the report and the scenarios then say precisely what
fails.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from truthgate.smoke.client import TransportFailure, send
from truthgate.smoke.execute import StepEnv, prepare
from truthgate.smoke.model import Request, Scenario, SmokeSpec

_INTERVAL_S = 0.2
_MAX_ATTEMPTS = 3000


def probe_path(scenarios: Iterable[Scenario]) -> str:
    """Where to knock: a declared health path when there is one."""
    for sc in scenarios:
        path = getattr(sc.params, "path", None)
        if sc.kind in ("health", "cold_start") and isinstance(path, str):
            return path
    return "/"


DEFAULT_WAIT_S = 60.0


@dataclass(frozen=True)
class ReadyPlan:
    """Where to knock, for how long, and who asked (named in the note)."""

    path: str
    seconds: float
    source: str


def ready_plan(spec: SmokeSpec, scenarios: Sequence[Scenario],
               wait_ready_s: float) -> ReadyPlan | None:
    """The readiness wait of this run, or None when neither contract nor flag asks."""
    declared = spec.readiness
    if declared is None and wait_ready_s <= 0:
        return None
    path = (declared.probe if declared else "") or probe_path(scenarios)
    if wait_ready_s > 0:
        return ReadyPlan(path, wait_ready_s, "--wait-ready")
    assert declared is not None
    seconds = declared.timeout_s
    if seconds is None:
        budgets = [getattr(sc.params, "budget_s", None) for sc in scenarios
                   if sc.kind == "cold_start"]
        seconds = next((float(b) for b in budgets if isinstance(b, (int, float))),
                       DEFAULT_WAIT_S)
    return ReadyPlan(path, seconds, "smoke.readiness")


async def wait_ready(env: StepEnv, scenarios: Iterable[Scenario] | ReadyPlan,
                     seconds: float = 0) -> str:
    """Poll until ready; '' when ready, else a note saying what the last attempt saw."""
    if isinstance(scenarios, ReadyPlan):
        path, seconds, source = scenarios.path, scenarios.seconds, scenarios.source
    else:
        path, source = probe_path(scenarios), "--wait-ready"
    started = time.monotonic()
    last = "no attempt"
    for _ in range(_MAX_ATTEMPTS):
        left = seconds - (time.monotonic() - started)
        if left <= 0:
            break
        try:
            prep = prepare(env, Request(path=path), {})
        except Exception as exc:  # noqa: BLE001 - a template problem is reported by steps
            return f"{source} could not build its probe: {exc}"
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
    return (f"the service was not ready after {seconds:g} s of {source} "
            f"(probe {path}: {last})")
