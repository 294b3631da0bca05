"""Issue 5, part 3: hostile servers end as classified ERRORs, in time, memory flat, exit 1.

Each server is a real child process on 127.0.0.1 (tests/reliability/hostile_server.py). The
cases tests/smoke/test_errors.py already covers at the runner level (refused, silent, RST
before answering, garbage, small gzip bomb, TLS) are extended here through the CLI, with
time and memory bounds and the report's words checked.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from truthgate.cli.main import app

from .hostile_server import INVALID, hostile

CONTRACT = """\
version: 1
product: {name: hostile-servers}
entrypoint: {path: app.py}
env:
  required: [{name: APP_TOKEN, secret: true}]
invariants: []
smoke:
  defaults: {timeout_s: 3}
  scenarios:
    - {id: S0, kind: health, params: {path: /health}}
    - id: A
      steps:
        - request: {path: /admin, auth: {bearer_env: APP_TOKEN},
                    headers: {Cookie: "sid=${APP_TOKEN}"}}
          expect: {status: 200}
"""


@pytest.fixture
def contract(tmp_path: Path) -> Path:
    (tmp_path / "product").mkdir()
    path = tmp_path / "product" / "truth.yaml"
    path.write_text(CONTRACT, encoding="utf-8")
    return path


def smoke(contract: Path, url: str, *extra: str, env: dict[str, str] | None = None,
          fmt: str = "json") -> tuple[int, str, dict[str, object] | None]:
    """Run ``truthgate smoke`` through the CLI; (exit code, output, parsed JSON report)."""
    result = CliRunner().invoke(app, ["smoke", "-c", str(contract), "-u", url, "-f", fmt,
                                      *extra], env={"APP_TOKEN": "tok-abcdef-123", **(env or {})})
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in result.output
    data = None
    if fmt == "json" and result.output.lstrip().startswith("{"):
        data = json.loads(result.output)
    return result.exit_code, result.output, data


def scenarios(report: dict[str, object] | None) -> dict[str, dict[str, object]]:
    assert report is not None
    return {s["id"]: s for s in report["scenarios"]}  # type: ignore[index,union-attr]


def assert_error(report: dict[str, object] | None, error_class: str | tuple[str, ...],
                 words: str) -> None:
    classes = (error_class,) if isinstance(error_class, str) else error_class
    for sid, sc in scenarios(report).items():
        assert sc["outcome"] == "error", (sid, sc)
        assert sc["error_class"] in classes, (sid, sc["error_class"], sc["error"])
        assert words in str(sc["error"]), (sid, sc["error"])


def timed(fn):  # type: ignore[no-untyped-def]
    started = time.monotonic()
    out = fn()
    return out, time.monotonic() - started


def test_accept_then_silence_times_out(contract: Path, tmp_path: Path) -> None:
    with hostile("silence", tmp_path) as srv:
        (code, _, report), took = timed(lambda: smoke(contract, srv.url, "--timeout", "1"))
    assert code == 1
    assert_error(report, "timeout", "did not answer within the timeout")
    assert took < 30


@pytest.mark.parametrize("behaviour", ["drip", "drip-head"])
def test_slow_drip_is_cut_by_the_hop_timeout(contract: Path, tmp_path: Path,
                                            behaviour: str) -> None:
    # One byte a second never trips a read timeout; the hard per-hop total must.
    with hostile(behaviour, tmp_path) as srv:
        (code, _, report), took = timed(lambda: smoke(contract, srv.url, "--timeout", "2"))
    assert code == 1
    assert_error(report, "timeout", "did not answer within the timeout")
    assert took < 30


def test_reset_mid_body(contract: Path, tmp_path: Path) -> None:
    with hostile("reset-mid-body", tmp_path) as srv:
        code, _, report = smoke(contract, srv.url)
    assert code == 1
    assert_error(report, ("reset", "disconnected", "protocol"), "127.0.0.1")
    for sc in scenarios(report).values():
        assert any(w in str(sc["error"]) for w in ("reset", "closed", "invalid HTTP"))


@pytest.mark.parametrize("variant", sorted(INVALID))
def test_invalid_http(contract: Path, tmp_path: Path, variant: str) -> None:
    with hostile("invalid", tmp_path, arg=variant) as srv:
        code, output, report = smoke(contract, srv.url)
    assert code == 1, output
    for sid, sc in scenarios(report).items():
        # A 999 status is valid HTTP framing: the scenario fails on its status instead.
        assert sc["outcome"] in ("error", "fail"), (sid, sc)
        if sc["outcome"] == "error":
            assert sc["error_class"] in ("protocol", "disconnected", "reset", "timeout",
                                         "body-too-large"), (variant, sc["error_class"])
            assert sc["error"], sc


def _smoke_in_subprocess(contract: Path, url: str) -> tuple[int, float, dict[str, object]]:
    """Run the CLI in a fresh interpreter; (exit code, peak RSS MiB, report)."""
    code = (
        "import json, resource, sys\n"
        "from typer.testing import CliRunner\n"
        "from truthgate.cli.main import app\n"
        f"r = CliRunner().invoke(app, ['smoke', '-c', {str(contract)!r}, '-u', {url!r}, "
        "'-f', 'json'], env={'APP_TOKEN': 'tok-abcdef-123'})\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "print(json.dumps({'code': r.exit_code, 'peak': peak, 'out': r.output}))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=240, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    return got["code"], got["peak"], json.loads(got["out"])


@pytest.fixture(scope="module")
def baseline_rss(tmp_path_factory: pytest.TempPathFactory) -> float:
    d = tmp_path_factory.mktemp("rss")
    (d / "product").mkdir()
    (d / "product" / "truth.yaml").write_text(CONTRACT)
    with hostile("ok", d) as srv:
        _, peak, _ = _smoke_in_subprocess(d / "product" / "truth.yaml", srv.url)
    return float(peak)


@pytest.mark.parametrize("behaviour,arg", [("gigabyte", ""), ("gigabyte", "no-length"),
                                           ("gzip-bomb", "")])
def test_huge_bodies_keep_memory_flat(contract: Path, tmp_path: Path, baseline_rss: float,
                                      behaviour: str, arg: str) -> None:
    with hostile(behaviour, tmp_path, arg=arg) as srv:
        (code, peak, report), took = timed(lambda: _smoke_in_subprocess(contract, srv.url))
    assert code == 1
    assert_error(report, "body-too-large", "cap")
    # The cap is 1 MiB; a body read whole would add ~1 GiB. Allow noise, not the body.
    assert peak - baseline_rss < 48, f"peak RSS {peak:.0f} MiB vs {baseline_rss:.0f} MiB"
    assert took < 120


def test_endless_redirect_loop_is_capped(contract: Path, tmp_path: Path) -> None:
    with hostile("redirect-loop", tmp_path) as srv:
        code, _, report = smoke(contract, srv.url)
        received = srv.requests()
    assert code == 1
    assert_error(report, "too-many-redirects", "more than 5 redirects")
    # Two scenarios, each: the first request plus at most 5 redirects.
    assert len(received) <= 2 * 6, len(received)


def test_redirect_to_another_host_drops_credentials(contract: Path, tmp_path: Path) -> None:
    with hostile("reflect", tmp_path, arg="200") as other:
        # Same machine, other origin: a different port, and a different host name.
        for target in (other.url + "/landing",
                       other.url.replace("127.0.0.1", "localhost") + "/landing"):
            with hostile("redirect-to", tmp_path, arg=target) as first:
                code, _, _ = smoke(contract, first.url, "-s", "A")
                assert any(r["headers"].get("Authorization") for r in first.requests())
        received = other.requests()
    assert received, "the redirect was not followed"
    for req in received:
        names = {k.lower() for k in req["headers"]}
        assert "authorization" not in names and "cookie" not in names, req["headers"]
        assert "tok-abcdef-123" not in json.dumps(req)
    assert code in (0, 1)


@pytest.fixture(scope="module")
def cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("no openssl CLI (and no cryptography package) to make a certificate")
    d = tmp_path_factory.mktemp("tls")
    proc = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(d / "k.pem"), "-out", str(d / "c.pem")],
        capture_output=True, check=False, timeout=60)
    if proc.returncode != 0:
        pytest.skip(f"openssl could not make a certificate: {proc.stderr[:200]!r}")
    return d / "c.pem", d / "k.pem"


def test_self_signed_tls_is_refused(contract: Path, tmp_path: Path,
                                    cert: tuple[Path, Path]) -> None:
    with hostile("ok", tmp_path, cert=cert) as srv:
        code, _, report = smoke(contract, srv.url.replace("http:", "https:"))
        received = srv.requests()
    assert code == 1
    assert_error(report, "tls", "TLS handshake")
    assert "CERTIFICATE" in json.dumps(report).upper()
    assert not received, "a request (with credentials) crossed an unverified TLS channel"


def test_server_dies_between_scenarios(contract: Path, tmp_path: Path) -> None:
    with hostile("die-after", tmp_path, arg="1") as srv:
        code, output, report = smoke(contract, srv.url, "--concurrency", "1")
        # The server exits right after its last answer; wait for it rather than guess how
        # long a loaded machine takes to reap it (a bound, not a timing assertion).
        try:
            srv.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail("the server should have exited after its one answer")
        assert len(srv.requests()) >= 1
    assert code == 1
    outcomes = {sid: (sc["outcome"], sc["error_class"]) for sid, sc in scenarios(report).items()}
    assert ("pass", "") in outcomes.values() or ("fail", "") in outcomes.values(), outcomes
    dead = [sc for sc in scenarios(report).values() if sc["outcome"] == "error"]
    assert dead and all(sc["error_class"] in ("connect-refused", "disconnected", "reset")
                        for sc in dead), outcomes
    # Which of the three depends on when the dying server's socket goes: all say it in words.
    assert any(words in output for words in ("refused the connection", "closed the connection",
                                             "reset the connection")), output


@pytest.mark.parametrize("fmt", ["text", "markdown", "junit", "github", "sarif"])
def test_report_says_what_happened_in_words(contract: Path, tmp_path: Path, fmt: str) -> None:
    with hostile("silence", tmp_path) as srv:
        code, output, _ = smoke(contract, srv.url, "--timeout", "0.5", fmt=fmt)
    assert code == 1
    assert "did not answer within the timeout" in output, output[:2000]


def _ask(port: int) -> bytes:
    """One GET on a fresh connection; whatever comes back (b"" if hung up or refused)."""
    import socket
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
            return data
    except OSError:
        return b""


def test_die_after_server_never_answers_past_its_count(tmp_path: Path) -> None:
    """The harness itself: two requests racing for a die-after-1 server get one answer."""
    import threading
    with hostile("die-after", tmp_path, arg="1") as srv:
        answers: list[bytes] = []
        threads = [threading.Thread(target=lambda: answers.append(_ask(srv.port)))
                   for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        late = _ask(srv.port)  # after the answer: refused, never served
    assert sum(a.startswith(b"HTTP/1.1 200") for a in answers) == 1, answers
    assert late == b""
