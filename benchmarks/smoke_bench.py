"""How fast is ``truthgate smoke``? Whole processes against the demo service, one table.

    .venv/bin/python benchmarks/smoke_bench.py [--runs 5] [--scenarios 90] [--steps 10]
                                               [--no-tavern]

Every row is a whole process started by this script, against the bundled demo app served
by uvicorn in its own child process on 127.0.0.1 (so client and server never share a
GIL). The rows, interleaved run by run so that a change of machine load hits them alike:

- ``floor``: a plain script with a raw ``httpx.Client`` sending the N requests
  sequentially (GET /health and /stats alternately, status checked);
- ``truthgate N (c1)`` / ``(c4)``: ``truthgate smoke`` on a generated contract of
  ``--scenarios`` plain-steps scenarios x ``--steps`` GET steps (the same N requests), with
  ``--concurrency 1`` (request for request like the floor) and the default 4;
- ``tavern N``: Tavern (installed in ``benchmarks/.venv-peers``, never in the project's
  venv) running the equivalent YAML, one test per scenario, one stage per step;
- ``S0-S8 concurrent``: ``truthgate smoke`` on the demo contract's S0..S8 with
  ``--allow-unsafe --concurrency 16``, and ``S0-S8 slowest alone``: the slowest of them
  (each run alone three times beforehand, by its median span) on its own.

How things are measured (all clocks are ``time.monotonic()``, i.e. Linux
``CLOCK_MONOTONIC``, which is system-wide, so timestamps from different processes compare):

- the server wraps the demo app in a middleware that logs when each request reaches the
  app and when its response's last byte was handed to the server; the bench reads and
  clears that log through ``/__bench__/log`` after every process;
- **start-up** = first request reaching the server - the instant just before this script
  spawned the process: interpreter start, imports, contract loading, client set-up and the
  TCP connect are all in it, nothing the server does is;
- **span** = last response end - first request start (the run's network phase);
  **ms/request** = span / N, so start-up and exit are not smeared into the per-request cost;
- **wall** = spawn to exit; **CPU** = user + system time of the process (``RUSAGE_CHILDREN``
  deltas), the figure to compare while optimising on a busy machine.

Medians over ``--runs`` runs. Machine load (``/proc/loadavg``) is printed with the table:
on a shared 2-core box the numbers are only meaningful when it is low.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PEERS = ROOT / "benchmarks" / ".venv-peers"
DEMO_CONTRACT = ROOT / "examples" / "demo" / "product" / "truth.yaml"
S_SET = [f"S{i}" for i in range(9)]
LOG_PATH = "/__bench__/log"
CHILD_TIMEOUT_S = 300.0
MAX_LOG = 200_000  # spans kept by the server between two reads

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGI = Callable[[Scope, Callable[[], Awaitable[Message]],
                 Callable[[Message], Awaitable[None]]], Awaitable[None]]


# --- the server (child process) ---------------------------------------------------------

def _timing(app: ASGI) -> ASGI:
    """Wrap ``app``: log (arrival, response end) per request; serve the log at LOG_PATH."""
    spans: list[tuple[float, float]] = []

    async def wrapped(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        if scope["path"] == LOG_PATH:
            body = json.dumps(spans).encode()
            spans.clear()
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        start = time.monotonic()

        async def timed_send(message: Message) -> None:
            await send(message)
            last = message["type"] == "http.response.body" and not message.get("more_body")
            if last and len(spans) < MAX_LOG:
                spans.append((start, time.monotonic()))

        await app(scope, receive, timed_send)

    return wrapped


def serve(port: int) -> None:
    """The demo app (healthy, ACTIVE, admin token from the env) with the timing wrapper."""
    import uvicorn

    from truthgate.demo.app import create_app
    from truthgate.demo.config import config_from_env

    base = config_from_env()
    app = create_app((), admin_token=base.admin_token, mode="ACTIVE")
    # IPPROTO_TCP explicitly, like the demo server: asyncio then sets TCP_NODELAY.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    config = uvicorn.Config(_timing(app), http="h11", loop="asyncio", lifespan="on",
                            log_level="warning", access_log=False, server_header=False)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"

    class Announcing(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            print(f"BENCH_URL={url}", flush=True)

    Announcing(config).run(sockets=[sock])


def _start_server(env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, __file__, "--serve", "0"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.startswith("BENCH_URL="):
            return proc, line.split("=", 1)[1].strip()
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise SystemExit("the bench server did not start")


# --- the workloads ----------------------------------------------------------------------

def _paths(n: int) -> list[str]:
    return ["/health" if i % 2 == 0 else "/stats" for i in range(n)]


FLOOR = '''\
import sys
import httpx

url, n = sys.argv[1], int(sys.argv[2])
with httpx.Client(timeout=30) as client:  # a loaded box stalls for seconds
    for i in range(n):
        r = client.get(url + ("/health" if i % 2 == 0 else "/stats"))
        if r.status_code != 200:
            sys.exit(f"status {r.status_code}")
'''


def _write_inputs(tmp: Path, scenarios: int, steps: int) -> None:
    (tmp / "floor.py").write_text(FLOOR)
    lines = ["version: 1", "product: {name: bench}", "entrypoint: {path: app.py}",
             "invariants: []", "smoke:", "  scenarios:"]
    for s in range(scenarios):
        lines += [f"    - id: B{s}", "      steps:"]
        lines += [f"        - {{request: {{path: {p}}}, expect: {{status: 200}}}}"
                  for p in _paths(steps)]
    (tmp / "truth.yaml").write_text("\n".join(lines) + "\n")
    docs = []
    for s in range(scenarios):
        stages = "\n".join(
            f"  - name: step {i}\n    request:\n      url: \"{{tavern.env_vars.BENCH_URL}}"
            f"{p}\"\n      method: GET\n    response:\n      status_code: 200"
            for i, p in enumerate(_paths(steps)))
        docs.append(f"test_name: scenario {s}\nstages:\n{stages}\n")
    (tmp / "test_bench.tavern.yaml").write_text("---\n".join(docs))


# --- running and measuring --------------------------------------------------------------

@dataclass
class Sample:
    wall_s: float
    cpu_s: float
    startup_ms: float
    span_ms: float
    requests: int
    extra: dict[str, Any] = field(default_factory=dict)
    failed: str = ""  # why this run does not count (kept out of the medians)


def _fetch_log(url: str) -> list[tuple[float, float]]:
    import httpx

    with httpx.Client(trust_env=False) as c:
        data = c.get(url + LOG_PATH, timeout=10).json()
    return [(float(a), float(b)) for a, b in data]


def _run(argv: list[str], url: str, env: dict[str, str], cwd: Path,
         ok_codes: tuple[int, ...] = (0,)) -> Sample:
    """One whole process; the server's log gives start-up and span."""
    _fetch_log(url)  # clear anything left over
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=CHILD_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise SystemExit(f"timed out: {' '.join(argv)}") from None
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    failed = ""
    if proc.returncode not in ok_codes:
        # On a loaded box a stalled server times requests out: the run is reported as
        # failed and left out of the medians, never silently averaged in.
        failed = f"exit {proc.returncode}: {_why(out)[:300] or err[-300:]}".replace("\n", " ")
        print(f"failed run: {' '.join(argv[:3])}...: {failed}", file=sys.stderr)
    spans = _fetch_log(url)
    if not spans:
        raise SystemExit(f"no request reached the server: {' '.join(argv)}")
    first = min(a for a, _ in spans)
    last = max(b for _, b in spans)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    extra: dict[str, Any] = {}
    if out.lstrip().startswith("{"):
        extra["report"] = json.loads(out)
    return Sample(wall_s=wall, cpu_s=cpu, startup_ms=(first - t0) * 1000,
                  span_ms=(last - first) * 1000, requests=len(spans), extra=extra,
                  failed=failed)


