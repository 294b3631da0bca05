"""Running one scenario: decide whether it may run, expand it, run its steps, judge it."""

from __future__ import annotations

import itertools
import time
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any

from truthgate.contract.model import Contract
from truthgate.model import Outcome, ScenarioResult, StepResult
from truthgate.smoke.execute import StepEnv, run_step
from truthgate.smoke.kinds import KINDS, STEPS
from truthgate.smoke.kinds.base import KindContext, Plan, StepRun
from truthgate.smoke.model import Scenario


@dataclass(frozen=True)
class Selection:
    """What the run asked for; decides which scenarios are skipped and why."""

    tags: tuple[str, ...] = ()
    mode: str | None = None
    allow_unsafe: bool = False
    production: bool = False
    target: str = ""


def skip_reason(sc: Scenario, sel: Selection) -> str:
    """Why ``sc`` must not run in this run ('' when it may)."""
    if sel.tags and not set(sel.tags) & set(sc.tags):
        return f"not tagged {', '.join(sel.tags)}"
    if sel.mode and sc.modes and sel.mode.upper() not in {m.upper() for m in sc.modes}:
        return f"applies to mode {', '.join(sc.modes)}; the run is in mode {sel.mode}"
    if sc.unsafe and sel.production:
        # Whatever the flags say: writes never go to a target marked production.
        return (f"unsafe scenario refused: target {sel.target or '(base URL)'} is marked "
                "production")
    if sc.unsafe and not sel.allow_unsafe:
        return "unsafe (it writes); run with --allow-unsafe to include it"
    return ""


def plan_for(sc: Scenario, contract: Contract | None) -> Plan:
    """The scenario's plan: its own steps, or its kind's expansion."""
    if sc.kind == STEPS:
        return Plan(steps=sc.steps, stop_on_failure=True)
    return KINDS[sc.kind].expand(sc.params, KindContext(contract=contract, scenario=sc))


def _capped(env: StepEnv, plan: Plan) -> StepEnv:
    """``env`` whose deadline is also this scenario's own time cap."""
    waits = sum(s.poll.until_s for s in plan.steps if s.poll is not None)
    cap = max(env.defaults.scenario_timeout_s, waits + env.timeout_s)
    mine = time.monotonic() + cap
    if env.deadline is not None and env.deadline <= mine:
        return env
    return replace(env, deadline=mine,
                   deadline_label=f"the scenario's time cap ({cap:g} s, "
                                  "smoke.defaults.scenario_timeout_s)")


def _result(sc: Scenario, outcome: Outcome, started: float, **kw: Any) -> ScenarioResult:
    return ScenarioResult(id=sc.id, name=sc.name, kind=sc.kind, outcome=outcome, line=sc.line,
                          duration_ms=round((time.perf_counter() - started) * 1000, 3), **kw)


def skipped(sc: Scenario, reason: str) -> ScenarioResult:
    """The result of a scenario the run did not admit (see :func:`skip_reason`)."""
    return ScenarioResult(id=sc.id, name=sc.name, kind=sc.kind, outcome=Outcome.SKIPPED,
                          skip_reason=reason, line=sc.line)


def try_plan(sc: Scenario, contract: Contract | None) -> Plan | Exception:
    """:func:`plan_for`, or the exception a broken kind raised (reported by the run)."""
    try:
        return plan_for(sc, contract)
    except Exception as exc:  # noqa: BLE001 - a broken kind must not sink the whole run
        return exc


_UNIQUE = itertools.count()


def unique_int() -> int:
    """A positive integer no earlier call produced: ms clock * 1000 + a counter (< 2**53).

    Scenarios of one run started in the same millisecond differ by the counter; a later
    run starts at a later millisecond.
    """
    return int(time.time() * 1000) * 1000 + next(_UNIQUE) % 1000


async def run_scenario(env: StepEnv, sc: Scenario, contract: Contract | None,
                       run_id: str, plan: Plan | Exception | None = None) -> ScenarioResult:
    """Run one (already admitted) scenario to its ScenarioResult; never raises.

    ``plan`` is the scenario's expansion made beforehand (see ``try_plan``), so that CPU
    work is not done while other scenarios' requests are being timed; None expands here.
    """
    started = time.perf_counter()
    if plan is None:
        plan = try_plan(sc, contract)
    if isinstance(plan, Exception):
        return _result(sc, Outcome.ERROR, started, error_class="internal",
                       error=env.masker.text(f"expanding the scenario failed: {plan!r}"))
    # Built-ins are fixed for the whole scenario so repeated requests carry the same key.
    variables: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "now": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "run_id": run_id,
        "scenario_id": sc.id,
        "int:unique": unique_int(),
    }
    env = _capped(env, plan)
    runs: list[StepRun] = []
    results: list[StepResult] = []
    for step in plan.steps:
        run, res = await run_step(env, step, variables)
        runs.append(run)
        results.append(res)
        if run.error_class and not plan.tolerate_errors:
            break
        if plan.stop_when is not None and plan.stop_when(run):
            break
        if run.failures and plan.stop_on_failure:
            break
    latencies = tuple(round(r.elapsed_ms, 3) for r in runs if r.elapsed_ms is not None)
    # Step failures count only toward a verdict reached through them (see below).
    common: dict[str, Any] = {"steps": tuple(results), "latencies_ms": latencies,
                              "counts_step_failures": False}
    errored = next((r for r in runs if r.error_class), None)
    if errored is not None and not plan.tolerate_errors:
        # ``error`` keeps the text its readers always got; ``error_step`` tells renderers
        # the problem is that step's, shown there once.
        return _result(sc, Outcome.ERROR, started, error=f"{errored.name}: {errored.error}",
                       error_class=errored.error_class, error_step=errored.name, **common)
    try:
        verdict = plan.check(tuple(runs)) if plan.check else None
    except Exception as exc:  # noqa: BLE001 - report, do not crash the run
        return _result(sc, Outcome.ERROR, started, error_class="internal",
                       error=env.masker.text(f"the {sc.kind} check crashed: {exc!r}"), **common)
    metrics = verdict.metrics if verdict else ()
    if verdict and verdict.precondition:
        unmet = env.masker.text(f"precondition {verdict.precondition}")
        if env.defaults.unmet_precondition == "fail":
            return _result(sc, Outcome.FAIL, started, failures=(f"{unmet} (not met)",),
                           metrics=metrics, **common)
        return _result(sc, Outcome.NOT_RUN, started, skip_reason=unmet, metrics=metrics,
                       **common)
    if verdict and verdict.skip_reason:
        return _result(sc, Outcome.SKIPPED, started, skip_reason=verdict.skip_reason,
                       metrics=metrics, **common)
    # The scenario keeps only its kind's verdict; step failures stay on their steps. With
    # tolerate_errors the check judged the steps' runs itself, so theirs do not count.
    own = tuple(env.masker.text(f) for f in (verdict.failures if verdict else ()))
    common["counts_step_failures"] = not plan.tolerate_errors or plan.step_failures_count
    judged = _result(sc, Outcome.PASS, started, failures=own, metrics=metrics, **common)
    return replace(judged, outcome=Outcome.FAIL) if judged.all_failures() else judged
