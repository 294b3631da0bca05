"""Run the demo service: in a background thread (``serve_demo``) or as a process.

``serve_demo`` binds the listening socket itself before starting uvicorn, so port 0 picks a
free port with no race between "find a port" and "listen on it", and the URL is known
before the first request. As a process::

    python -m truthgate.demo.server --port 0 --faults slow,storage

prints one line ``TRUTHGATE_DEMO_URL=http://127.0.0.1:PORT`` on stdout once it accepts
connections and serves until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import socket
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import uvicorn

from truthgate.demo.app import DemoApp, create_app
from truthgate.demo.config import MODES, config_from_env
from truthgate.demo.faults import FAULTS, parse_faults

log = logging.getLogger("truthgate.demo")

START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 5.0
URL_PREFIX = "TRUTHGATE_DEMO_URL="


class DemoStartError(RuntimeError):
    """The demo server did not start accepting connections in time."""


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto must say TCP explicitly: asyncio only sets TCP_NODELAY on accepted sockets whose
    # proto is IPPROTO_TCP, and without it Nagle + delayed ACK hold every response's body
    # segment back for 40 ms or more (headers and body are written separately).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _uvicorn_config(app: DemoApp, log_level: str) -> uvicorn.Config:
    # h11 + asyncio: pure-Python, present wherever uvicorn is, and identical on every platform.
    return uvicorn.Config(
        app,
        http="h11",
        loop="asyncio",
        lifespan="on",
        log_level=log_level,
        access_log=False,
        server_header=False,  # no 'server: uvicorn' banner telling scanners what to try
        timeout_graceful_shutdown=2,
    )


def _wait_accepting(
    sock: socket.socket, server: uvicorn.Server, thread: threading.Thread, deadline: float
) -> None:
    """Block until the server says it started and a TCP connect succeeds, or raise."""
    address = sock.getsockname()[:2]
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise DemoStartError("the demo server thread exited during startup")
        if server.started:
            with contextlib.suppress(OSError), socket.create_connection(address, timeout=0.5):
                return
        time.sleep(0.01)
    raise DemoStartError(f"the demo server did not accept connections within {START_TIMEOUT_S} s")


@contextlib.contextmanager
def serve_demo(
    faults: Iterable[str] | str = (),
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    start_timeout_s: float = START_TIMEOUT_S,
    log_level: str = "warning",
    **opts: Any,
) -> Iterator[str]:
    """Serve a fresh demo app in a background thread; yield its base URL; stop it on exit.

    ``opts`` go to ``create_app``: ``startup_delay_s``, ``admin_token``, ``allowed_origins``,
    ``mode``, ``rate_limit_per_s``. Raises ``DemoStartError`` when the server is not
    accepting connections within ``start_timeout_s``.
    """
    app = create_app(parse_faults(faults), **opts)
    sock = _bind(host, port)
    server = uvicorn.Server(_uvicorn_config(app, log_level))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="truthgate-demo", daemon=True
    )
    thread.start()
    try:
        _wait_accepting(sock, server, thread, time.monotonic() + start_timeout_s)
        yield _url(sock)
    finally:
        _stop(server, thread)
        sock.close()


def _stop(server: uvicorn.Server, thread: threading.Thread) -> None:
    """Ask uvicorn to exit, then force it if graceful shutdown overruns the bound."""
    server.should_exit = True
    thread.join(STOP_TIMEOUT_S)
    if thread.is_alive():
        server.force_exit = True
        thread.join(STOP_TIMEOUT_S)
    if thread.is_alive():  # a daemon thread: it cannot keep the interpreter alive
        log.warning("the demo server thread did not stop within %.0f s", 2 * STOP_TIMEOUT_S)


@contextlib.contextmanager
def serve_demo_process(
    faults: Iterable[str] = (),
    *,
    mode: str | None = None,
    env: dict[str, str] | None = None,
    start_timeout_s: float = START_TIMEOUT_S,
) -> Iterator[str]:
    """Serve the demo in a child process; yield its base URL; terminate it on exit.

    ``truthgate demo`` measures latency budgets, so the server must not share the GIL with
    the smoke client: CPU work in one thread would show up as latency in the other.
    """
    import os
    import select
    import subprocess

    argv = [sys.executable, "-m", "truthgate.demo.server", "--port", "0"]
    argv += ["--faults", ",".join(sorted(parse_faults(faults)))]
    if mode:
        argv += ["--mode", mode]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})},
                            text=True)
    try:
        deadline = time.monotonic() + start_timeout_s
        url = ""
        assert proc.stdout is not None
        while time.monotonic() < deadline and proc.poll() is None:
            ready, _, _ = select.select([proc.stdout], [], [], 0.1)
            if ready:
                line = proc.stdout.readline()
                if line.startswith(URL_PREFIX):
                    url = line[len(URL_PREFIX):].strip()
                    break
        if not url:
            raise DemoStartError(f"the demo server process did not start within "
                                 f"{start_timeout_s} s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(STOP_TIMEOUT_S)


class _AnnouncingServer(uvicorn.Server):
    """A uvicorn server that prints its URL once it listens (for a parent process)."""

    def __init__(self, config: uvicorn.Config, url: str) -> None:
        super().__init__(config)
        self._url = url

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            print(f"{URL_PREFIX}{self._url}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the demo in the foreground until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m truthgate.demo.server",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    known = ",".join(sorted(FAULTS))
    parser.add_argument(
        "--faults", default=None, help=f"comma list (default: $DEMO_FAULTS); known: {known}"
    )
    parser.add_argument("--startup-delay", type=float, default=None, metavar="SECONDS")
    parser.add_argument("--mode", choices=MODES, default=None)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args(argv)

    base = config_from_env()  # the admin token only ever comes from the environment
    try:
        app = create_app(
            base.faults if args.faults is None else parse_faults(args.faults),
            startup_delay_s=base.startup_delay_s
            if args.startup_delay is None
            else args.startup_delay,
            admin_token=base.admin_token,
            allowed_origins=base.allowed_origins,
            mode=args.mode or base.mode,
            rate_limit_per_s=base.rate_limit_per_s,
        )
    except ValueError as exc:
        parser.error(str(exc))
    sock = _bind(args.host, args.port)
    server = _AnnouncingServer(_uvicorn_config(app, args.log_level), _url(sock))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