def _why(out: str) -> str:
    """The failed scenarios of a JSON report, else the output's tail."""
    try:
        report = json.loads(out)
    except ValueError:
        return out[-2000:]
    bad = [f"{sc['id']}: {sc['outcome']} {sc.get('error') or ''} {sc.get('failures') or ''}"
           for sc in report.get("scenarios", []) if sc["outcome"] in ("fail", "error")]
    return "\n".join(bad)


def _smoke(contract: Path, url: str, *args: str) -> list[str]:
    return [str(VENV_BIN / "truthgate"), "smoke", "-c", str(contract), "-u", url,
            "-f", "json", *args]


def _ensure_tavern() -> Path | None:
    py = PEERS / "bin" / "python"
    probe = [str(py), "-c", "import tavern._core.pytest"]
    if py.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return py
    print(f"tavern: installing into {PEERS} (separate from the project's venv)",
          file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(PEERS)], check=True)
    (PEERS / ".gitignore").write_text("*\n")
    # Tavern 3.7 imports _pytest.python_api, which pytest 9 removed.
    subprocess.run([str(py), "-m", "pip", "install", "-q", "tavern", "pytest<9"], check=True)
    return py


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def _med(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--scenarios", type=int, default=90)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--no-tavern", action="store_true")
    args = ap.parse_args()
    n = args.scenarios * args.steps
    tavern = None if args.no_tavern else _ensure_tavern()
    env = {**os.environ, "DEMO_ADMIN_TOKEN": "bench-token"}
    env.pop("DEMO_FAULTS", None)
    # Some sandboxes export PYTHONDONTWRITEBYTECODE=1: every module edited since its .pyc
    # was written would then be compiled again by every process, a start-up cost no
    # installed tool pays. Each command also runs once, unmeasured, before the table.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    load_before = _load()
    server, url = _start_server(env)
    env["BENCH_URL"] = url
    try:
        with tempfile.TemporaryDirectory(prefix="smoke-bench-") as t:
            tmp = Path(t)
            _write_inputs(tmp, args.scenarios, args.steps)
            table = _measure(args.runs, n, url, env, tmp, tavern)
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
    _print(table, n, args.runs, load_before, _load())


