"""Issue 18: no unsafe request reaches a target marked production, however it is routed.

Each case runs the real CLI against real server processes on 127.0.0.1; the production
server's own request log is the evidence. "Unsafe" is what production must never receive:
a method other than GET/HEAD/OPTIONS, or a request to a route the contract marks
``unsafe: true`` (``GET /spend`` below). Every case asserts that number is 0.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from truthgate.cli.main import app

from .hostile_server import Server, hostile

CANARY = "cnry" + "5e1f" * 7  # a secret the staging run holds; never at production

HEAD = """\
version: 1
product: {name: rails}
entrypoint: {path: app.py}
invariants: []
env:
  optional:
    - {name: API_KEY, secret: true}
routes:
  - {method: GET, path: /health}
  - {method: GET, path: /spend, unsafe: true}
  - {method: POST, path: /generate, unsafe: true}
smoke:
  defaults: {timeout_s: 3}
  targets:
    prod: {base_url: "PROD_URL", production: true}
    staging: {base_url: "STAGING_URL"}
  scenarios:
"""


def write(tmp_path: Path, scenarios: str, prod: str, staging: str) -> Path:
    (tmp_path / "product").mkdir(exist_ok=True)
    path = tmp_path / "product" / "truth.yaml"
    text = (HEAD + scenarios).replace("PROD_URL", prod).replace("STAGING_URL", staging)
    path.write_text(text, encoding="utf-8")
    return path


def smoke(contract: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(app, ["smoke", "-c", str(contract), "-f", "json", *args],
                                env={"API_KEY": CANARY})
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in result.output
    assert CANARY not in result.output
    assert result.exit_code in (0, 1), result.output[-2000:]
    return result.exit_code, json.loads(result.output)


def unsafe_received(srv: Server) -> list[str]:
    """What production must never get: writing methods, and the routes marked unsafe."""
    return [f"{r['method']} {r['path']}" for r in srv.requests()
            if r["method"] not in ("GET", "HEAD", "OPTIONS")
            or r["path"].split("?")[0].rstrip("/") in ("/spend", "/generate")]


def outcomes(report: dict[str, Any]) -> dict[str, str]:
    return {s["id"]: s["outcome"] for s in report["scenarios"]}


WRITE = """\
    - id: W
      unsafe: true
      steps:
        - request: {method: POST, path: /generate, json: {prompt: x},
                    headers: {X-Api-Key: "${API_KEY}"}}
"""


@pytest.mark.parametrize("code", ["307", "308"])
def test_redirect_from_staging_never_carries_a_write_to_production(tmp_path: Path,
                                                                    code: str) -> None:
    with hostile("ok", tmp_path) as prod:
        with hostile("redirect-code", tmp_path, arg=f"{code} {prod.url}/generate") as staging:
            contract = write(tmp_path, WRITE, prod.url, staging.url)
            exit_code, report = smoke(contract, "-t", "staging", "--allow-unsafe")
            assert [r["method"] for r in staging.requests()] == ["POST"]
        received = prod.requests()
    assert unsafe_received(prod) == [], "a write crossed the redirect to production"
    assert received == [], "nothing at all may follow a 307/308 write to another origin"
    assert exit_code == 1
    scenario = report["scenarios"][0]
    assert scenario["outcome"] == "error" and scenario["error_class"] == "unsafe-redirect"


def test_cross_origin_redirect_delivers_no_credential(tmp_path: Path) -> None:
    text = """\
    - id: R
      steps:
        - request:
            path: /read
            headers: {X-Api-Key: "${API_KEY}", Cookie: "sid=${API_KEY}",
                      Proxy-Authorization: "Basic ${API_KEY}", X-Trace: "t-${API_KEY}",
                      X-Service-Token: "${API_KEY}", X-Ordinary: plain}
            auth: {header: X-Deploy-Pass, value_env: API_KEY}
    - id: B
      steps:
        - request: {method: GET, path: /read, body: "${API_KEY}",
                    auth: {bearer_env: API_KEY}}
"""
    with hostile("ok", tmp_path) as other:
        with hostile("redirect-code", tmp_path, arg=f"302 {other.url}/landed") as first:
            contract = write(tmp_path, text, "https://prod.invalid", first.url)
            smoke(contract, "-t", "staging")
        received = other.requests()
    assert len(received) == 2, "the redirects were not followed"
    for req in received:
        names = {k.lower() for k in req["headers"]}
        assert not names & {"authorization", "cookie", "proxy-authorization", "x-api-key",
                            "x-deploy-pass", "x-service-token", "x-trace"}, sorted(names)
        assert CANARY not in json.dumps(req), "a secret reached another origin"
        assert req["body"] == ""
    assert any("x-ordinary" in {k.lower() for k in r["headers"]} for r in received)


def test_absolute_url_to_production_is_refused(tmp_path: Path) -> None:
    text = """\
    - id: A
      unsafe: true
      steps:
        - request: {method: POST, url: "PROD_URL/generate", json: {prompt: x}}
    - id: D
      unsafe: true
      steps:
        - request: {method: DELETE, url: "PROD_URL/items/1"}
