"""The transports a smoke run sends through: httpcore on truthgate's network backend.

The https:// one of a plain-http run is built on first use (a verifying SSL context costs
tens of milliseconds of start-up); TCP_NODELAY on every socket.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable
from urllib.parse import urlsplit

from truthgate.smoke.client import httpx, tls_context
from truthgate.smoke.netbackend import ProtocolTransport


class LazyTransport(httpx.AsyncBaseTransport):
    """A transport built on first use: the https:// one of a plain-http run.

    Creating a verifying SSL context (loading the CA bundle) costs tens of milliseconds, a
    large share of a smoke run's start-up; a run against an http:// URL only needs it if a
    redirect leads to https, and then it is built, with verification as configured.
    """

    def __init__(self, factory: Callable[[], httpx.AsyncBaseTransport]) -> None:
        self._factory = factory
        self._inner: httpx.AsyncBaseTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._inner is None:
            self._inner = self._factory()
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        if self._inner is not None:
            await self._inner.aclose()


def transports(url: str, verify_tls: bool, concurrency: int
                ) -> tuple[httpx.AsyncBaseTransport, httpx.AsyncBaseTransport]:
    """(http:// transport, https:// transport) for a run against ``url``."""
    limits = httpx.Limits(max_connections=concurrency * 2,
                          max_keepalive_connections=concurrency * 2)
    # TCP_NODELAY: h11 writes a request's head and body separately; with Nagle's
    # algorithm against a delayed ACK that costs ~40 ms a request on loopback.
    opts = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]

    def make(ctx: ssl.SSLContext) -> httpx.AsyncBaseTransport:
        return ProtocolTransport(verify=ctx, limits=limits, socket_options=opts)

    def https() -> httpx.AsyncBaseTransport:
        return make(tls_context(verify_tls))

    # The http:// transport never starts TLS (https:// URLs are routed to the other one),
    # so it gets a context with no CA loaded: were it ever used for TLS it would fail
    # closed (PROTOCOL_TLS_CLIENT verifies certificates and host names by default).
    plain = make(ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT))
    if urlsplit(url).scheme == "https":
        return plain, https()  # needed at once: build it before anything is timed
    return plain, LazyTransport(https)
