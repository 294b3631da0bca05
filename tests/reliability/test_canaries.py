"""Issue 5, part 4: a secret canary appears in zero bytes of any output, even on failure.

A unique canary is put in every secret env var the contracts declare and, through templates
and auth blocks, in Authorization, Cookie and X-Api-Key headers, a query string and a JSON
body. Every command that exists runs in every output format, with ``--out`` files; stdout,
stderr and each written file are scanned for the canary and for any 12-character window of
it (a truncated secret is still a leak).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from truthgate.cli.main import app

from .hostile_server import Server, hostile
from .trees import healthy

REPO = Path(__file__).resolve().parents[2]
DEMO_CONTRACT = REPO / "examples" / "demo" / "product" / "truth.yaml"
FORMATS = ("text", "json", "sarif", "junit", "github", "markdown")
WINDOW = 12


def canary() -> str:
    return "cnry" + secrets.token_hex(14)


def leaks(blob: bytes | str, secret: str) -> list[str]:
    """Every WINDOW-long piece of ``secret`` found in ``blob``."""
    text = blob.decode("utf-8", "replace") if isinstance(blob, bytes) else blob
    return sorted({secret[i:i + WINDOW] for i in range(len(secret) - WINDOW + 1)
                   if secret[i:i + WINDOW] in text})


def run(args: list[str], env: dict[str, str], out_dir: Path, secret: str,
        formats: tuple[str, ...] = FORMATS) -> list[int]:
    """``truthgate ARGS`` once per stdout format, each with every --out file; scan it all."""
    codes = []
    for fmt in formats:
        outs = [a for f in FORMATS for a in ("--out", f"{f}:{out_dir / f'{args[0]}-{fmt}.{f}'}")]
        result = CliRunner().invoke(app, [*args, "--format", fmt, *outs], env=env)
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            repr(result.exception)
        streams = result.stdout + (result.stderr if result.stderr_bytes is not None else "")
        assert not leaks(streams, secret), (args, fmt, leaks(streams, secret))
        codes.append(result.exit_code)
    for path in out_dir.iterdir():
        assert not leaks(path.read_bytes(), secret), (path.name, leaks(path.read_bytes(), secret))
    return codes


SMOKE = """\
version: 1
product: {name: canary}
entrypoint: {path: app.py}
env:
  required: [{name: APP_TOKEN, secret: true}, {name: DEMO_ADMIN_TOKEN, secret: true}]
invariants: []
smoke:
  targets:
    userinfo: {base_url: "http://svc:${APP_TOKEN}@127.0.0.1:1"}
  scenarios:
    - id: ECHO
      name: A server that reflects every credential back, and fails
      steps:
        - request:
            method: POST
            path: /echo
            query: {token: "${APP_TOKEN}"}
            headers: {Cookie: "sid=${APP_TOKEN}", X-Api-Key: "${DEMO_ADMIN_TOKEN}",
                      X-Plain: "token=${APP_TOKEN}"}
            auth: {bearer_env: APP_TOKEN}
            json: {token: "${APP_TOKEN}", nested: ["${DEMO_ADMIN_TOKEN}"]}
          expect: {status: 200, body_contains: ["${APP_TOKEN}-never"],
                   json: [{query: you_sent.Authorization, equals: "nope"}]}
    - {id: LEAK, kind: error_leak, params: {requests: [{path: /leak}]}}
    - id: BASIC
      steps:
        - request: {path: /basic, auth: {basic_user_env: APP_TOKEN, basic_password_env: APP_TOKEN}}
          expect: {status: 201}
