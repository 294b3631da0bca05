"""Raw TCP servers on 127.0.0.1 that misbehave in ways a real HTTP server would not."""

from __future__ import annotations

import socket
import ssl
import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

Behaviour = Callable[[socket.socket], None]


def _read_request(conn: socket.socket) -> None:
    conn.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk


def silent(conn: socket.socket) -> None:
    """Accept, read, never answer (until the client gives up)."""
    _read_request(conn)
    conn.settimeout(10)
    with suppress(OSError):
        conn.recv(1)


def reset(conn: socket.socket) -> None:
    """Read the request, then abort the connection with a TCP RST."""
    _read_request(conn)
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def hang_up(conn: socket.socket) -> None:
    """Read the request, then close cleanly without a word."""
    _read_request(conn)


def garbage(conn: socket.socket) -> None:
    """Answer with something that is not HTTP."""
    _read_request(conn)
    conn.sendall(b"HELLO THIS IS NOT HTTP\r\n\r\n")


def fixed(response: bytes) -> Behaviour:
    """Answer every request with ``response`` (headers and body, as bytes)."""

    def behave(conn: socket.socket) -> None:
        _read_request(conn)
        # The client may stop reading at its cap: exactly what is being tested.
        with suppress(OSError):
            conn.sendall(response)

    return behave


@contextmanager
def raw_server(behaviour: Behaviour,
               tls: ssl.SSLContext | None = None) -> Iterator[int]:
    """Serve ``behaviour`` per connection on a free port; yields the port."""
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(16)
    lsock.settimeout(0.1)
    stop = threading.Event()

    def handle(conn: socket.socket) -> None:
        try:
            if tls is not None:
                conn = tls.wrap_socket(conn, server_side=True)
            behaviour(conn)
        except (OSError, ssl.SSLError):
            pass  # the client hung up or refused our certificate: expected here
        finally:
            conn.close()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = lsock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield lsock.getsockname()[1]
    finally:
        stop.set()
        thread.join(2)
        lsock.close()


def closed_port() -> int:
    """A port nothing listens on (bound then released)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port: int = s.getsockname()[1]
    s.close()
    return port
