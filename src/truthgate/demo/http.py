"""Just enough HTTP on raw ASGI for the demo: a request view, JSON responses, body capping.

There is deliberately no web framework here: the demo must stay dependency-light (uvicorn
only) and every header it sends is visible in this package.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SECURITY_HEADERS: tuple[tuple[str, str], ...] = (
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "no-referrer"),
    ("content-security-policy", "default-src 'none'; frame-ancestors 'none'"),
)


class BodyTooLarge(Exception):
    """The request body exceeded the cap; raised before the excess is buffered."""


@dataclass
class Request:
    """The parts of an HTTP request the handlers look at (header names lower-cased)."""

    method: str
    path: str
    headers: dict[str, str]
    client: str
    query: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @classmethod
    def from_scope(cls, scope: Scope) -> Request:
        headers: dict[str, str] = {}
        for raw_name, raw_value in scope.get("headers", []):
            # latin-1 is how HTTP/1.1 header bytes map to text without ever failing.
            name = raw_name.decode("latin-1").lower()
            value = raw_value.decode("latin-1")
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
        client = scope.get("client") or ("unknown", 0)
        raw_query = scope.get("query_string", b"").decode("latin-1")
        return cls(
            method=scope["method"].upper(),
            path=scope["path"],
            headers=headers,
            client=str(client[0]),
            # Last value wins for repeated keys; the demo's parameters are all single-valued.
            query=dict(parse_qsl(raw_query, keep_blank_values=True)),
        )

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    @property
    def media_type(self) -> str:
        return self.header("content-type").split(";", 1)[0].strip().lower()


@dataclass
class Response:
    """A response under construction; handlers return one, the app adds the common headers."""

    status: int
    body: bytes = b""
    content_type: str = "application/json"
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def json(
        cls, status: int, payload: Any, headers: list[tuple[str, str]] | None = None
    ) -> Response:
        data = json.dumps(payload, separators=(",", ":")).encode()
        return cls(status=status, body=data, headers=list(headers or []))

    @classmethod
    def error(cls, status: int, code: str, detail: str, **extra: Any) -> Response:
        """The one error shape: ``{"error": code, "detail": text}``, never a traceback."""
        return cls.json(status, {"error": code, "detail": detail, **extra})

    @classmethod
    def text(cls, status: int, text: str) -> Response:
        return cls(status=status, body=text.encode(), content_type="text/plain; charset=utf-8")

    def set_header(self, name: str, value: str) -> None:
        self.headers = [(n, v) for n, v in self.headers if n.lower() != name.lower()]
        self.headers.append((name.lower(), value))


async def read_body(receive: Receive, limit: int) -> bytes:
    """The whole request body, refusing (BodyTooLarge) as soon as it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(size)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def send_response(send: Send, response: Response, *, head_only: bool = False) -> None:
    """Write ``response`` with its content headers; the caller already added policy headers."""
    headers = [
        (b"content-type", response.content_type.encode("latin-1")),
        (b"content-length", str(len(response.body)).encode()),
    ]
    headers += [(n.encode("latin-1"), v.encode("latin-1")) for n, v in response.headers]
    await send({"type": "http.response.start", "status": response.status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head_only else response.body})