"""


@pytest.fixture
def secret_env() -> Iterator[tuple[str, dict[str, str]]]:
    value = canary()
    yield value, {"APP_TOKEN": value, "DEMO_ADMIN_TOKEN": value, "NO_COLOR": "1"}


@pytest.fixture
def reflector(tmp_path: Path) -> Iterator[Server]:
    with hostile("reflect", tmp_path, arg="500") as srv:
        yield srv


def test_validate(tmp_path: Path, secret_env: tuple[str, dict[str, str]]) -> None:
    value, env = secret_env
    contract = tmp_path / "truth.yaml"
    contract.write_text(SMOKE)
    broken = tmp_path / "broken.yaml"
    broken.write_text(SMOKE.replace("version: 1", "version: 2"))
    for path in (DEMO_CONTRACT, contract, broken):
        result = CliRunner().invoke(app, ["validate", str(path)], env=env)
        assert result.exit_code in (0, 2)
        assert not leaks(result.output, value)


def test_smoke_against_a_reflecting_server(tmp_path: Path, reflector: Server,
                                           secret_env: tuple[str, dict[str, str]]) -> None:
    value, env = secret_env
    (tmp_path / "product").mkdir()
    contract = tmp_path / "product" / "truth.yaml"
    contract.write_text(SMOKE)
    out = tmp_path / "out"
    out.mkdir()
    codes = run(["smoke", "-c", str(contract), "-u", reflector.url, "--allow-unsafe"], env,
                out, value)
    assert set(codes) == {1}
    # The server really received the secret, so the masking above was really tested.
    received = reflector.requests()
    assert any(value in r["headers"].get("Authorization", "") for r in received)
    # A transport error whose URL carries the secret as user:password.
    out2 = tmp_path / "out2"
    out2.mkdir()
    codes = run(["smoke", "-c", str(contract), "-t", "userinfo", "-s", "ECHO"], env, out2,
                value, formats=("text", "json"))
    assert set(codes) == {1}


def test_verify_including_a_committed_secret(tmp_path: Path,
                                             secret_env: tuple[str, dict[str, str]]) -> None:
    value, env = secret_env
    root = tmp_path / "repo"
    root.mkdir()
    healthy(root)
    out = tmp_path / "out"
    out.mkdir()
    codes = run(["verify", "-c", str(root / "product" / "truth.yaml"), "--no-cache"], env,
                out, value)
    assert set(codes) == {0}
    # A failing run: the code reads the secret with a hard-coded default elsewhere, and a
    # debug print. The literal is the repository's own text; the env var holds the same.
    (root / "app" / "leak.py").write_text(
        'import os\nTOKEN = os.environ.get("OTHER", "unrelated-default-value")\n')
    out2 = tmp_path / "out2"
    out2.mkdir()
    codes = run(["verify", "-c", str(root / "product" / "truth.yaml"), "--no-cache"], env,
                out2, value)
    assert set(codes) == {1}


def test_secret_cut_by_body_truncation_is_still_masked(
        tmp_path: Path, secret_env: tuple[str, dict[str, str]]) -> None:
    value, env = secret_env
    text = (
        "version: 1\nproduct: {name: cut}\nentrypoint: {path: app.py}\n"
        "env: {required: [{name: APP_TOKEN, secret: true}]}\ninvariants: []\n"
        "smoke:\n  scenarios:\n    - id: CUT\n      steps:\n"
        "        - request: {path: /x, headers: {X-Pad: 'PAD'}, auth: {bearer_env: APP_TOKEN}}\n"
        "          expect: {status: 200}\n")
    (tmp_path / "product").mkdir()
    contract = tmp_path / "product" / "truth.yaml"
    with hostile("reflect", tmp_path, arg="500") as srv:
        # The body is {"you_sent": {..., "X-Pad": "<pad>", "Authorization": "Bearer <value>"..
        # Grow the pad until the secret straddles the 4096-character cut.
        for pad in range(3840, 3960, 29):  # a step below the canary length: one straddles
            contract.write_text(text.replace("PAD", "p" * pad))
            result = CliRunner().invoke(app, ["smoke", "-c", str(contract), "-u", srv.url,
                                              "-f", "json"], env=env)
            assert not leaks(result.output, value), (pad, leaks(result.output, value))


def test_demo_with_faults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                          secret_env: tuple[str, dict[str, str]]) -> None:
    """The demo makes its own admin token: pin it to the canary, with leaky faults on."""
    value, env = secret_env
    monkeypatch.setattr(secrets, "token_urlsafe", lambda n=None: value)
    out = tmp_path / "out"
    out.mkdir()
    # One stdout format (the demo is slow: two service processes); --out writes all six.
    codes = run(["demo", "--faults", "error_leak,auth_open"], env, out, value,
                formats=("markdown",))
    assert set(codes) == {1}


AFTER_DEPLOY = """\
observability:
  error_loop_limit: 3
  forbidden_log_patterns:
    - {name: traceback, regex: 'Traceback \\(most recent call last\\)', max: 0}
    - {name: auth-header, regex: 'Authorization', max: 0}
