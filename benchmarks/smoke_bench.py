"""Per-request cost of ``run_smoke`` against the floor of a raw ``httpx.Client``.

Starts a minimal ASGI app under uvicorn in a child process on loopback (like the demo
service; a separate process so server and client do not share a GIL), sends N GET /health
with a plain ``httpx.Client`` (the floor), then runs a contract of N health steps through
``run_smoke`` (concurrency 1, so the comparison is request for request). Prints ms per
request for both and the ratio. Not a test: numbers depend on the machine.

    .venv/bin/python benchmarks/smoke_bench.py [N]
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from typing import Any

import httpx
import uvicorn

from truthgate.contract.model import Contract, Entrypoint, Env, Kb, Legacy, Product
from truthgate.smoke.spec import parse_smoke


async def _app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """GET anything -> 200 {"status": "ok"}."""
    if scope["type"] != "http":
        return
    body = b'{"status": "ok"}'
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


def _serve() -> tuple[subprocess.Popen[bytes], str]:
    """This file with --serve PORT in a child process; returns it and its URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(port)])
    url = f"http://127.0.0.1:{port}"
    for _ in range(500):  # up to ~10 s for the child to listen
        try:
            httpx.get(url + "/health", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.02)
    return proc, url


def main(n: int) -> None:
    server, url = _serve()
    with httpx.Client() as client:
        client.get(url + "/health")  # connect once, like run_smoke's pool does
        t = time.perf_counter()
        for _ in range(n):
            client.get(url + "/health").json()
        floor = (time.perf_counter() - t) * 1000 / n
    steps = [{"request": {"path": "/health"}, "expect": {"status": 200}}] * n
    spec = parse_smoke({"scenarios": [{"id": "B", "steps": steps}]})
    contract = Contract(version=1, product=Product(name="bench"),
                        entrypoint=Entrypoint(path="x"), env=Env(), kb=Kb(), legacy=Legacy(),
                        invariants=(), smoke=spec)
    from truthgate.smoke.runner import run_smoke

    t = time.perf_counter()
    report = run_smoke(contract, base_url=url, environ={}, concurrency=1)
    ours = (time.perf_counter() - t) * 1000 / n
    server.terminate()
    server.wait(5)
    assert report.passed, report.scenarios[0]
    print(f"requests: {n}")
    print(f"raw httpx.Client floor: {floor:.3f} ms/request")
    print(f"run_smoke:              {ours:.3f} ms/request ({ours / floor:.2f}x floor)")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--serve":
        uvicorn.run(_app, host="127.0.0.1", port=int(sys.argv[2]), log_level="error",
                    lifespan="off")
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
