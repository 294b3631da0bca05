"""A tiny real HTTP service (stdlib server in a thread) with one fault switch per kind.

Healthy by default; ``faults`` names the promises to break, so each kind's test can show
it passes on the healthy service and fails on the matching fault.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TRACE = 'Traceback (most recent call last):\n  File "app.py", line 3, in handler\nKeyError'
ADMIN_TOKEN = "s3cr3t-admin-token-canary"


@dataclass
class State:
    """Mutable service state shared with the handler threads."""

    faults: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)
    processed: int = 0
    hits: int = 0
    ready_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    last_headers: dict[str, str] = field(default_factory=dict)


class Handler(BaseHTTPRequestHandler):
    state: State
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as two writes

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass

    def _send(self, status: int, body: Any = None, headers: dict[str, str] | None = None,
              raw: bytes | None = None) -> None:
        data = raw if raw is not None else json.dumps(body if body is not None else {}).encode()
        self.send_response(status)
        hdrs = {"Content-Type": "application/json"}
        if "security_headers" not in self.state.faults:
            hdrs.update({"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
                         "Referrer-Policy": "no-referrer"})
        origin = self.headers.get("Origin")
        if origin:
            if "cors_star" in self.state.faults:
                hdrs["Access-Control-Allow-Origin"] = "*"
            elif "cors" in self.state.faults:
                hdrs.update({"Access-Control-Allow-Origin": origin,
                             "Access-Control-Allow-Credentials": "true"})
            elif origin == "https://app.example.com":
                hdrs["Access-Control-Allow-Origin"] = origin
        hdrs.update(headers or {})
        for k, v in hdrs.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _body(self) -> bytes:
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self) -> None:  # noqa: N802 - stdlib API
        self._route()

    def do_POST(self) -> None:  # noqa: N802
        self._route()

    def do_OPTIONS(self) -> None:  # noqa: N802
        self._body()
        self._send(204, raw=b"")

    def _route(self) -> None:
        s, f, path = self.state, self.state.faults, self.path.split("?")[0]
        s.last_headers = dict(self.headers.items())
        if path == "/health":
            if time.monotonic() < s.ready_at or "cold_start" in f:
                return self._send(503, {"status": "starting"})
            if "health" in f:
                return self._send(200, {"status": 7})
            if "slow" in f:
                time.sleep(2.5)
            db = {"reachable": "storage" not in f, "migrations_pending": 0}
            mode = "ACTIVE" if "active" in f else "PASSIVE"
            return self._send(200, {"status": "ok", "db": db, "mode": mode})
        if path == "/stats":
            return self._send(200, {"processed": s.processed})
        if path == "/generate":
            self._body()
            if "modes" in f:
                return self._send(200, {"generated": True})
            return self._send(503, {"error": "passive mode"})
        if path == "/webhook":
            return self._webhook()
        if path == "/admin":
            auth = self.headers.get("Authorization", "")
            if auth == f"Bearer {ADMIN_TOKEN}" or "auth_required" in f:
                return self._send(200, {"admin": True})
            return self._send(401, {"error": "unauthorized"})
        if path == "/limited":
            with s.lock:
                s.hits += 1
                hits = s.hits
            if hits > 3 and "rate_limit" not in f:
                return self._send(429, {"error": "slow down"}, {"Retry-After": "1"})
            return self._send(200, {"ok": True})
        if path == "/echo-secret":
            return self._send(500, {"error": f"token={ADMIN_TOKEN}"})
        if path == "/redirect":
            target = self.headers.get("X-Redirect-To", "/health")
            return self._send(302, {}, {"Location": target})
        if path == "/seen-headers":
            return self._send(200, s.last_headers)
        if path == "/brotli":
            return self._send(200, raw=b"\x1b\x0f\x00\xf8", headers={"Content-Encoding": "br"})
        if path == "/big":
            return self._send(200, raw=b"x" * 3_000_000)
        if "error_leak" in f:
            return self._send(404, raw=TRACE.encode())
        return self._send(404, {"error": "not found"})

    def _webhook(self) -> None:
        s, f = self.state, self.state.faults
        raw = self._body()
        if "no_crash" in f and len(raw) < 1000:
            return self._send(500, raw=TRACE.encode())
        if len(raw) > 100_000:
            if "echo_big" in f:  # FastAPI's 422 echoes the body it refused
                return self._send(422, raw=b'{"detail": [{"input": "' + raw + b'"}]}')
            return self._send(413, {"error": "too large"})
        if "json" not in (self.headers.get("Content-Type") or ""):
            return self._send(415, {"error": "json only"})
        try:
            data = json.loads(raw.decode("utf-8"))
        except (ValueError, RecursionError):
            return self._send(400, {"error": "bad json"})
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), (str, int)):
            return self._send(422, {"error": "update_id required"})
        if not isinstance(data.get("text", ""), str):
            return self._send(422, {"error": "text must be a string"})
        if "fast_ack" in f:
            time.sleep(2.5)
        key = str(data["update_id"])
        with s.lock:
            if key not in s.seen or "idempotency" in f:
                s.seen.add(key)
                s.processed += 1
        return self._send(200, {"ok": True})


@contextmanager
def serve(state: State | None = None) -> Iterator[tuple[str, State]]:
    """Run the service on a free loopback port for the duration of the block."""
    st = state or State()
    handler = type("BoundHandler", (Handler,), {"state": st})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", st
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
