"""The sockets under httpx: an httpcore network backend written on asyncio protocols.

httpcore's default backend under asyncio goes through anyio streams. Per request that
costs a pause/resume of the socket reader (two ``epoll_ctl`` calls), a ``poll()`` to ask
whether an idle connection is still open, and a buffer reallocation — about 1.7x the
time of a plain blocking ``httpx.Client`` a request on the benchmark machine, where this
backend is within a few percent of it (kb/benchmarks.md). It is httpcore's documented
extension point (``network_backend``), so everything above the socket — HTTP/1.1 parsing,
the connection pool, TLS settings — is still httpcore's and httpx's.

What this module keeps from the default backend: errors are httpcore's (``ConnectError``,
``ReadTimeout``…) raised *from* the OS error, so :func:`truthgate.smoke.client.classify`
sees the same chain; TLS is asyncio's ``start_tls`` with the context httpx built; reading
pauses once 256 KiB are buffered, so a huge body costs no more memory than the caller's cap.
"""

from __future__ import annotations

import asyncio
import ssl
import typing
from collections.abc import Iterable, Sequence
from typing import Any

from truthgate.smoke.client import httpx

import httpcore  # isort: skip  (after httpx: see client.py for why httpx goes first)

HIGH_WATER = 256 * 1024  # stop reading the socket past this many buffered bytes
LOW_WATER = 64 * 1024

SocketOption = (tuple[int, int, int] | tuple[int, int, bytes | bytearray]
                | tuple[int, int, None, int])