Rows = dict[str, list[Sample]]


def _measure(runs: int, n: int, url: str, env: dict[str, str], tmp: Path,
             tavern: Path | None) -> Rows:
    contract = tmp / "truth.yaml"
    s_args = [a for s in S_SET for a in ("-s", s)]
    # Which of S0..S8 is slowest on its own, measured as the row compares it: each one
    # alone, by the median of three spans at the server. (A scenario's own duration_ms
    # also counts client-side waits, and one stalled run crowned S6 with it.)
    seq = _run(_smoke(DEMO_CONTRACT, url, "--allow-unsafe", "--concurrency", "1", *s_args),
               url, env, ROOT, ok_codes=(0, 1))
    runnable = [sc["id"] for sc in seq.extra["report"]["scenarios"]
                if sc["outcome"] != "skipped"]
    spans: dict[str, list[float]] = {sid: [] for sid in runnable}
    for _ in range(3):
        for sid in runnable:
            alone = _run(_smoke(DEMO_CONTRACT, url, "--allow-unsafe", "-s", sid), url, env,
                         ROOT, ok_codes=(0, 1))
            spans[sid].append(alone.span_ms)
    slowest = max(spans, key=lambda k: _med(spans[k]))
    jobs: list[tuple[str, list[str], Path, tuple[int, ...]]] = [
        ("floor (raw httpx.Client)", [sys.executable, str(tmp / "floor.py"), url, str(n)],
         tmp, (0,)),
        (f"truthgate smoke {n} (c1)", _smoke(contract, url, "--concurrency", "1"), tmp, (0,)),
        (f"truthgate smoke {n} (c4)", _smoke(contract, url), tmp, (0,)),
        ("truthgate S0-S8 concurrent", _smoke(DEMO_CONTRACT, url, "--allow-unsafe",
                                               "--concurrency", "16", *s_args), ROOT, (0,)),
        (f"truthgate {slowest} alone (slowest)", _smoke(DEMO_CONTRACT, url, "--allow-unsafe",
                                                         "-s", slowest), ROOT, (0,)),
    ]
    if tavern is not None:
        jobs.append((f"tavern {n}", [str(tavern), "-m", "pytest", "-q", "-p",
                                     "no:cacheprovider", "test_bench.tavern.yaml"], tmp, (0,)))
    table: Rows = {name: [] for name, *_ in jobs}
    for _name, argv, cwd, ok in jobs:  # warm-up: bytecode written, page cache filled
        _run(argv, url, env, cwd, ok)
    for r in range(runs):
        for name, argv, cwd, ok in jobs:
            sample = _run(argv, url, env, cwd, ok)
            table[name].append(sample)
        print(f"run {r + 1}/{runs} done (load {_load()})", file=sys.stderr)
        if r + 1 < runs:  # a partial table, in case a later run fails
            _print(table, n, r + 1, "", _load(), out=sys.stderr)
    return table


