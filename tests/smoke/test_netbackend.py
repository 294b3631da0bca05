"""The asyncio-protocol network backend under httpx, against real sockets on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from collections.abc import Iterator

import httpcore
import pytest

from truthgate.model import Outcome
from truthgate.smoke import netbackend
from truthgate.smoke.netbackend import ProtocolBackend, ProtocolTransport
from truthgate.smoke.runner import run_smoke
from truthgate.smoke.transports import transports as _transports

from . import rawserver
from .conftest import make_contract


def test_the_runner_sends_through_the_protocol_backend() -> None:
    plain, https = _transports("https://example.invalid", True, 4)
    assert isinstance(plain, ProtocolTransport) and plain.uses_protocol_backend
    assert isinstance(https, ProtocolTransport) and https.uses_protocol_backend


def _run(coro_fn):  # type: ignore[no-untyped-def]
    return asyncio.run(coro_fn())


def test_refused_connection_is_a_connect_error_caused_by_the_os() -> None:
    port = rawserver.closed_port()

    async def go() -> None:
        await ProtocolBackend().connect_tcp("127.0.0.1", port, timeout=2)

    with pytest.raises(httpcore.ConnectError) as info:
        _run(go)
    assert isinstance(info.value.__cause__, ConnectionRefusedError)


def test_read_times_out_and_idle_connection_is_not_readable() -> None:
    with rawserver.raw_server(rawserver.silent) as port:
        async def go() -> None:
            stream = await ProtocolBackend().connect_tcp("127.0.0.1", port, timeout=2)
            await stream.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert stream.get_extra_info("is_readable") is False
            try:
                await stream.read(100, timeout=0.2)
            finally:
                await stream.aclose()

        with pytest.raises(httpcore.ReadTimeout):
            _run(go)


def test_a_closed_peer_reads_empty_and_is_readable() -> None:
    with rawserver.raw_server(rawserver.hang_up) as port:
        async def go() -> tuple[bytes, bool]:
            stream = await ProtocolBackend().connect_tcp("127.0.0.1", port, timeout=2)
            await stream.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            data = await stream.read(100, timeout=5)
            readable = stream.get_extra_info("is_readable")
            await stream.aclose()
            return data, readable

        assert _run(go) == (b"", True)


def test_a_reset_reads_as_read_error_caused_by_the_reset() -> None:
    with rawserver.raw_server(rawserver.reset) as port:
        async def go() -> None:
            stream = await ProtocolBackend().connect_tcp("127.0.0.1", port, timeout=2)
            await stream.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            await stream.read(100, timeout=5)

        with pytest.raises(httpcore.ReadError) as info:
            _run(go)
    assert isinstance(info.value.__cause__, ConnectionResetError)


@pytest.fixture
def big_body_port() -> Iterator[tuple[int, bytes]]:
    # Larger than the backend's high-water mark, so reading pauses and resumes.
    body = bytes(range(256)) * (6 * netbackend.HIGH_WATER // 256 + 7)
    head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    with rawserver.raw_server(rawserver.fixed(head + body)) as port:
        yield port, body


def test_a_body_past_the_high_water_mark_arrives_whole(big_body_port: tuple[int, bytes]
                                                       ) -> None:
    port, body = big_body_port

    async def go() -> tuple[bytes, int]:
        stream = await ProtocolBackend().connect_tcp("127.0.0.1", port, timeout=2)
        await stream.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await asyncio.sleep(0.3)  # let the socket fill the buffer to the mark
        most = len(stream._p.buffer)  # type: ignore[attr-defined]
        got = bytearray()
        while True:
            chunk = await stream.read(65536, timeout=5)
            if not chunk:
                break
            got += chunk
        await stream.aclose()
        return bytes(got), most

    got, buffered = _run(go)
    assert got.split(b"\r\n\r\n", 1)[1] == body
    # Backpressure held: the socket was not drained into memory past the mark.
    assert buffered <= netbackend.HIGH_WATER + 256 * 1024


def test_https_answers_through_start_tls_when_verification_is_off(
        tls_context: ssl.SSLContext) -> None:
    ok = rawserver.fixed(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n{\"ok\": true}")
    text = """
defaults: {verify_tls: false}
scenarios:
  - id: T
    steps:
      - request: {path: /}
        expect: {status: 200, json: [{query: ok, equals: true}]}
"""
    with rawserver.raw_server(ok, tls=tls_context) as port:
        report = run_smoke(make_contract(text), base_url=f"https://127.0.0.1:{port}",
                           environ={})
    res = report.scenarios[0]
    assert res.outcome is Outcome.PASS, (res.error_class, res.error, res.steps)


def test_many_requests_reuse_one_connection() -> None:
    accepted: list[int] = []
    lock = threading.Lock()

    def keep_alive(conn: socket.socket) -> None:
        with lock:
            accepted.append(1)
        conn.settimeout(5)
        buf = b""
        for _ in range(20):
            while b"\r\n\r\n" not in buf:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                buf += chunk
            buf = buf.split(b"\r\n\r\n", 1)[1]
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")

    steps = "\n".join("      - request: {path: /}\n        expect: {status: 200}"
                      for _ in range(20))
    text = f"scenarios:\n  - id: R\n    steps:\n{steps}\n"
    with rawserver.raw_server(keep_alive) as port:
        report = run_smoke(make_contract(text), base_url=f"http://127.0.0.1:{port}",
                           environ={}, concurrency=1)
    res = report.scenarios[0]
    assert res.outcome is Outcome.PASS, (res.error_class, res.error)
    assert len(res.steps) == 20 and len(accepted) == 1
