"""Executing one step: render the templates, send, judge, capture, poll; mask the record.

:func:`run_step` returns the unmasked :class:`StepRun` a kind's check reads and the
masked :class:`~truthgate.model.StepResult` that goes into the report.
"""

from __future__ import annotations

import asyncio
import base64
import errno
import json
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from truthgate.contract.urls import url_problem
from truthgate.model import Exchange, Outcome, StepResult
from truthgate.safeio import read_regular
from truthgate.smoke.client import (
    Prepared,
    Response,
    TransportFailure,
    httpx,
    preload_network,
    send,
)
from truthgate.smoke.expect import evaluate, parse_json
from truthgate.smoke.jpath import MISS, search
from truthgate.smoke.kinds.base import MISSING, Plan, StepRun
from truthgate.smoke.mask import Masker
from truthgate.smoke.model import Auth, Defaults, Request, Step
from truthgate.smoke.production import Rails
from truthgate.smoke.schema import ABSOLUTE_URL
from truthgate.smoke.template import TemplateError, render, render_value

MAX_SCHEMA_BYTES = 8 << 20  # a schema_file past this is refused
REPORT_BODY_CHARS = 4096  # response text kept in a report's Exchange
REPORT_REQUEST_CHARS = 2048
MAX_WARM_STEPS = 2000  # steps whose expectations are pre-evaluated before a run


@dataclass(frozen=True)
class StepEnv:
    """Everything a step needs from its run; shared by every scenario of the run."""

    client: httpx.AsyncClient
    base_url: str
    defaults: Defaults
    environ: Mapping[str, str]
    masker: Masker
    timeout_s: float
    max_body: int
    extra_headers: tuple[tuple[str, str], ...] = ()
    root: Path | None = None
    deadline: float | None = None  # time.monotonic() value; None: no run deadline
    deadline_label: str = "the run's deadline"
    schema_cache: dict[str, Any] = field(default_factory=dict)
    rails: Rails | None = None  # checked before every hop: no write reaches production

    def remaining(self) -> float | None:
        """Seconds left before the run's deadline (None: no deadline)."""
        return None if self.deadline is None else self.deadline - time.monotonic()


class StepError(Exception):
    """A step that cannot be sent or judged for a reason other than the network."""

    def __init__(self, error_class: str, message: str) -> None:
        super().__init__(message)
        self.error_class, self.message = error_class, message


def _auth_header(auth: Auth, environ: Mapping[str, str]) -> tuple[str, str]:
    def need(name: str) -> str:
        value = environ.get(name)
        if not value:
            raise StepError("missing-env", f"env var {name} is not set (the step's auth "
                                           "reads it)")
        return value

    if auth.bearer_env:
        return "Authorization", f"Bearer {need(auth.bearer_env)}"
    if auth.basic_user_env:
        pair = f"{need(auth.basic_user_env)}:{need(auth.basic_password_env)}"
        return "Authorization", "Basic " + base64.b64encode(pair.encode()).decode()
    return auth.header, need(auth.value_env)


def prepare(env: StepEnv, req: Request, variables: Mapping[str, Any]) -> Prepared:
    """Render a request template into bytes on the wire."""
    def r(text: str) -> str:
        return render(text, variables, env.environ)

    try:
        if req.url:
            url = r(req.url)
        else:
            path = r(req.path)
            if ABSOLUTE_URL.match(path.lstrip()):
                raise StepError("contract", f"path {req.path!r} renders to an absolute URL "
                                            f"({path[:200]!r}); a path is joined to the base "
                                            "URL, an absolute URL belongs in 'url:'")
            url = env.base_url.rstrip("/") + "/" + path.lstrip("/")
        if req.query:
            url += ("&" if "?" in url else "?") + urlencode([(k, r(v)) for k, v in req.query])
        headers = [(k, r(v)) for k, v in (*env.defaults.headers, *env.extra_headers,
                                          *req.headers)]
        content: bytes | None = None
        ctype = ""
        if req.raw_body is not None:
            content = req.raw_body
        elif req.has_json:
            content = json.dumps(render_value(req.json, variables, env.environ)).encode()
            ctype = "application/json"
        elif req.body is not None:
            content = r(req.body).encode()
            ctype = "text/plain; charset=utf-8"
        elif req.form:
            content = urlencode([(k, r(v)) for k, v in req.form]).encode()
            ctype = "application/x-www-form-urlencoded"
    except TemplateError as exc:
        raise StepError("template", str(exc)) from None
    problem = url_problem(url)
    if problem:
        raise StepError("invalid-url", f"cannot send to this URL: {problem}")
    if ctype and not any(k.lower() == "content-type" for k, _ in headers):
        headers.append(("Content-Type", ctype))
    cred = set(env.masker.headers)
    if req.auth is not None:
        name, value = _auth_header(req.auth, env.environ)
        headers = [(k, v) for k, v in headers if k.lower() != name.lower()] + [(name, value)]
        cred.add(name.lower())
    cred.update(k.lower() for k, v in headers if env.masker.contains_secret(v))
    timeout = req.timeout_s if req.timeout_s is not None else env.timeout_s
    return Prepared(method=req.method, url=url, headers=tuple(headers), content=content,
                    timeout_s=timeout, follow_redirects=req.follow_redirects,
                    credential_headers=frozenset(cred), truncate_body=req.truncate_body)