class _Protocol(asyncio.Protocol):
    """Buffers what the socket delivers and wakes the one reader waiting for it."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.eof = False
        self.error: BaseException | None = None
        self.paused = False
        self.reader: asyncio.Future[None] | None = None
        self.drained: asyncio.Future[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = typing.cast(asyncio.Transport, transport)

    def _wake(self) -> None:
        if self.reader is not None and not self.reader.done():
            self.reader.set_result(None)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if len(self.buffer) > HIGH_WATER and not self.paused and self.transport is not None:
            self.paused = True
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self.eof = True
        self._wake()
        return False  # close our side too: HTTP/1.1 has no use for a half-open socket

    def connection_lost(self, exc: Exception | None) -> None:
        self.eof = True
        self.error = exc
        self._wake()
        self.resume_writing()

    def pause_writing(self) -> None:
        self.drained = asyncio.get_running_loop().create_future()

    def resume_writing(self) -> None:
        drained, self.drained = self.drained, None
        if drained is not None and not drained.done():
            drained.set_result(None)


def _expire(fut: asyncio.Future[None]) -> None:
    if not fut.done():
        fut.set_exception(TimeoutError())


async def _wait(fut: asyncio.Future[None], timeout: float | None) -> None:
    """Await ``fut``; TimeoutError after ``timeout`` seconds (a timer, not a task)."""
    if timeout is None:
        await fut
        return
    handle = asyncio.get_running_loop().call_later(max(timeout, 0.0), _expire, fut)
    try:
        await fut
    finally:
        handle.cancel()


class ProtocolStream(httpcore.AsyncNetworkStream):
    """One connection, as httpcore reads and writes it."""

    def __init__(self, protocol: _Protocol) -> None:
        self._p = protocol

    @property
    def _transport(self) -> asyncio.Transport:
        assert self._p.transport is not None  # set by connection_made before we exist
        return self._p.transport

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        p = self._p
        if not p.buffer and not p.eof:
            p.reader = asyncio.get_running_loop().create_future()
            try:
                await _wait(p.reader, timeout)
            except TimeoutError:
                raise httpcore.ReadTimeout("no data arrived within the read timeout") from None
            finally:
                p.reader = None
        if p.buffer:
            data = bytes(p.buffer[:max_bytes])
            del p.buffer[:max_bytes]
            if p.paused and len(p.buffer) < LOW_WATER:
                p.paused = False
                self._transport.resume_reading()
            return data
        if p.error is not None:
            raise httpcore.ReadError(str(p.error) or type(p.error).__name__) from p.error
        return b""  # the peer closed the connection

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        if not buffer:
            return
        p = self._p
        if p.transport is None or p.transport.is_closing():
            cause = p.error or ConnectionResetError("the connection is closed")
            raise httpcore.WriteError(str(cause)) from cause
        p.transport.write(buffer)
        if p.drained is not None:
            try:
                await _wait(asyncio.shield(p.drained), timeout)
            except TimeoutError:
                raise httpcore.WriteTimeout("the peer did not read within the timeout") \
                    from None

    async def aclose(self) -> None:
        if self._p.transport is not None:
            self._p.transport.close()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        try:
            tls = await loop.start_tls(self._transport, self._p, ssl_context,
                                       server_hostname=server_hostname,
                                       ssl_handshake_timeout=timeout)
        except (asyncio.TimeoutError, TimeoutError) as exc:
            raise httpcore.ConnectTimeout("the TLS handshake timed out") from exc
        except (OSError, ssl.SSLError) as exc:
            self._transport.close()
            raise httpcore.ConnectError(str(exc)) from exc
        if tls is None:  # the peer closed during the handshake
            raise httpcore.ConnectError("the connection closed during the TLS handshake")
        self._p.transport = tls
        return self

    def get_extra_info(self, info: str) -> Any:
        p = self._p
        if info == "is_readable":
            # httpcore asks this of an idle pooled connection: readable there means the
            # server closed it (or sent garbage), so it must not be reused.
            return bool(p.buffer) or p.eof
        names = {"ssl_object": "ssl_object", "client_addr": "sockname",
                 "server_addr": "peername", "socket": "socket"}
        if info in names and p.transport is not None:
            return p.transport.get_extra_info(names[info])
        return None


class ProtocolBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections with ``loop.create_connection``; no anyio in the data path."""

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[SocketOption] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        loop = asyncio.get_running_loop()
        protocol = _Protocol()
        local = (local_address, 0) if local_address else None
        try:
            connecting = loop.create_connection(lambda: protocol, host, port, local_addr=local)
            transport, _ = await asyncio.wait_for(connecting, timeout)
        except (asyncio.TimeoutError, TimeoutError) as exc:
            raise httpcore.ConnectTimeout(f"connecting to {host}:{port} timed out") from exc
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        sock = transport.get_extra_info("socket")
        for option in socket_options or ():
            if sock is not None:
                sock.setsockopt(*option)
        return ProtocolStream(protocol)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class ProtocolTransport(httpx.AsyncHTTPTransport):
    """httpx's transport, its connection pool running on :class:`ProtocolBackend`.

    httpx does not take a network backend, so the pool it built is replaced by one with
    the same settings. Should a future httpx keep its pool elsewhere, the replacement is
    skipped and httpx's own pool (anyio backend) serves: slower, never wrong.
    """

    def __init__(self, *, verify: ssl.SSLContext, limits: httpx.Limits,
                 socket_options: Sequence[SocketOption]) -> None:
        super().__init__(verify=verify, limits=limits, trust_env=False,
                         socket_options=list(socket_options))
        if isinstance(getattr(self, "_pool", None), httpcore.AsyncConnectionPool):
            self._pool = httpcore.AsyncConnectionPool(
                ssl_context=verify, max_connections=limits.max_connections,
                max_keepalive_connections=limits.max_keepalive_connections,
                keepalive_expiry=limits.keepalive_expiry, http1=True, http2=False,
                socket_options=list(socket_options), network_backend=ProtocolBackend())

    @property
    def uses_protocol_backend(self) -> bool:
        """True when requests go through :class:`ProtocolBackend` (tests check this)."""
        return isinstance(getattr(self._pool, "_network_backend", None), ProtocolBackend)
