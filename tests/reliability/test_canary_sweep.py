"""The canary sweep: a secret planted in any input channel never reaches any output.

Each canary is a distinct value planted in one channel (a declared secret env var sent as
a header, a query and a form field, a JSON body, HTTP Basic auth, the base URL's userinfo,
a secret's ``:-default``, what a server leaks in its error page, a log line, committed
source, ``.env.example``). Every command then writes every output it has (each ``--format``
on stdout, each ``--out`` file, a recorded cycle, the HTML page, annotations, a tag message,
the pytest plugin's report), and no output may hold a canary, one of its encodings, or any
:data:`FRAGMENT`-character piece of either.

Data-driven on purpose: a new channel is one entry in ``CANARIES`` and the contract or the
server below; a new output is one entry in ``OUTPUTS``. Failure messages name the canary's
channel, the output and a position, never the value itself.
"""

from __future__ import annotations

import base64
import html
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

FRAGMENT = 6  # no piece this long of a canary may survive anywhere


@dataclass(frozen=True)
class Canary:
    channel: str
    value: str
    # Pieces of the value that are not secret on their own (a token format's fixed prefix).
    public_prefix: str = ""


# Distinct, high-entropy values: a 6-character piece of one of them occurs in a report by
# chance with a probability far below 1e-6, so a hit is a leak, never noise.
CANARIES = (
    Canary("env-secret (header, query, form, json)", "Kq7Vw2Rm+9Xz/T4pLb8&NcYh"),
    Canary("basic-auth password", "Pz4Hs9Lq2Wd7Xr5Tn8Bv"),
    Canary("base-url userinfo", "Ux3Jd8Kw5Qm2Rt7Ye4Gz"),
    Canary("secret :-default", "Df6Ns2Lp9Vk4Bw7Hq3Mx"),
    Canary("server error page: session secret", "Sv5Tq8Wn3Kj6Pz2Rd9Lc"),
    Canary("server error page: db password", "Db7Xm4Qs9Hv2Nk5Wt8Jf"),
    Canary("server error page: bot token", "987654321:AAHt4Nw8Qz2Kx6Vm9Ls3Hd7Jp5Rg1Ty0FcW",
           public_prefix="987654321:AA"),
    Canary("log line: password=", "Lg2Vp7Wx4Nq9Kz5Hm8Rb"),
    Canary("log line: github token", "ghp_Gt5Rk8Wm2Qz7Nx4Lv9Hs3Jd6Pb1Yc0Fa2Tq",
           public_prefix="ghp_"),
    Canary("committed source", "tl_live_Cm3Qx8Vz5Nw2Kp7Hj4Ls9Db", public_prefix="tl_live_"),
    Canary("committed .env.example", "Ex9Wq4Lm7Vz2Np5Kh8Rs"),
)
(API_KEY, BASIC_PW, URL_PW, DEFAULT, SERVER_SECRET, DB_PW, BOT_TOKEN, LOG_PW, GH_TOKEN,
 COMMITTED, EXAMPLE) = (c.value for c in CANARIES)


def forms(value: str) -> set[str]:
    """The spellings a value takes on its way out, written independently of the code."""
    raw = value.encode()
    out = {value, quote(value, safe=""), quote_plus(value), json.dumps(value)[1:-1],
           html.escape(value), raw.hex(), raw.hex().upper()}
    for prefix in (b"", b"tg:", b"app:"):  # alone, and as Basic's user:secret
        for enc in (base64.b64encode, base64.urlsafe_b64encode):
            out.add(enc(prefix + raw).decode().rstrip("="))
    return out


def leaks(text: str) -> list[tuple[str, str, int]]:
    """(channel, what leaked, position) for every canary trace in ``text``; no values."""
    found = []
    for canary in CANARIES:
        for i, form in enumerate(sorted(forms(canary.value))):
            skip = len(canary.public_prefix) if form.startswith(canary.public_prefix) else 0
            for at in range(skip, len(form) - FRAGMENT + 1):
                pos = text.find(form[at:at + FRAGMENT])
                if pos >= 0:
                    found.append((canary.channel, f"form {i} piece at {at}", pos))
                    break
    return found


# -- the service: echoes what it receives, leaks what it holds -------------------------

class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("latin-1") if length else ""
        if self.path == "/ok":
            self._send(200, b'{"status": "ok"}', {})
            return
        key = self.headers.get("X-Key", "")
        page = json.dumps({
            "you_sent": dict(self.headers.items()), "path": self.path, "body": body,
            # What a debug error page prints: the process's own secrets.
            # The padding puts the bot token across the 120th character of a failure message
            # that quotes this list: cut before masking, a prefix of it would survive.
            "debug": ["-" * 76, f"telegram bot {BOT_TOKEN} failed",
                      f"SESSION_SECRET={SERVER_SECRET}",
                      f"DATABASE_URL=postgresql://app:{DB_PW}@db:5432/app"],
        }).encode()
        echoed = {"X-Echo-Auth": self.headers.get("Authorization", ""),
                  # A server that shortens what it echoes leaves a prefix of the secret.
                  "X-Echo-Key-Cut": key[:-2]}
        self._send(500, page, echoed)

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{srv.server_address[1]}"
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(10)