def _schema(env: StepEnv, step: Step) -> Any:
    """The step's JSON Schema: inline, or loaded once from the repository."""
    exp = step.expect
    if exp.json_schema is not None or not exp.schema_file:
        return exp.json_schema
    if exp.schema_file not in env.schema_cache:
        try:
            path = _inside_root(env.root or Path("."), exp.schema_file)
            # A regular file inside the repository, bounded: never a FIFO, /dev/zero, or
            # a link to JSON elsewhere on the machine.
            env.schema_cache[exp.schema_file] = json.loads(
                read_regular(path, MAX_SCHEMA_BYTES).decode("utf-8"))
        except (OSError, ValueError) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise StepError("schema-file", f"cannot read the JSON Schema {exp.schema_file}: "
                                           f"{why}") from None
    return env.schema_cache[exp.schema_file]


def _inside_root(root: Path, rel: str) -> Path:
    """``root / rel`` with every symlink resolved; OSError when it leaves the root."""
    real_root = os.path.realpath(root)
    full = os.path.realpath(os.path.join(real_root, rel))
    if full != real_root and not full.startswith(real_root + os.sep):
        raise OSError(errno.EACCES, "it resolves to a file outside the repository")
    return Path(full)


def warm_up(env: StepEnv, plans: Iterable[Plan | Exception]) -> None:
    """Before any request is timed, do the CPU work steps would do on first use.

    Imports the network backend httpcore loads on its first connection, reads the schema
    files, and evaluates every expectation that has lazily-built parts (JSON Schema
    validators, JMESPath expressions, regular expressions) once against a dummy answer,
    so those caches are warm. Sends nothing; results are discarded; errors are left for
    the step to report.
    """
    preload_network()
    warmed = 0
    for plan in plans:
        if isinstance(plan, Exception):
            continue
        for step in plan.steps:
            exp = step.expect
            if not (exp.json_schema is not None or exp.schema_file or exp.json
                    or exp.body_regex or exp.body_not_regex or exp.headers.regex):
                continue
            if warmed >= MAX_WARM_STEPS:
                return
            warmed += 1
            try:
                schema = _schema(env, step)
            except StepError:
                continue
            evaluate(exp, status=200, headers=(), body="{}", data={}, elapsed_ms=0.0,
                     budget_ms=None, schema=schema)


def _masked_cut(m: Masker, text: str, size: int, limit: int) -> str:
    """``text`` masked whole and only then cut to ``limit`` characters.

    Cutting first would leave the head of a secret that straddles the cut in the report.
    """
    text = m.text(text)
    if len(text) > limit:
        text = text[:limit] + f"… ({size} bytes)"
    return text


def _exchange(env: StepEnv, prep: Prepared, resp: Response | None,
              body: str | None = None) -> Exchange:
    """The masked, truncated record of one request and its answer.

    ``body`` is the response decoded already (the step judged it), so it is not decoded twice.
    """
    m = env.masker
    req_body = ""
    if prep.content:
        req_body = _masked_cut(m, prep.content.decode("utf-8", "replace"), len(prep.content),
                               REPORT_REQUEST_CHARS)
    if resp is None:
        return Exchange(method=prep.method, url=m.text(prep.url),
                        request_headers=m.header_pairs(prep.headers),
                        request_body=req_body)
    return Exchange(method=prep.method, url=m.text(resp.url),
                    request_headers=m.header_pairs(prep.headers),
                    request_body=req_body, status=resp.status,
                    response_headers=m.header_pairs(resp.headers),
                    response_body=_masked_cut(
                        m, resp.body.decode("utf-8", "replace") if body is None else body,
                        len(resp.body), REPORT_BODY_CHARS),
                    elapsed_ms=round(resp.elapsed_ms, 3))