"""
    with hostile("ok", tmp_path) as prod, hostile("ok", tmp_path) as staging:
        contract = write(tmp_path, text, prod.url, staging.url)
        exit_code, report = smoke(contract, "-t", "staging", "--allow-unsafe")
    assert unsafe_received(prod) == []
    assert exit_code == 1
    for sc in report["scenarios"]:
        assert sc["outcome"] == "error" and sc["error_class"] == "production-refused", sc


SPELLINGS = ["http://127.1:{port}", "http://2130706433:{port}", "http://0x7f.0.0.1:{port}",
             "http://0:{port}", "http://017700000001:{port}", "http://0x7f000001:{port}",
             "http://[::ffff:127.0.0.1]:{port}", "http://127.0.0.1.:{port}",
             "http://LOCALHOST:{port}/x/.."]

UNMARKED = """\
    - id: U
      unsafe: true
      steps:
        - request: {method: POST, path: /generate, json: {prompt: x}}
    - id: N
      steps:
        - request: {method: POST, path: /other, json: {prompt: x}}
    - id: S
      steps:
        - request: {path: /spend}
    - id: H
      steps:
        - request: {path: /health}
"""


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_other_spellings_of_production_get_no_write(tmp_path: Path, spelling: str) -> None:
    with hostile("ok", tmp_path) as prod:
        contract = write(tmp_path, UNMARKED, prod.url, "http://127.0.0.1:1")
        url = spelling.format(port=prod.port)
        _, report = smoke(contract, "-u", url, "--allow-unsafe")
        received = prod.requests()
    assert unsafe_received(prod) == [], f"{url}: writes reached production"
    got = outcomes(report)
    assert got["H"] != "skipped" and got["U"] == got["N"] == got["S"] == "skipped", got
    assert all(r["method"] == "GET" for r in received)


@pytest.mark.parametrize("flags", [[], ["--allow-unsafe"]], ids=["no-flag", "allow-unsafe"])
def test_routes_marked_unsafe_are_refused_on_production(tmp_path: Path,
                                                        flags: list[str]) -> None:
    """No ``unsafe: true`` on the scenarios: the method and the contract's routes decide."""
    with hostile("ok", tmp_path) as prod:
        contract = write(tmp_path, UNMARKED, prod.url, "http://127.0.0.1:1")
        _, report = smoke(contract, "-t", "prod", *flags)
        received = prod.requests()
    assert unsafe_received(prod) == []
    got = outcomes(report)
    assert got == {"U": "skipped", "N": "skipped", "S": "skipped", "H": "pass"}, got
    skip = {s["id"]: s["skip_reason"] for s in report["scenarios"]}
    assert "GET /spend unsafe" in skip["S"] and "production" in skip["S"]
    assert [r["path"] for r in received] == ["/health"]


def test_a_staging_redirect_into_an_unsafe_route_of_production_is_refused(
        tmp_path: Path) -> None:
    """A GET is safe, but not to a route the contract marks unsafe, on production."""
    text = """\
    - id: S
      steps:
        - request: {path: /go}
"""
    with hostile("ok", tmp_path) as prod, \
            hostile("redirect-code", tmp_path, arg=f"302 {prod.url}/spend") as staging:
        contract = write(tmp_path, text, prod.url, staging.url)
        _, report = smoke(contract, "-t", "staging")
    assert unsafe_received(prod) == []
    assert report["scenarios"][0]["error_class"] == "production-refused"


MODES = """\
    - id: M
      kind: modes
      unsafe: true
      params:
        mode: ACTIVE
        probe: {path: PROBE, query: QUERY}
        unsafe: [{method: POST, path: /write, json: {prompt: x}}]
        unsafe_expect: served
"""


@pytest.mark.parametrize("behaviour,arg,query,expect_posts", [
    ("ok", "", "mode", 1),            # the probe confirms ACTIVE: the write is sent
    ("ok", "", "nothing_here", 0),    # the probe lacks the mode field
    ("status", "500", "mode", 0),     # the probe answers non-2xx
    ("status", "200", "mode", 0),     # 2xx, a body without the mode
])
def test_modes_sends_writes_only_after_the_mode_is_confirmed(
        tmp_path: Path, behaviour: str, arg: str, query: str, expect_posts: int) -> None:
    with hostile(behaviour, tmp_path, arg=arg) as srv:
        contract = write(tmp_path, MODES.replace("PROBE", "/health").replace("QUERY", query),
                         "https://prod.invalid", srv.url)
        exit_code, report = smoke(contract, "-t", "staging", "--allow-unsafe")
        posts = [r for r in srv.requests() if r["method"] == "POST"]
    assert len(posts) == expect_posts
    sc = report["scenarios"][0]
    if expect_posts:
        assert sc["outcome"] == "pass", sc
    else:
        # Issue 15: an unconfirmed mode is an unmet precondition, not this scenario's
        # failure: "not run" (not red by default), and still no write was sent.
        assert sc["outcome"] == "not_run" and exit_code == 0, sc
        assert sc["skip_reason"].startswith("precondition "), sc
        assert "not sent" in sc["skip_reason"], sc


def test_modes_with_unsafe_requests_needs_a_probe(tmp_path: Path) -> None:
    text = """\
    - id: M
      kind: modes
      unsafe: true
      params: {mode: ACTIVE, unsafe: [{method: POST, path: /write}]}
"""
    contract = write(tmp_path, text, "https://prod.invalid", "https://staging.invalid")
    result = CliRunner().invoke(app, ["validate", str(contract)])
    assert result.exit_code == 2, result.output
    assert "probe" in result.output and "Traceback" not in result.output