CONTRACT = """\
version: 1
product: {name: canary-shop}
entrypoint: {path: app.py}
env:
  example_file: .env.example
  required:
    - {name: API_KEY, secret: true}
    - {name: BASIC_PW, secret: true}
  optional:
    - {name: UNSET_SECRET, secret: true}
invariants:
  - {id: env, kind: env_contract}
  - {id: secrets, kind: no_hardcoded_secrets}
observability:
  forbidden_log_patterns:
    - {name: errors, regex: 'ERROR', max: 0}
release:
  cycles_dir: reports/cycles
  checklist:
    - {name: Smoke, run: smoke, target: local}
smoke:
  base_url: "http://tg:${BASIC_PW}@HOST"
  targets:
    local: {base_url: "http://tg:${BASIC_PW}@HOST"}
  scenarios:
    - id: S1
      name: header and query
      steps:
        - request: {path: /echo, headers: {X-Key: "${API_KEY}"}, query: {k: "${API_KEY}"}}
          expect: {status: 200}
    - id: S2
      name: form
      steps:
        - request: {method: POST, path: /echo, form: {k: "${API_KEY}"}}
          expect: {status: 200}
    - id: S3
      name: json and a default
      steps:
        - request: {method: POST, path: /echo,
                    json: {k: "${API_KEY}", d: "${UNSET_SECRET:-DEFAULT}"}}
          expect: {status: 200}
    - id: S4
      name: basic auth
      steps:
        - request: {path: /echo, auth: {basic_user_env: BASIC_USER, basic_password_env: BASIC_PW}}
          expect: {status: 200}
    - id: S5
      name: a failure that quotes the leaked page, cut at 120 characters
      steps:
        - request: {path: /echo, headers: {X-Key: "${API_KEY}"}}
          expect: {status: 500, json: [{query: debug, type: string},
                                       {query: you_sent, type: string}]}
"""