def _print(table: Rows, n: int, runs: int, load_before: str, load_after: str,
           out: Any = None) -> None:
    import builtins
    import functools

    print = functools.partial(builtins.print, file=out or sys.stdout)  # noqa: A001
    floor_name = next(k for k in table if k.startswith("floor"))
    ok_runs = {k: f"{sum(1 for s in v if not s.failed)}/{len(v)}" for k, v in table.items()}
    table = {k: [s for s in v if not s.failed] or v for k, v in table.items()}
    floor = _med([s.span_ms for s in table[floor_name]]) / n
    print(f"\nsmoke bench: {n} requests per N-row, median of {runs} runs; load average "
          f"{load_before} (before) / {load_after} (after); {os.cpu_count()} CPUs\n")
    print("| row | wall s | CPU s | start-up ms | span ms | ms/request | x floor | requests "
          "| runs ok |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    med: dict[str, dict[str, float]] = {}
    for name, samples in table.items():
        m = {k: _med([getattr(s, k) for s in samples])
             for k in ("wall_s", "cpu_s", "startup_ms", "span_ms")}
        reqs = int(_med([float(s.requests) for s in samples]))
        per = m["span_ms"] / reqs if reqs else float("nan")
        ratio = f"{per / floor:.2f}" if reqs == n else ""
        med[name] = {**m, "per": per}
        print(f"| {name} | {m['wall_s']:.3f} | {m['cpu_s']:.3f} | {m['startup_ms']:.0f} | "
              f"{m['span_ms']:.1f} | {per:.3f} | {ratio} | {reqs} | "
              f"{ok_runs[name]} |")
    c1 = med[f"truthgate smoke {n} (c1)"]
    c4 = med[f"truthgate smoke {n} (c4)"]
    conc = med["truthgate S0-S8 concurrent"]
    alone_name = next(k for k in table if k.endswith("(slowest)"))
    alone = med[alone_name]
    tg_startup = _med([s.startup_ms for k, v in table.items() if k.startswith("truthgate")
                       for s in v])
    print("\n| target | measured | goal | met |")
    print("|---|---:|---:|---|")

    def row(what: str, value: float, goal: str, ok: bool, fmt: str = ".2f") -> None:
        print(f"| {what} | {value:{fmt}} | {goal} | {'yes' if ok else 'NO'} |")

    row("truthgate ms/request / floor (c1)", c1["per"] / floor, "<= 1.5",
        c1["per"] / floor <= 1.5)
    tav = med.get(f"tavern {n}")
    if tav is not None:
        row(f"tavern wall / truthgate wall, {n} requests (c4)", tav["wall_s"] / c4["wall_s"],
            ">= 5", tav["wall_s"] / c4["wall_s"] >= 5)
        row(f"tavern wall / truthgate wall, {n} requests (c1)", tav["wall_s"] / c1["wall_s"],
            ">= 5", tav["wall_s"] / c1["wall_s"] >= 5)
        row("tavern ms/request / truthgate ms/request (span, c1)", tav["per"] / c1["per"],
            ">= 5", tav["per"] / c1["per"] >= 5)
    row("truthgate start-up ms (median, all truthgate rows)", tg_startup, "<= 300",
        tg_startup <= 300, ".0f")
    # The benchmark VM stalls a process for ~0.5-0.8 s now and then, in any phase (imports,
    # contract load, a single 2 ms request): the best run shows the cost without stalls,
    # as timeit's min does; the floor's own start-up is printed beside it for scale.
    tg_best = min(s.startup_ms for k, v in table.items() if k.startswith("truthgate")
                  for s in v)
    floor_best = min(s.startup_ms for s in table[floor_name])
    row("truthgate start-up ms (best run)", tg_best, "<= 300", tg_best <= 300, ".0f")
    print(f"| (floor start-up ms: median {med[floor_name]['startup_ms']:.0f}, best "
          f"{floor_best:.0f}; truthgate / floor, medians "
          f"{tg_startup / med[floor_name]['startup_ms']:.2f}) | | | |")
    conc_ratio = conc["span_ms"] / alone["span_ms"]
    row(f"S0-S8 concurrent span / {alone_name.split()[1]} alone span", conc_ratio, "<= 1.2",
        conc_ratio <= 1.2)
    best_ratio = (min(s.span_ms for s in table["truthgate S0-S8 concurrent"])
                  / min(s.span_ms for s in table[alone_name]))
    row("same, best runs", best_ratio, "<= 1.2", best_ratio <= 1.2)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        serve(int(sys.argv[2]))
    else:
        main()
