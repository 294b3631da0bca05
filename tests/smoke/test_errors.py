"""Network faults end as classified ERRORs (never tracebacks); caps and deadlines hold."""

from __future__ import annotations

import gzip
import socket
import ssl

import httpx

from truthgate.model import Outcome, ScenarioResult
from truthgate.smoke.runner import run_smoke

from . import rawserver
from .conftest import make_contract
from .service import State

HEALTH = "scenarios:\n  - {id: S0, kind: health, params: {path: /health}}\n"


def _one(url: str, **kw: object) -> ScenarioResult:
    report = run_smoke(make_contract(HEALTH), base_url=url, environ={}, **kw)
    assert report.exit_code == 1
    return report.scenarios[0]


def _assert_error(res: ScenarioResult, error_class: str) -> None:
    assert res.outcome is Outcome.ERROR, res
    assert res.error_class == error_class, (res.error_class, res.error)
    assert res.error and "Traceback" not in res.error


def test_closed_port_is_connect_refused() -> None:
    _assert_error(_one(f"http://127.0.0.1:{rawserver.closed_port()}"), "connect-refused")


def test_silent_server_is_timeout() -> None:
    with rawserver.raw_server(rawserver.silent) as port:
        _assert_error(_one(f"http://127.0.0.1:{port}", request_timeout_s=0.3), "timeout")


def test_rst_is_reset() -> None:
    with rawserver.raw_server(rawserver.reset) as port:
        _assert_error(_one(f"http://127.0.0.1:{port}"), "reset")


def test_hang_up_is_disconnected() -> None:
    with rawserver.raw_server(rawserver.hang_up) as port:
        _assert_error(_one(f"http://127.0.0.1:{port}"), "disconnected")


def test_garbage_is_protocol() -> None:
    with rawserver.raw_server(rawserver.garbage) as port:
        _assert_error(_one(f"http://127.0.0.1:{port}"), "protocol")


def test_dns_failure_via_injected_transport() -> None:
    # No resolver is needed to prove the classification: the transport raises what httpx
    # raises when getaddrinfo fails.
    def handler(request: httpx.Request) -> httpx.Response:
        err = socket.gaierror(-2, "Name or service not known")
        raise httpx.ConnectError(str(err), request=request) from err

    res = _one("http://no-such-host.invalid", transport=httpx.MockTransport(handler))
    _assert_error(res, "dns")


def test_self_signed_certificate_is_tls(tls_context: ssl.SSLContext) -> None:
    ok = rawserver.fixed(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
    with rawserver.raw_server(ok, tls=tls_context) as port:
        _assert_error(_one(f"https://127.0.0.1:{port}"), "tls")


def test_body_cap_holds(service: tuple[str, State]) -> None:
    url, _ = service
    text = "scenarios:\n  - {id: B, steps: [{request: {path: /big}}]}\n"
    report = run_smoke(make_contract(text), base_url=url, environ={})
    _assert_error(report.scenarios[0], "body-too-large")


def test_gzip_bomb_is_capped() -> None:
    bomb = gzip.compress(b"\0" * (8 * 1024 * 1024))  # ~8 KiB on the wire, 8 MiB inflated
    head = (f"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {len(bomb)}\r\n"
            "Content-Type: application/json\r\n\r\n").encode()
    with rawserver.raw_server(rawserver.fixed(head + bomb)) as port:
        res = _one(f"http://127.0.0.1:{port}")
    _assert_error(res, "body-too-large")


def test_gzip_body_is_decoded() -> None:
    body = gzip.compress(b'{"status": "ok"}')
    head = (f"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: {len(body)}\r\n"
            "Content-Type: application/json\r\n\r\n").encode()
    text = ("scenarios:\n  - {id: S0, kind: health, params: {json: [{query: status, "
            "equals: ok}]}}\n")
    with rawserver.raw_server(rawserver.fixed(head + body)) as port:
        report = run_smoke(make_contract(text), base_url=f"http://127.0.0.1:{port}",
                           environ={})
    assert report.scenarios[0].outcome is Outcome.PASS, report.scenarios[0]


def test_run_deadline_ends_every_scenario() -> None:
    text = "scenarios:\n" + "".join(
        f"  - {{id: S{i}, kind: health}}\n" for i in range(3))
    with rawserver.raw_server(rawserver.silent) as port:
        report = run_smoke(make_contract(text), base_url=f"http://127.0.0.1:{port}",
                           environ={}, deadline_s=0.3, concurrency=1)
    assert all(s.outcome is Outcome.ERROR for s in report.scenarios)
    assert {s.error_class for s in report.scenarios} <= {"timeout", "deadline"}