RELEASE_CONTRACT_SMOKE = """\
  scenarios:
    - id: S0
      name: up
      steps:
        - request: {path: /ok}
          expect: {status: 200}
"""


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory, server: str) -> Path:
    root = tmp_path_factory.mktemp("canary-repo")
    (root / "product").mkdir()
    (root / "product" / "truth.yaml").write_text(
        CONTRACT.replace("HOST", server).replace("DEFAULT", DEFAULT), encoding="utf-8")
    (root / "app.py").write_text(
        "import os\n\n"
        f'API_KEY = "{COMMITTED}"\n'
        'BASIC = os.environ["BASIC_PW"]\n'
        'OTHER = os.environ.get("API_KEY")\n', encoding="utf-8")
    (root / ".env.example").write_text(
        f"API_KEY={EXAMPLE}\n"
        "BASIC_PW=changeme\n", encoding="utf-8")
    (root / "app.log").write_text(
        f"INFO start\nERROR login failed password={LOG_PW} user=bob\n"
        f"ERROR push failed token={GH_TOKEN}\n"
        f"ERROR upstream said key {API_KEY}\n", encoding="utf-8")
    (root / ".gitignore").write_text("reports/\n.truthgate_cache/\n", encoding="utf-8")
    _git(root, "init", "-q")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init")
    return root


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("UNSET_SECRET",)}
    env.update(API_KEY=API_KEY, BASIC_PW=BASIC_PW, BASIC_USER="tg", NO_COLOR="1",
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@t")
    env.pop("CI", None)
    return env


def _truthgate(repo: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-c", "from truthgate.cli.main import run; run()", *args],
        cwd=repo, env=_env(), capture_output=True, text=True, input=stdin, timeout=120)
    assert "Traceback" not in done.stderr, f"exit {done.returncode}: traceback on stderr"
    return done


FORMATS = ("text", "json", "sarif", "junit", "github", "markdown", "html")


def _sweep(outputs: dict[str, str]) -> list[tuple[str, str, str, int]]:
    return [(name, ch, what, pos) for name, text in outputs.items()
            for ch, what, pos in leaks(text)]


def _run_all_formats(repo: Path, tag: str, *cmd: str) -> dict[str, str]:
    """Every stdout format and every --out file of one command, by name."""
    out_dir = repo / "reports" / tag
    outs = [a for fmt in FORMATS for a in ("--out", f"{fmt}:{out_dir / fmt}")]
    outputs: dict[str, str] = {}
    for fmt in FORMATS:
        extra = outs if fmt == "text" else []
        done = _truthgate(repo, *cmd, "--format", fmt, *extra)
        assert done.returncode in (0, 1), f"{tag} {fmt}: exit {done.returncode}"
        outputs[f"{tag} stdout {fmt}"] = done.stdout
        outputs[f"{tag} stderr {fmt}"] = done.stderr
    for fmt in FORMATS:
        outputs[f"{tag} --out {fmt}"] = (out_dir / fmt).read_text(encoding="utf-8")
    return outputs


def test_the_sweep_itself_finds_every_canary() -> None:
    """The detector is not blind: each canary, each encoding and a cut copy are found."""
    for canary in CANARIES:
        for form in forms(canary.value):
            assert leaks(f"xx {form} yy"), canary.channel
        assert leaks(f"xx {canary.value[:-2]}"), canary.channel
        assert leaks(f"{canary.value[3:]} yy"), canary.channel
    assert not leaks("verify: FAILED — 3 findings in 2 of 2 invariants; Authorization: ***")


def test_smoke_outputs_hold_no_canary(repo: Path, server: str) -> None:
    url = f"http://tg:{quote(URL_PW, safe='')}@{server}"
    outputs = _run_all_formats(repo, "smoke", "smoke", "-u", url, "--record")
    # The exchanges were recorded (failed steps keep headers and bodies): the echoes and the
    # leaked error page really reached the report, masked.
    assert '"x-echo-auth"' in outputs["smoke --out json"]
    cycles = sorted((repo / "reports" / "cycles").glob("*.json"))
    assert cycles, "no cycle was recorded"
    outputs.update({f"cycle {p.name}": p.read_text(encoding="utf-8") for p in cycles})
    page = _truthgate(repo, "report", "html")
    outputs["report html"] = page.stdout
    assert page.returncode == 0 and "<html" in page.stdout.lower()
    listing = _truthgate(repo, "report", "show")
    outputs["report show"] = listing.stdout + listing.stderr
    assert _sweep(outputs) == []


def test_verify_outputs_hold_no_canary(repo: Path) -> None:
    outputs = _run_all_formats(repo, "verify", "verify", "--no-cache")
    # The committed secrets were found (so the snippets quoting them were written) ...
    assert "hard-coded secret assigned to API_KEY" in outputs["verify stdout text"]
    assert "real-looking value" in outputs["verify stdout text"]
    # ... and named by a partial display a reader can match across findings.
    assert f"…({len(COMMITTED)} chars, #" in outputs["verify --out markdown"]
    base = repo / "reports" / "verify-baseline.json"
    _truthgate(repo, "verify", "--no-cache", "--write-baseline", str(base))
    outputs["baseline"] = base.read_text(encoding="utf-8")
    assert _sweep(outputs) == []


def test_logs_outputs_hold_no_canary(repo: Path) -> None:
    outputs = _run_all_formats(repo, "logs", "logs", "app.log")
    assert "ERROR login failed" in outputs["logs stdout text"]
    piped = _truthgate(repo, "logs", "-", "--format", "github",
                       stdin=(repo / "app.log").read_text(encoding="utf-8"))
    outputs["logs - github"] = piped.stdout + piped.stderr
    assert _sweep(outputs) == []


def test_release_tag_message_and_cycle_hold_no_canary(
        tmp_path: Path, server: str) -> None:
    root = tmp_path / "rel"
    (root / "product").mkdir(parents=True)
    text = CONTRACT.replace("HOST", server).replace("DEFAULT", DEFAULT)
    text = text[: text.index("  scenarios:")] + RELEASE_CONTRACT_SMOKE
    (root / "product" / "truth.yaml").write_text(text, encoding="utf-8")
    (root / "app.py").write_text('import os\nA = os.environ["API_KEY"]\n', encoding="utf-8")
    (root / ".env.example").write_text("API_KEY=\nBASIC_PW=\n", encoding="utf-8")
    (root / ".gitignore").write_text("reports/\n.truthgate_cache/\n", encoding="utf-8")
    _git(root, "init", "-q")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init")
    # The definition of done counts recorded runs, not the release's own: one green smoke.
    first = _truthgate(root, "smoke", "-t", "local", "--record")
    assert first.returncode == 0, "the /ok scenario should pass"
    done = _truthgate(root, "release", "--tag", "v0.1.0", "--format", "markdown")
    outputs = {"release stdout": done.stdout, "release stderr": done.stderr,
               "smoke stdout": first.stdout, "smoke stderr": first.stderr}
    outputs.update({f"cycle {p.name}": p.read_text(encoding="utf-8")
                    for p in sorted((root / "reports" / "cycles").glob("*.json"))})
    if done.returncode == 0:
        outputs["tag message"] = _git(root, "cat-file", "-p", "v0.1.0")
    assert _sweep(outputs) == []
    assert done.returncode == 0, "the release should be green and tagged"


def test_pytest_plugin_output_holds_no_canary(repo: Path, server: str) -> None:
    url = f"http://tg:{quote(URL_PW, safe='')}@{server}"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--truth-smoke", url,
         "--truth-contract", "product/truth.yaml", "--junitxml", "plugin.xml", "-rA"],
        cwd=repo, env=_env(), capture_output=True, text=True, timeout=180)
    assert done.returncode == 1, f"exit {done.returncode}: the echo server fails every step"
    outputs = {"plugin stdout": done.stdout, "plugin stderr": done.stderr,
               "plugin junit": (repo / "plugin.xml").read_text(encoding="utf-8")}
    assert "S1" in done.stdout
    assert _sweep(outputs) == []
