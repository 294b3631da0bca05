"""Starting and stopping the demo: thread hygiene, free ports, the subprocess helper."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading

import httpx
import pytest

from truthgate.demo.server import URL_PREFIX, serve_demo


def _demo_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "truthgate-demo"]


def test_start_stop_leaves_no_thread_and_frees_the_port() -> None:
    before = set(threading.enumerate())
    with serve_demo() as url:
        assert url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{url}/health").status_code == 200
        assert len(_demo_threads()) == 1
        port = int(url.rsplit(":", 1)[1])
    assert not _demo_threads()
    assert set(threading.enumerate()) <= before
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/health", timeout=1)
    # The port can be bound again right away.
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))


def test_stop_with_an_open_keepalive_connection() -> None:
    with serve_demo() as url:
        client = httpx.Client(base_url=url)
        assert client.get("/health").status_code == 200  # leaves the connection open
    assert not _demo_threads()
    client.close()


def test_stops_when_the_body_raises() -> None:
    with pytest.raises(RuntimeError, match="boom"), serve_demo():
        raise RuntimeError("boom")
    assert not _demo_threads()


def test_two_instances_get_different_ports() -> None:
    with serve_demo() as a, serve_demo(mode="PASSIVE") as b:
        assert a != b
        assert httpx.get(f"{a}/health").json()["mode"] == "ACTIVE"
        assert httpx.get(f"{b}/health").json()["mode"] == "PASSIVE"


def test_bad_options_fail_before_any_thread_starts() -> None:
    with pytest.raises(ValueError), serve_demo(["nope"]):
        pass
    with pytest.raises(ValueError), serve_demo(mode="SIDEWAYS"):
        pass
    assert not _demo_threads()


def test_subprocess_helper_announces_url_and_stops_on_sigterm(admin_token: str) -> None:
    env = {**os.environ, "DEMO_FAULTS": "storage", "DEMO_ADMIN_TOKEN": admin_token}
    proc = subprocess.Popen(
        [sys.executable, "-m", "truthgate.demo.server", "--port", "0", "--mode", "PASSIVE"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith(URL_PREFIX), line
        url = line.removeprefix(URL_PREFIX)
        body = httpx.get(f"{url}/health", timeout=5).json()
        assert body["mode"] == "PASSIVE" and body["db"]["reachable"] is False
        auth = {"Authorization": f"Bearer {admin_token}"}
        assert httpx.get(f"{url}/admin/stats", headers=auth).status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
    # uvicorn shuts down gracefully, then re-raises the signal it captured (exit by SIGTERM).
    assert proc.returncode in (0, -signal.SIGTERM), err
    assert "Traceback" not in err
    assert out == ""  # nothing but the URL line on stdout: no access log
    assert admin_token not in out + err


def test_subprocess_helper_rejects_unknown_faults() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "truthgate.demo.server", "--faults", "bogus"],
        capture_output=True, text=True, timeout=30,
    )
    assert proc.returncode == 2 and "unknown demo fault" in proc.stderr
