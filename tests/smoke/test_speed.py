"""The start-up and scheduling changes made for speed keep their safety properties."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
import sys

from truthgate.smoke.model import Scenario
from truthgate.smoke.runner import _group
from truthgate.smoke.transports import LazyTransport as _LazyTransport
from truthgate.smoke.transports import transports as _transports


def test_plain_http_run_builds_no_verifying_tls_context_until_https_is_needed() -> None:
    plain, https = _transports("http://127.0.0.1:1", True, 4)
    assert isinstance(https, _LazyTransport)
    assert https._inner is None  # noqa: SLF001 - the point of the test
    built = https._factory()  # noqa: SLF001
    pool = built._pool  # type: ignore[attr-defined]  # noqa: SLF001
    ctx: ssl.SSLContext = pool._ssl_context  # noqa: SLF001
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    asyncio.run(built.aclose())
    asyncio.run(plain.aclose())


def test_https_run_builds_its_verifying_transport_up_front() -> None:
    _, https = _transports("https://example.invalid", True, 4)
    assert not isinstance(https, _LazyTransport)
    asyncio.run(https.aclose())


def test_the_plain_transport_would_fail_closed_on_tls() -> None:
    plain, _ = _transports("http://127.0.0.1:1", True, 4)
    ctx: ssl.SSLContext = plain._pool._ssl_context  # type: ignore[attr-defined]  # noqa: SLF001
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    assert ctx.cert_store_stats()["x509_ca"] == 0
    asyncio.run(plain.aclose())


def test_scheduling_groups() -> None:
    def sc(kind: str, unsafe: bool) -> Scenario:
        return Scenario(id=kind, name=kind, kind=kind, unsafe=unsafe)

    assert _group(sc("rate_limit", False)) == "alone"
    assert _group(sc("idempotency", True)) == "writes-alone"
    assert _group(sc("no_crash", True)) == "writes"
    assert _group(sc("health", False)) == "reads"


def test_importing_the_runner_skips_httpx_command_line_client() -> None:
    code = ("import sys, truthgate.smoke.runner, httpx; "
            "print('httpx._main' in sys.modules, 'httpx._main' in sys.modules or "
            "sys.modules.get('httpx._main', 1) is not None)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "True"]