def _summary(env: StepEnv, prep: Prepared, resp: Response) -> Exchange:
    """What a report keeps of a passing step: method, URL, status and time.

    Headers and bodies are recorded only for steps that failed or errored, where a reader
    needs them; copying and masking them for every passing request cost a large share of
    smoke's time per request and made a 900-request report 1.4 MB.
    """
    return Exchange(method=prep.method, url=env.masker.text(resp.url), status=resp.status,
                    elapsed_ms=round(resp.elapsed_ms, 3))


async def _attempt(env: StepEnv, step: Step, variables: dict[str, Any],
                   cap_s: float | None) -> tuple[StepRun, StepResult]:
    """One try of a step: no polling."""
    name = step.name
    try:
        prep = prepare(env, step.request, variables)
        schema = _schema(env, step)
    except StepError as exc:
        msg = env.masker.text(exc.message)
        return (StepRun(name=name, error_class=exc.error_class, error=msg),
                StepResult(name=name, outcome=Outcome.ERROR, error=msg,
                           error_class=exc.error_class))
    remaining = env.remaining()
    limits = [t for t in (prep.timeout_s, remaining, cap_s) if t is not None]
    timeout = min(limits)
    if remaining is not None and remaining <= 0:
        msg = f"{env.deadline_label} passed before this step could be sent"
        return (StepRun(name=name, error_class="deadline", error=msg),
                StepResult(name=name, outcome=Outcome.ERROR, exchange=_exchange(env, prep, None),
                           error=msg, error_class="deadline"))
    own = [t for t in (prep.timeout_s, cap_s) if t is not None]
    cut_by_deadline = remaining is not None and (not own or remaining < min(own))
    prep = replace(prep, timeout_s=max(timeout, 0.001))
    try:
        resp = await send(env.client, prep, max_body=env.max_body,
                          max_redirects=env.defaults.max_redirects,
                          guard=env.rails.check if env.rails is not None else None)
    except TransportFailure as exc:
        msg, error_class = env.masker.text(exc.message), exc.error_class
        if error_class == "timeout" and cut_by_deadline:
            # The deadline, not the request's own timeout, cut this request short.
            msg = f"{env.deadline_label} passed while waiting for the answer ({msg})"
            error_class = "deadline"
        return (StepRun(name=name, error_class=error_class, error=msg),
                StepResult(name=name, outcome=Outcome.ERROR, exchange=_exchange(env, prep, None),
                           error=msg, error_class=error_class))
    body = resp.body.decode("utf-8", "replace")
    data = parse_json(body)
    failures = evaluate(step.expect, status=resp.status, headers=resp.headers, body=body,
                        data=data, elapsed_ms=resp.elapsed_ms,
                        budget_ms=env.defaults.budget_ms, schema=schema)
    if not failures:
        for var, query in step.capture:
            value = search(query, data) if data is not MISSING else MISS
            if value is MISS or value is None:
                failures.append(f"capture {var}: {query!r} found nothing in the body")
            else:
                variables[var] = value
    leaked = env.masker.contains_secret(body) or any(
        env.masker.contains_secret(v) for _, v in resp.headers)
    masked = tuple(env.masker.text(f) for f in failures)
    run = StepRun(name=name, status=resp.status, headers=resp.headers, body=body, json=data,
                  elapsed_ms=resp.elapsed_ms, failures=tuple(failures), leaks_secret=leaked)
    if failures:
        return run, StepResult(name=name, outcome=Outcome.FAIL, failures=masked,
                               exchange=_exchange(env, prep, resp, body))
    return run, StepResult(name=name, outcome=Outcome.PASS, exchange=_summary(env, prep, resp))


async def run_step(env: StepEnv, step: Step,
                   variables: dict[str, Any]) -> tuple[StepRun, StepResult]:
    """Run a step, polling when it asks to; the last attempt is the one reported."""
    if step.poll is None:
        return await _attempt(env, step, variables, None)
    poll = step.poll
    started = time.monotonic()
    attempts = 0
    while True:
        attempts += 1
        left = poll.until_s - (time.monotonic() - started)
        run, result = await _attempt(env, step, variables, max(left, 0.05))
        spent = time.monotonic() - started
        pause = poll.interval_ms / 1000
        remaining = env.remaining()
        done = (run.ok or attempts >= poll.max_attempts or spent + pause > poll.until_s
                or run.error_class in ("template", "contract", "missing-env", "schema-file",
                                       "deadline")
                or (remaining is not None and remaining <= pause))
        if done:
            total = spent * 1000
            return (replace(run, attempts=attempts, total_ms=total),
                    result)
        await asyncio.sleep(pause)
