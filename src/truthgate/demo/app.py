"""The bundled demo service: a raw ASGI app with health, an idempotent webhook and modes.

It is the live target of ``truthgate demo`` and of the smoke tests. Each fault switch (see
``faults.py``) plants one defect that a smoke scenario exists to catch. Endpoints:

- ``GET /health``   readiness and state: status, version, uptime, mode, db, queue
- ``POST /webhook`` fast-ack, idempotent by ``update_id`` or ``Idempotency-Key``
- ``GET /stats``    the processed counter; ``?key=K`` / ``?update_id=N``: one update's count
- ``GET /admin/stats``, ``POST /mode``  behind ``Authorization: Bearer <admin token>``
- ``POST /generate`` the unsafe operation, refused with 503 in PASSIVE mode
- ``GET /limited``  rate limited per client (429 + Retry-After)
- ``GET /debug/fail`` fails on purpose so the 500 path can be audited for leaks
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from truthgate.demo import policy
from truthgate.demo.config import MODES, DemoConfig, config_from_env, make_config
from truthgate.demo.faults import SLOW_DELAY_S
from truthgate.demo.http import (
    BodyTooLarge,
    Receive,
    Request,
    Response,
    Scope,
    Send,
    read_body,
    send_response,
)
from truthgate.demo.payload import BadInput, parse_json_body, parse_update
from truthgate.demo.state import DemoState

log = logging.getLogger("truthgate.demo")
# A library does not choose where logs go: without a handler configured by the host, the
# deliberate /debug/fail traceback would land on stderr through logging.lastResort.
log.addHandler(logging.NullHandler())

Handler = Callable[[Request], Awaitable[Response]]


class DeliberateFailure(RuntimeError):
    """Raised by ``GET /debug/fail`` so the generic 500 path can be observed."""


MAX_IDEMPOTENCY_KEY_LEN = 200


class DemoApp:
    """One demo service instance; call it as an ASGI app."""

    def __init__(self, config: DemoConfig) -> None:
        self.config = config
        self.state = DemoState(mode=config.mode, rate_limit_per_s=config.rate_limit_per_s)
        self.routes: dict[str, dict[str, Handler]] = {
            "/health": {"GET": self.health},
            "/webhook": {"POST": self.webhook},
            "/stats": {"GET": self.stats},
            "/admin/stats": {"GET": self.admin_stats},
            "/mode": {"POST": self.set_mode},
            "/generate": {"POST": self.generate},
            "/limited": {"GET": self.limited},
            "/debug/fail": {"GET": self.fail},
        }

    # ---- ASGI entry -------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":  # websockets are not part of this service
            return
        request = Request.from_scope(scope)
        try:
            response = await self._dispatch(request, receive)
        except Exception as exc:  # the last line of defence: never let a traceback out
            response = self._internal_error(exc)
        policy.apply(response, request, self.config)
        await send_response(send, response, head_only=request.method == "HEAD")

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                # Readiness (and uptime) count from server start, not from app construction.
                self.state.started_at = time.monotonic()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _dispatch(self, request: Request, receive: Receive) -> Response:
        if request.method == "OPTIONS":
            return policy.preflight(request, self.config)
        methods = self.routes.get(request.path)
        if methods is None:
            return Response.error(404, "not_found", f"no route for {request.path}")
        method = "GET" if request.method == "HEAD" else request.method
        handler = methods.get(method)
        if handler is None:
            allow = ", ".join(sorted(methods))
            refusal = Response.error(405, "method_not_allowed", f"use {allow}")
            refusal.set_header("allow", allow)
            return refusal
        if request.path != "/health" and not self.ready():
            body = {"error": "starting", "detail": "the service is not ready yet"}
            return Response.json(503, body, [("retry-after", "1")])
        if method == "POST":
            try:
                request.body = await read_body(receive, self.config.max_body_bytes)
            except BodyTooLarge:
                limit = self.config.max_body_bytes
                return Response.error(413, "too_large", f"body exceeds {limit} bytes")
        return await handler(request)

    def ready(self) -> bool:
        return self.state.uptime_s() >= self.config.readiness_delay_s

    def _internal_error(self, exc: BaseException) -> Response:
        if isinstance(exc, DeliberateFailure):
            # Expected on every smoke run: a traceback in the host's log would look like a bug.
            log.info("deliberate failure on /debug/fail")
        else:
            log.error("unhandled error: %s", exc, exc_info=exc)
        if self.config.has("error_leak"):
            return Response.text(500, policy.leaky_error_text(exc))
        ref = uuid.uuid4().hex[:12]
        return Response.error(500, "internal_error", "an internal error occurred", ref=ref)

    # ---- handlers ---------------------------------------------------------------------

    async def health(self, request: Request) -> Response:
        if self.config.has("slow"):
            await asyncio.sleep(SLOW_DELAY_S)
        uptime = round(self.state.uptime_s(), 3)
        if not self.ready():
            remaining = round(self.config.readiness_delay_s - uptime, 3)
            body = {"status": "starting", "uptime_s": uptime, "ready_in_s": remaining}
            return Response.json(503, body, [("retry-after", "1")])
        reachable = not self.config.has("storage")
        counters = self.state.counters
        payload: dict[str, Any] = {
            "status": "ok" if reachable else "degraded",
            "version": self.config.version,
            "uptime_s": uptime,
            "mode": self.state.mode,
            "db": {"reachable": reachable, "migrations_applied": True},
            "queue": {
                "received": counters.received,
                "processed": counters.processed,
                "depth": counters.depth,
            },
        }
        if self.config.has("health_schema"):
            del payload["version"]
        return Response.json(200, payload)

    async def webhook(self, request: Request) -> Response:
        if self.config.has("slow"):
            await asyncio.sleep(SLOW_DELAY_S)
        try:
            update = parse_update(
                parse_json_body(request.body, request.media_type, self.config.max_depth)
            )
            key = request.header("idempotency-key").strip()
            if len(key) > MAX_IDEMPOTENCY_KEY_LEN:
                raise BadInput(400, "invalid_header", "Idempotency-Key is too long")
        except BadInput as bad:
            self.state.counters.rejected += 1
            if self.config.has("crash"):
                return Response.text(500, policy.crash_text(bad))
            return Response.error(bad.status, bad.code, bad.detail)
        key = _idempotency_key(key, update.update_id)
        counters = self.state.counters
        first = self.state.idempotency.first_time(key)
        if not first and not self.config.has("idempotency"):
            counters.duplicates += 1
            body = {"ok": True, "duplicate": True, "update_id": update.update_id}
            return Response.json(200, body)
        # Fast-ack: the "work" is a counter bump, so it completes before the acknowledgement
        # and /stats deltas are exact the moment the response arrives.
        counters.received += 1
        counters.processed += 1
        self.state.idempotency.mark_processed(key)
        return Response.json(200, {"ok": True, "duplicate": False, "update_id": update.update_id})

    async def stats(self, request: Request) -> Response:
        """Global counters, or with ``?key=K`` / ``?update_id=N`` that one update's count."""
        if self.config.has("slow"):
            await asyncio.sleep(SLOW_DELAY_S)
        if "key" in request.query or "update_id" in request.query:
            update_id = request.query.get("update_id", "")
            valid_id = len(update_id) <= 20 and update_id.lstrip("-").isdigit()
            if "key" not in request.query and not valid_id:
                return Response.error(422, "invalid_type", "update_id must be an integer")
            key = _idempotency_key(request.query.get("key", ""), update_id)
            count = self.state.idempotency.times_processed(key)
            return Response.json(200, {"key": key, "processed": count})
        c = self.state.counters
        return Response.json(
            200, {"processed": c.processed, "received": c.received, "duplicates": c.duplicates}
        )

    async def admin_stats(self, request: Request) -> Response:
        refusal = policy.check_admin(request, self.config)
        if refusal is not None:
            return refusal
        c = self.state.counters
        return Response.json(
            200,
            {
                "mode": self.state.mode,
                "received": c.received,
                "processed": c.processed,
                "duplicates": c.duplicates,
                "rejected": c.rejected,
                "generated": c.generated,
                "idempotency_keys": len(self.state.idempotency),
                "faults": sorted(self.config.faults),
            },
        )

    async def set_mode(self, request: Request) -> Response:
        refusal = policy.check_admin(request, self.config)
        if refusal is not None:
            return refusal
        try:
            data = parse_json_body(request.body, request.media_type, self.config.max_depth)
        except BadInput as bad:
            return Response.error(bad.status, bad.code, bad.detail)
        mode = data.get("mode") if isinstance(data, dict) else None
        if not isinstance(mode, str) or mode.upper() not in MODES:
            return Response.error(422, "invalid_mode", f"mode must be one of {list(MODES)}")
        previous, self.state.mode = self.state.mode, mode.upper()
        log.warning("mode switched %s -> %s", previous, self.state.mode)
        return Response.json(200, {"mode": self.state.mode, "previous": previous})

    async def generate(self, request: Request) -> Response:
        if self.state.mode == "PASSIVE" and not self.config.has("modes"):
            return Response.error(
                503,
                "passive_mode",
                "this instance is PASSIVE: unsafe operations are refused; retry on the ACTIVE one",
                mode="PASSIVE",
            )
        prompt = ""
        if request.body.strip():
            try:
                data = parse_json_body(request.body, request.media_type, self.config.max_depth)
            except BadInput as bad:
                return Response.error(bad.status, bad.code, bad.detail)
            raw = data.get("prompt", "") if isinstance(data, dict) else None
            if not isinstance(raw, str):
                return Response.error(422, "invalid_type", "prompt must be a string")
            prompt = raw
        self.state.counters.generated += 1
        result = {"id": uuid.uuid4().hex, "text": f"generated: {prompt[:80]}"}
        return Response.json(200, {"ok": True, "mode": self.state.mode, "result": result})

    async def limited(self, request: Request) -> Response:
        wait = self.state.limiter.acquire(request.client)
        if wait > 0 and not self.config.has("no_rate_limit"):
            retry = self.state.limiter.retry_after(wait)
            return Response.json(
                429,
                {"error": "rate_limited", "detail": "too many requests", "retry_after_s": wait},
                [("retry-after", retry)],
            )
        return Response.json(200, {"ok": True})

    async def fail(self, request: Request) -> Response:
        raise DeliberateFailure("deliberate failure to exercise the 500 path")


def _idempotency_key(header_key: str, update_id: int | str) -> str:
    """The dedupe key: the Idempotency-Key header when given, else the update id."""
    return f"key:{header_key}" if header_key else f"update:{int(update_id)}"


def create_app(
    faults: Iterable[str] | str | None = (),
    *,
    startup_delay_s: float = 0.0,
    admin_token: str | None = None,
    allowed_origins: Iterable[str] | str | None = None,
    mode: str = "ACTIVE",
    rate_limit_per_s: float = 20.0,
) -> DemoApp:
    """A fresh demo app; ``None`` for token/origins falls back to the DEMO_* env vars."""
    return DemoApp(
        make_config(
            faults,
            startup_delay_s=startup_delay_s,
            admin_token=admin_token,
            allowed_origins=allowed_origins,
            mode=mode,
            rate_limit_per_s=rate_limit_per_s,
        )
    )


_default: DemoApp | None = None


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    """The app configured from DEMO_* env vars: ``uvicorn truthgate.demo.app:app``."""
    global _default
    if _default is None:  # built lazily so importing this module reads no environment
        _default = DemoApp(config_from_env())
    await _default(scope, receive, send)
