"""``run_smoke``: run the contract's smoke scenarios against a live deployment.

One ``httpx.AsyncClient`` (connection reuse) serves the whole run. Independent scenarios
run concurrently under a semaphore; *exclusive* kinds (rate_limit, idempotency) run one at
a time afterwards so their traffic neither disturbs nor is disturbed by the others; steps
of one scenario always run in order. Every request has a timeout, the run can have a
deadline, and every loop is capped. Usage mistakes raise :class:`SmokeUsageError` (the CLI
maps it to exit code 2); everything that happens on the network ends up in the report.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import fields, is_dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from truthgate import redact
from truthgate.contract.model import Contract
from truthgate.contract.urls import url_problem
from truthgate.errors import UsageError
from truthgate.model import RunContext, RunReport, ScenarioResult
from truthgate.smoke.client import httpx
from truthgate.smoke.deployment import probe_for, read_deployment, settle
from truthgate.smoke.execute import StepEnv, warm_up
from truthgate.smoke.kinds import KINDS
from truthgate.smoke.kinds.base import Plan
from truthgate.smoke.mask import Masker
from truthgate.smoke.model import Auth, Scenario, SmokeSpec
from truthgate.smoke.production import Rails, is_production
from truthgate.smoke.readiness import ready_plan, wait_ready
from truthgate.smoke.scenario import Selection, run_scenario, skip_reason, skipped, try_plan
from truthgate.smoke.template import TemplateError, render
from truthgate.smoke.transports import transports

Progress = Callable[[ScenarioResult], None]
Started = Callable[[Scenario, int], None]  # (the scenario, how many the run has)


class SmokeUsageError(UsageError):
    """The run cannot start: no base URL, unknown scenario or target, bad option."""


def _auth_blocks(scenarios: Iterable[Scenario]) -> list[Auth]:
    """Every auth block anywhere in the scenarios (kinds nest requests inside their params).

    Its env vars are secrets and its custom header is masked like Authorization. One walk
    over the dataclasses, with each class's field names looked up once: a 900-step
    contract has ~30k objects.
    """
    found: list[Auth] = []
    names: dict[type, tuple[str, ...]] = {}

    def walk(obj: Any) -> None:
        if isinstance(obj, Auth):
            found.append(obj)
        elif isinstance(obj, (tuple, list)):
            for item in obj:
                walk(item)
        elif is_dataclass(obj) and not isinstance(obj, type):
            cls = type(obj)
            if cls not in names:
                names[cls] = tuple(f.name for f in fields(obj))
            for name in names[cls]:
                walk(getattr(obj, name))

    walk(tuple(scenarios))
    return found


def _url_secrets(url: str) -> tuple[str, ...]:
    """The password of ``url``'s user:password@, as given and decoded."""
    password = urlsplit(url).password
    return (password, unquote(password)) if password else ()


