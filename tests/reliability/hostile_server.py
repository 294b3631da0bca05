"""Hostile HTTP servers on 127.0.0.1, each a real child process started by a test.

``python hostile_server.py BEHAVIOUR --log FILE [--arg VALUE]`` prints its port on the first
line of stdout, then serves one thread per connection until killed. Every request head it
reads is appended to ``FILE`` as one JSON line (method, path, headers), so a test can assert
what the server received (how many requests, which credentials). Nothing here materialises
a large body: big answers are streamed in 64 KiB chunks until the client hangs up.

The :func:`hostile` context manager starts one and always kills it; every loop is bounded.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHUNK = b"\0" * 65536
GIB = 1 << 30
LIFETIME_S = 300  # a server never outlives a forgotten test by more than this


@dataclass
class Conn:
    sock: socket.socket
    opts: argparse.Namespace
    log: Callable[[dict[str, Any]], None]
    served: list[int]
    listener: socket.socket | None = None
    gate: threading.Lock | None = None

    def read_head(self) -> dict[str, Any] | None:
        self.sock.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(65536)
            if not chunk or len(data) > 1 << 20:
                return None
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, _, target = lines[0].partition(" ")
        headers = [tuple(h.split(":", 1)) for h in lines[1:] if ":" in h]
        hdrs = {k.strip(): v.strip() for k, v in headers}
        length = int(hdrs.get("Content-Length", hdrs.get("content-length", "0")) or 0)
        body = rest
        while len(body) < min(length, 1 << 20):
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            body += chunk
        req = {"method": method, "path": target.split(" ")[0], "headers": hdrs,
               "body": body[:65536].decode("utf-8", "replace"), "t": time.time()}
        self.log(req)
        self.served[0] += 1
        return req

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def answer(self, status: int, body: bytes, ctype: str = "application/json",
               extra: str = "") -> None:
        self.send((f"HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\n"
                   f"Content-Length: {len(body)}\r\n{extra}\r\n").encode() + body)


def _keepalive(handler: Callable[[Conn, dict[str, Any]], None]) -> Callable[[Conn], None]:
    """Serve requests on one connection until the client closes it (bounded)."""
    def run(c: Conn) -> None:
        for _ in range(10_000):
            req = c.read_head()
            if req is None:
                return
            handler(c, req)
    return run


def b_silence(c: Conn) -> None:
    c.read_head()
    c.sock.settimeout(LIFETIME_S)
    with suppress(OSError):
        c.sock.recv(1)  # until the client gives up and closes


def b_drip(c: Conn) -> None:
    c.read_head()
    c.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n")
    for _ in range(LIFETIME_S):
        c.send(b" ")
        time.sleep(1)


def b_drip_head(c: Conn) -> None:
    c.read_head()
    for byte in b"HTTP/1.1 200 OK\r\n" * 20:
        c.send(bytes([byte]))
        time.sleep(1)


def b_reset_mid_body(c: Conn) -> None:
    c.read_head()
    c.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
           + b'{"status": "ok", "pad": "' + b"x" * 4000)
    time.sleep(0.05)
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


INVALID = {
    "bad-status-line": b"HTTP/1.1 OK\r\n\r\n",
    "negative-length": b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n",
    "two-lengths": b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nabcdefg",
    "nul-in-header": b"HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 0\r\n\r\n",
    "no-colon-header": b"HTTP/1.1 200 OK\r\nnot a header\r\nContent-Length: 0\r\n\r\n",
    "huge-header": b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * (300 * 1024) + b"\r\n\r\n",
    "bad-chunk": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n",
    "status-999": b"HTTP/1.1 999 Whatever\r\nContent-Length: 2\r\n\r\n{}",
    "http09": b"<html>hello</html>",
    "binary": bytes(range(256)) * 4,
}


def b_invalid(c: Conn) -> None:
    c.read_head()
    c.send(INVALID[c.opts.arg])


def b_gigabyte(c: Conn) -> None:
    """1 GiB announced (or close-delimited), streamed from one 64 KiB buffer."""
    c.read_head()
    announce = f"Content-Length: {GIB}\r\n" if c.opts.arg != "no-length" else ""
    c.send(f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{announce}"
           "Connection: close\r\n\r\n".encode())
    for _ in range(GIB // len(CHUNK)):
        c.send(CHUNK)


_BOMB_MEMBER: list[bytes] = []


def _bomb_member() -> bytes:
    """One gzip member inflating to 64 MiB (about 64 KiB on the wire), made once."""
    if not _BOMB_MEMBER:
        z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        parts = [z.compress(CHUNK) for _ in range(1024)]
        _BOMB_MEMBER.append(b"".join(parts) + z.flush())
    return _BOMB_MEMBER[0]


def b_gzip_bomb(c: Conn) -> None:
    """16 gzip members: 1 GiB once inflated, ~1 MiB sent, streamed."""
    c.read_head()
    member = _bomb_member()
    c.send(f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
           f"Content-Length: {len(member) * 16}\r\n\r\n".encode())
    for _ in range(16):
        c.send(member)


@_keepalive
def b_redirect_loop(c: Conn, req: dict[str, Any]) -> None:
    n = int(req["path"].rsplit("/", 1)[-1]) if req["path"].startswith("/loop/") else 0
    c.answer(302, b"", extra=f"Location: /loop/{n + 1}\r\n")


@_keepalive
def b_redirect_to(c: Conn, req: dict[str, Any]) -> None:
    c.answer(302, b"", extra=f"Location: {c.opts.arg}\r\n")


@_keepalive
def b_redirect_code(c: Conn, req: dict[str, Any]) -> None:
    """``--arg "307 URL"``: every request answered with that status and Location."""
    code, _, location = c.opts.arg.partition(" ")
    c.answer(int(code), b"", extra=f"Location: {location}\r\n")


@_keepalive
def b_ok(c: Conn, req: dict[str, Any]) -> None:
    c.answer(200, b'{"status": "ok", "mode": "ACTIVE", "processed": 1}')


@_keepalive
def b_reflect(c: Conn, req: dict[str, Any]) -> None:
    """Echo every request header (credentials included) in the body and in headers."""
    status = int(c.opts.arg or 500)
    body = json.dumps({"you_sent": req["headers"], "path": req["path"],
                       "body": req["body"]}).encode()
    echoed = "".join(f"X-Echo-{k}: {v}\r\n" for k, v in req["headers"].items()
                     if k.lower() in ("authorization", "cookie", "x-api-key"))
    c.answer(status, body, extra=echoed + f"Set-Cookie: sid={req['headers'].get('Cookie', '')}\r\n")


@_keepalive
def b_status(c: Conn, req: dict[str, Any]) -> None:
    """Always the same status (503: never ready; 200: never rate limited)."""
    delay = float(c.opts.delay or 0)
    if delay:
        time.sleep(delay)
    c.answer(int(c.opts.arg or 503), b'{"status": "starting", "processed": 0}')


def b_die_after(c: Conn) -> None:
    """Answer ``arg`` requests in total, then stop listening and exit.

    The check and the close are one step under ``c.gate``: before the last allowed answer
    leaves, the listening socket is shut down (new connections are refused, queued ones
    reset), and a request past the count that still got in is never answered. So a
    client can never be served a request after the ``arg``-th, whatever the threads do.
    """
    req = c.read_head()
    if req is None:
        return
    assert c.gate is not None and c.listener is not None
    allowed = int(c.opts.arg or 1)
    with c.gate:
        c.served[1] += 1
        number = c.served[1]
        last = number == allowed
        if last:
            with suppress(OSError):
                c.listener.shutdown(socket.SHUT_RDWR)
            with suppress(OSError):
                c.listener.close()
    if number > allowed:
        return  # past the count: hang up unanswered (the caller closes the socket)
    c.answer(200, b'{"status": "ok"}', extra="Connection: close\r\n")
    if last:
        with suppress(OSError):
            c.sock.shutdown(socket.SHUT_WR)  # flush the answer before the process goes
        c.sock.close()
        os._exit(0)


BEHAVIOURS: dict[str, Callable[[Conn], None]] = {
    "silence": b_silence, "drip": b_drip, "drip-head": b_drip_head,
    "reset-mid-body": b_reset_mid_body, "invalid": b_invalid, "gigabyte": b_gigabyte,
    "gzip-bomb": b_gzip_bomb, "redirect-loop": b_redirect_loop, "redirect-to": b_redirect_to,
    "redirect-code": b_redirect_code,
    "ok": b_ok, "reflect": b_reflect, "status": b_status, "die-after": b_die_after,
}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("behaviour", choices=sorted(BEHAVIOURS))
    ap.add_argument("--log", required=True)
    ap.add_argument("--arg", default="")
    ap.add_argument("--delay", default="")
    ap.add_argument("--cert", default="")
    ap.add_argument("--key", default="")
    ap.add_argument("--host", default="127.0.0.1")
    opts = ap.parse_args(argv)
    lock = threading.Lock()
    gate = threading.Lock()
    served = [0, 0]  # requests read; requests admitted by a counting behaviour (die-after)

    def log(req: dict[str, Any]) -> None:
        with lock, open(opts.log, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(req) + "\n")

    tls = None
    if opts.cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(opts.cert, opts.key)
    if opts.behaviour == "gzip-bomb":
        _bomb_member()  # compress before announcing the port: the client's clock is running
    lsock = socket.socket()
    lsock.bind((opts.host, 0))
    lsock.listen(64)
    print(lsock.getsockname()[1], flush=True)
    behaviour = BEHAVIOURS[opts.behaviour]

    def handle(raw: socket.socket) -> None:
        sock = raw
        try:
            if tls is not None:
                sock = tls.wrap_socket(raw, server_side=True)
            behaviour(Conn(sock, opts, log, served, lsock, gate))
        except (OSError, ssl.SSLError, ValueError):
            pass  # the client hung up, refused the certificate, or sent nonsense
        finally:
            sock.close()

    threading.Timer(LIFETIME_S, lambda: os._exit(0)).start()
    while True:
        try:
            conn, _ = lsock.accept()
        except OSError:
            if opts.behaviour != "die-after":
                raise
            time.sleep(LIFETIME_S)  # die-after shut the listener; its thread exits the process
            os._exit(0)
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


@dataclass
class Server:
    port: int
    log: Path
    proc: subprocess.Popen[bytes]
    host: str = "127.0.0.1"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def requests(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines() if line]


@contextmanager
def hostile(behaviour: str, log_dir: Path, arg: str = "", delay: float = 0,
            cert: tuple[Path, Path] | None = None,
            host: str = "127.0.0.1") -> Iterator[Server]:
    """Start a hostile server process on ``host``; yield it; always kill it."""
    log = log_dir / f"{behaviour}-{time.monotonic_ns()}.jsonl"
    cmd = [sys.executable, __file__, behaviour, "--log", str(log), "--arg", arg,
           "--delay", str(delay or ""), "--host", host]
    if cert is not None:
        cmd += ["--cert", str(cert[0]), "--key", str(cert[1])]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.strip():
            raise RuntimeError(f"hostile server {behaviour} did not start")
        yield Server(int(line), log, proc, host)
    finally:
        proc.kill()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()


if __name__ == "__main__":
    main()