release:
  checklist:
    - {name: Logs are clean, run: logs}
    - {name: Smoke, run: smoke}
    - {name: Definition of done, run: dod}
  definition_of_done: {consecutive_green_cycles: 1}
  cycles_dir: reports/cycles
"""


def test_logs_report_and_release_dry_run(tmp_path: Path, reflector: Server,
                                         secret_env: tuple[str, dict[str, str]]) -> None:
    """The after-deploy commands: the log gate, a release dry run, and every report view."""
    value, env = secret_env
    root = tmp_path / "repo"
    (root / "product").mkdir(parents=True)
    (root / "app.py").write_text("print('hi')\n")
    contract = root / "product" / "truth.yaml"
    contract.write_text(SMOKE + AFTER_DEPLOY)
    log = tmp_path / "deploy.log"
    # A token no env var holds: masked by its form (a logged header), not by its value.
    foreign = canary()
    lines = [f"GET /api Authorization: Bearer {value}",
             f"GET /api Authorization: Bearer {foreign}", f"Cookie: sid={foreign}",
             "Traceback (most recent call last):",
             f'  File "app.py", line 3, in <module> token={value}',
             *[f"ERROR db login failed password={value}"] * 5]
    log.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    out.mkdir()
    codes = run(["logs", str(log), "-c", str(contract), "--record"], env, out, value)
    assert set(codes) == {1}
    assert [p.name for p in out.iterdir() if leaks(p.read_bytes(), foreign)] == []
    assert any(b"Authorization: ***" in p.read_bytes() for p in out.iterdir())
    codes = run(["smoke", "-c", str(contract), "-u", reflector.url, "--allow-unsafe",
                 "--record"], env, out, value, formats=("json",))
    assert set(codes) == {1}
    # The release stops at the red log gate; a second run (logs fixed) at the red smoke.
    for log_file in (log, tmp_path / "clean.log"):
        (tmp_path / "clean.log").write_text("INFO all good\n")
        for fmt in ("text", "markdown"):
            result = CliRunner().invoke(app, [
                "release", "-c", str(contract), "--dry-run", "--logs", str(log_file),
                "-u", reflector.url, "--format", fmt], env=env)
            assert result.exit_code == 1, result.output
            assert not leaks(result.output, value), (fmt, leaks(result.output, value))
    cycles = root / "reports" / "cycles"
    assert len(list(cycles.glob("*.json"))) >= 6  # logs x6, smoke, releases x4
    html = tmp_path / "trend.html"
    for args in (["list"], ["show", "1"], ["show", "2", "--format", "markdown"],
                 ["diff", "1", "2"], ["trend"], ["html", "--out", str(html)]):
        result = CliRunner().invoke(app, ["report", *args, "-c", str(contract)], env=env)
        assert result.exit_code == 0, (args, result.output)
        assert not leaks(result.output, value), (args, leaks(result.output, value))
    for path in [*cycles.rglob("*"), html]:
        if path.is_file():
            assert not leaks(path.read_bytes(), value), (path.name, leaks(path.read_bytes(),
                                                                          value))