def _display_url(url: str) -> str:
    """The URL without user:password@ (it goes into reports)."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


def _render_url(text: str, environ: Mapping[str, str], what: str) -> str:
    try:
        url = render(text, {}, environ).strip()
    except TemplateError as exc:
        raise SmokeUsageError(f"{what}: {exc}") from None
    problem = url_problem(url) if url else ""
    if problem:
        raise SmokeUsageError(f"{what}: {problem}")
    return url


def _resolve(spec: SmokeSpec, base_url: str | None, target: str | None,
             environ: Mapping[str, str]) -> tuple[str, bool, tuple[str, ...]]:
    """(base URL, production?, production URLs) from --base-url, --target and the contract.

    The production URLs are every production target's, plus the base URL itself when the
    run is production: the rails checked before each request refuse writes to all of them.
    """
    tgt = None
    if target:
        tgt = spec.target(target)
        if tgt is None:
            known = ", ".join(t.name for t in spec.targets) or "none declared"
            raise SmokeUsageError(f"unknown target {target!r} (known: {known})")
    raw = base_url or (tgt.base_url if tgt else "") or spec.base_url
    if not raw:
        raise SmokeUsageError("no base URL: pass --base-url or --target, or set "
                              "smoke.base_url in the contract")
    url = _render_url(raw, environ, "base URL")
    if not url:
        raise SmokeUsageError(f"the base URL {raw!r} renders to an empty string")
    production_urls: list[str] = []
    for t in spec.targets:
        if t.production:
            try:
                production_urls.append(render(t.base_url, {}, environ))
            except TemplateError:
                continue
    # A URL typed by hand under a production target's origin is production too.
    production = bool(tgt and tgt.production) or is_production(url, production_urls)
    if production:
        production_urls.append(url)
    return url, production, tuple(production_urls)


def _declared_urls(spec: SmokeSpec, environ: Mapping[str, str]) -> list[str]:
    """The contract's base URL and every target's, rendered (an unrenderable one is left out)."""
    out: list[str] = []
    for raw in (spec.base_url, *(t.base_url for t in spec.targets)):
        if raw:
            try:
                out.append(render(raw, {}, environ))
            except TemplateError:
                continue
    return out


def _select(spec: SmokeSpec, ids: Sequence[str]) -> tuple[Scenario, ...]:
    if not ids:
        return spec.scenarios
    known = {s.id: s for s in spec.scenarios}
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise SmokeUsageError(f"unknown scenario id {', '.join(unknown)} (known: "
                              f"{', '.join(known) or 'none'})")
    return tuple(s for s in spec.scenarios if s.id in set(ids))


def run_smoke(contract: Contract, **kwargs: Any) -> RunReport:
    """Synchronous wrapper of :func:`run_smoke_async` (same keyword arguments)."""
    return asyncio.run(run_smoke_async(contract, **kwargs))


async def run_smoke_async(
    contract: Contract, *, base_url: str | None = None, target: str | None = None,
    scenario_ids: Sequence[str] = (), tags: Sequence[str] = (), mode: str | None = None,
    allow_unsafe: bool = False, concurrency: int = 4, request_timeout_s: float | None = None,
    deadline_s: float | None = None, wait_ready_s: float = 0,
    environ: Mapping[str, str] = os.environ,
    transport: httpx.AsyncBaseTransport | None = None, progress: Progress | None = None,
    max_body_bytes: int | None = None, extra_secrets: Iterable[str] = (),
    deployment_id: str | None = None, started: Started | None = None,
) -> RunReport:
    """Run the contract's smoke scenarios and return the report (see module docstring).

    ``scenario_ids`` restricts the run to those scenarios (others are not reported);
    ``tags`` and ``mode`` skip non-matching scenarios with a reason; ``transport`` replaces
    the network (tests); ``progress`` is called with each scenario's result as it ends,
    ``started`` with each scenario as it starts and the number of scenarios of the run (a
    terminal shows the ones in flight).
    ``deployment_id`` names the deployment smoked; without it, the contract's
    ``definition_of_done.deployment_field`` is read from the service (``smoke.deployment``).
    """
    spec: SmokeSpec = contract.smoke if isinstance(contract.smoke, SmokeSpec) else SmokeSpec()
    if not spec.scenarios:
        raise SmokeUsageError("the contract declares no smoke scenarios")
    if concurrency < 1:
        raise SmokeUsageError("concurrency must be at least 1")
    url, production, production_urls = _resolve(spec, base_url, target, environ)
    rails = Rails.build(production_urls,
                        ((r.method, r.path, r.unsafe) for r in contract.routes),
                        (url, *_declared_urls(spec, environ)))
    chosen = _select(spec, scenario_ids)
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    run_id = uuid.uuid4().hex[:12]
    auths = _auth_blocks(chosen)
    secret_names = set(contract.env.secret_names).union(*(a.env_names for a in auths))
    masker = Masker.build(secret_names, environ,
                          extra_headers={a.header for a in auths if a.header},
                          extra_values=(*extra_secrets, *_url_secrets(url)))
    # The boundary learns every secret the run knows (auth blocks' env vars too), so a
    # message masked before it is cut (expect.short) and every output hide them alike.
    redact.add_secrets(masker.secrets)
    timeout_s = request_timeout_s or spec.defaults.timeout_s
    sel = Selection(tags=tuple(tags), mode=mode, allow_unsafe=allow_unsafe,
                    production=production, target=target or "")
    notes: list[str] = []
    deadline = time.monotonic() + deadline_s if deadline_s else None
    # CPU work first (kind expansion, schema files, first-use imports and caches), so
    # none of it runs inside the event loop while requests are being timed.
    plans = {sc.id: try_plan(sc, contract) for sc in chosen if not skip_reason(sc, sel)}
    refused = _writes_refused(plans, rails, sel) if production else {}
    if transport is None:
        transport, https = transports(url, spec.defaults.verify_tls, concurrency)
        mounts: dict[str, httpx.AsyncBaseTransport | None] = {"https://": https}
    else:
        mounts = {}
    # trust_env=False: proxies and netrc from the environment would make a smoke run
    # depend on the shell it was started from (and could send credentials elsewhere).
    async with httpx.AsyncClient(transport=transport, mounts=mounts,
                                 timeout=httpx.Timeout(timeout_s),
                                 follow_redirects=False, trust_env=False) as client:
        env = StepEnv(client=client, base_url=url, defaults=spec.defaults, environ=environ,
                      masker=masker, timeout_s=timeout_s,
                      max_body=max_body_bytes or spec.defaults.max_body_bytes,
                      extra_headers=_target_headers(spec, target), root=contract.root,
                      deadline=deadline, rails=rails)
        warm_up(env, plans.values())
        ready = ready_plan(spec, chosen, wait_ready_s)
        first: tuple[Scenario, ...] = ()
        done: dict[str, ScenarioResult] = {}
        if ready is not None:
            # Cold start is measured first; everything else starts once ready.
            first = tuple(sc for sc in chosen if sc.kind == "cold_start")
            if first:
                done.update((r.id, r) for r in await _run_all(
                    env, first, plans, contract, sel, run_id, concurrency, progress, refused,
                    started))
            note = await wait_ready(env, ready)
            if note:
                notes.append(masker.text(note))
        # The deployment is read after cold start (which needs the first request) and after
        # the rest: a rollout between the two reads makes the run count for no deployment.
        probe = probe_for(contract.release.definition_of_done, spec.scenarios, deployment_id)
        before = await read_deployment(env, probe)
        rest = tuple(sc for sc in chosen if sc not in first)
        done.update((r.id, r) for r in await _run_all(
            env, rest, plans, contract, sel, run_id, concurrency, progress, refused, started))
        results = tuple(done[sc.id] for sc in chosen)
        after = await read_deployment(env, probe)
    deployment, note = settle(deployment_id, before, after)
    notes += [masker.text(note)] if note else []
    context = RunContext(
        command="smoke", product=contract.product.name,
        product_version=contract.product.version, contract_path=str(contract.source),
        contract_hash=contract.sha256, truthgate_version=_version(), started_at=started_at,
        finished_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        target=target or "", base_url=masker.text(_display_url(url)),
        flags=_flags(sel, scenario_ids, concurrency), deployment=masker.text(deployment),
    )
    return RunReport(context=context, scenarios=results, notes=tuple(notes))


def _writes_refused(plans: Mapping[str, Plan | Exception], rails: Rails,
                    sel: Selection) -> dict[str, str]:
    """Scenarios of a production run that would write, each with the reason it is skipped.

    A scenario need not say ``unsafe: true`` to write: a step with a writing method or a
    route the contract marks unsafe makes it one. (The rails still check every request as
    it is sent: this only reports such a scenario as refused instead of as an error.)
    """
    out: dict[str, str] = {}
    for sid, plan in plans.items():
        if isinstance(plan, Exception):
            continue
        for step in plan.steps:
            req = step.request
            why = rails.writes(req.method, req.url or "/" + req.path.lstrip("/"))
            if why:
                out[sid] = (f"writes ({why}), refused: target {sel.target or '(base URL)'} "
                            "is marked production")
                break
    return out


def _target_headers(spec: SmokeSpec, target: str | None) -> tuple[tuple[str, str], ...]:
    tgt = spec.target(target) if target else None
    return tgt.headers if tgt else ()


def _group(sc: Scenario) -> str:
    """How a runnable scenario may overlap others.

    ``alone``: an exclusive kind that only reads (rate_limit): what makes it exclusive is
    its traffic (a burst that trips a limit others would hit), so nothing runs beside it.
    ``writes-alone``: an exclusive kind that writes (idempotency): what makes it exclusive
    is that other writes would move the state it measures; reads cannot, so it runs beside
    the read-only scenarios, never beside another writing or exclusive one.
    ``writes`` / ``reads``: the other unsafe / safe scenarios.
    """
    exclusive = sc.kind in KINDS and KINDS[sc.kind].exclusive
    if exclusive:
        return "writes-alone" if sc.unsafe else "alone"
    return "writes" if sc.unsafe else "reads"


async def _run_all(env: StepEnv, chosen: tuple[Scenario, ...],
                   plans: Mapping[str, Plan | Exception], contract: Contract,
                   sel: Selection, run_id: str, concurrency: int,
                   progress: Progress | None,
                   refused: Mapping[str, str] | None = None,
                   started: Started | None = None) -> tuple[ScenarioResult, ...]:
    """Skips first; reads beside (exclusive writers, then other writers); then ``alone``.

    Two lanes run at the same time under one semaphore: the read-only scenarios, and the
    writing ones, where each exclusive writer runs by itself before the other writers run
    together. Exclusive read-only kinds run one at a time at the end, with nothing beside.
    """
    results: dict[str, ScenarioResult] = {}

    def done(res: ScenarioResult) -> None:
        results[res.id] = res
        if progress is not None:
            progress(res)

    groups: dict[str, list[Scenario]] = {"reads": [], "writes": [], "writes-alone": [],
                                         "alone": []}
    for sc in chosen:
        reason = skip_reason(sc, sel) or (refused or {}).get(sc.id, "")
        if reason:
            done(skipped(sc, reason))
        else:
            groups[_group(sc)].append(sc)
    gate = asyncio.Semaphore(concurrency)

    async def one(sc: Scenario) -> None:
        async with gate:
            if started is not None:
                started(sc, len(chosen))
            done(await run_scenario(env, sc, contract, run_id, plans.get(sc.id)))

    async def writers() -> None:
        for sc in groups["writes-alone"]:
            await one(sc)
        await asyncio.gather(*(one(sc) for sc in groups["writes"]))

    await asyncio.gather(writers(), *(one(sc) for sc in groups["reads"]))
    for sc in groups["alone"]:
        await one(sc)
    # Report in contract order, whatever order they finished in.
    return tuple(results[sc.id] for sc in chosen)


def _flags(sel: Selection, ids: Sequence[str], concurrency: int) -> tuple[str, ...]:
    out = [f"--scenario={i}" for i in ids] + [f"--tag={t}" for t in sel.tags]
    if sel.mode:
        out.append(f"--mode={sel.mode}")
    if sel.allow_unsafe:
        out.append("--allow-unsafe")
    out.append(f"--concurrency={concurrency}")
    return tuple(out)


def _version() -> str:
    try:
        from truthgate import __version__

        return str(__version__)
    except ImportError:
        return ""
