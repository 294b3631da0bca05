"""Secrets never leak, credentials never cross hosts, unsafe scenarios stay in their lane."""

from __future__ import annotations

import pytest

from truthgate.model import Outcome
from truthgate.smoke.runner import SmokeUsageError, run_smoke
from truthgate.smoke.template import TemplateError, render, render_value

from .conftest import make_contract
from .service import ADMIN_TOKEN, State, serve

ENV = {"ADMIN_TOKEN": ADMIN_TOKEN}


def test_canary_secret_never_in_report(service: tuple[str, State]) -> None:
    url, _ = service
    text = """
scenarios:
  - id: A
    steps:
      - request: {path: /admin, auth: {bearer_env: ADMIN_TOKEN}}
        expect: {status: 200}
      - request: {path: /seen-headers, headers: {X-Echo: "${ADMIN_TOKEN}"}}
        expect: {status: 500}
  - {id: L, kind: error_leak, params: {requests: [{path: /echo-secret}]}}
  - id: B
    steps:
      - request: {path: /admin, auth: {bearer_env: ADMIN_TOKEN}}
        expect: {status: 201}
"""
    report = run_smoke(make_contract(text, secrets=("ADMIN_TOKEN",)), base_url=url,
                       environ=ENV)
    a, leak, b = report.scenarios
    assert a.outcome is Outcome.FAIL  # the second step's status, with the echo in the body
    assert leak.outcome is Outcome.FAIL
    assert any("secret env var" in f for f in leak.all_failures())
    assert ADMIN_TOKEN not in repr(report)
    # A failed step keeps its whole exchange, credentials masked...
    assert ("Authorization", "***") in b.steps[0].exchange.request_headers  # type: ignore[union-attr]
    assert "***" in a.steps[1].exchange.response_body  # type: ignore[union-attr]
    # ...a passing one only what was asked and how it went.
    passed = a.steps[0].exchange
    assert passed is not None and (passed.method, passed.status) == ("GET", 200)
    assert passed.request_headers == () and passed.response_body == ""


def test_an_api_key_auth_is_masked_wherever_it_is_declared(service: tuple[str, State]) -> None:
    url, _ = service
    key = "k3y-" + "7" * 20
    # API_KEY is not declared secret in the contract's env: reading it from an auth block
    # makes it one, and its header is masked like Authorization. The block sits inside a
    # kind's params here, where only a walk of the whole scenario finds it; P echoes it.
    text = """
scenarios:
  - id: P
    steps:
      - request: {path: /seen-headers, headers: {X-Echo: "${OTHER}"},
                  auth: {header: X-Api-Key, value_env: API_KEY}}
        expect: {status: 201}
  - id: L
    kind: error_leak
    params: {requests: [{path: /seen-headers, auth: {header: X-Other-Key, value_env: OTHER}}]}
"""
    report = run_smoke(make_contract(text), base_url=url,
                       environ={"API_KEY": key, "OTHER": key[::-1]})
    plain = report.scenarios[0]
    assert plain.outcome is Outcome.FAIL  # 200, not 201: the exchange is kept, masked
    exchange = plain.steps[0].exchange
    assert exchange is not None and ("X-Api-Key", "***") in exchange.request_headers
    assert key not in repr(report) and key[::-1] not in repr(report)
    assert "***" in exchange.response_body  # the echo of the key


def test_redirect_to_other_host_drops_credentials() -> None:
    with serve() as (url_a, _), serve() as (url_b, state_b):
        other = url_b.replace("127.0.0.1", "localhost") + "/seen-headers"
        text = f"""
scenarios:
  - id: R
    steps:
      - request:
          path: /redirect
          headers: {{X-Redirect-To: "{other}", Cookie: "sid=abc123"}}
          auth: {{bearer_env: ADMIN_TOKEN}}
        expect: {{status: 200}}
"""
        report = run_smoke(make_contract(text), base_url=url_a, environ=ENV)
    assert report.scenarios[0].outcome is Outcome.PASS, report.scenarios[0]
    seen = {k.lower() for k in state_b.last_headers}
    assert "authorization" not in seen and "cookie" not in seen
    assert "x-redirect-to" in seen  # ordinary headers still travel


def test_same_host_redirect_keeps_credentials(service: tuple[str, State]) -> None:
    url, state = service
    text = """
scenarios:
  - id: R
    steps:
      - request: {path: /redirect, headers: {X-Redirect-To: /seen-headers},
                  auth: {bearer_env: ADMIN_TOKEN}}
        expect: {status: 200}
"""
    run_smoke(make_contract(text), base_url=url, environ=ENV)
    assert state.last_headers.get("Authorization") == f"Bearer {ADMIN_TOKEN}"


UNSAFE = """
targets:
  prod: {base_url: "URL", production: true}
  local: {base_url: "URL2"}
scenarios:
  - {id: W, kind: fast_ack, unsafe: true, params: {request: {path: /webhook, json: {update_id: 1}}}}
  - {id: H, kind: health, modes: [ACTIVE], tags: [core]}
"""


def test_unsafe_needs_flag_and_production_refuses(service: tuple[str, State]) -> None:
    url, state = service
    c = make_contract(UNSAFE.replace("URL2", url + "/").replace("URL", url))
    # Another origin (port 1: nothing listens) is not production: only the flag is missing.
    plain = run_smoke(c, base_url="http://127.0.0.1:1/x", environ={})
    assert plain.scenarios[0].outcome is Outcome.SKIPPED
    assert "--allow-unsafe" in plain.scenarios[0].skip_reason
    # A path below the production origin is production.
    below = run_smoke(c, base_url=url + "/x", allow_unsafe=True, environ={})
    assert "production" in below.scenarios[0].skip_reason
    prod = run_smoke(c, target="prod", allow_unsafe=True, environ={})
    assert prod.scenarios[0].outcome is Outcome.SKIPPED
    assert "production" in prod.scenarios[0].skip_reason
    # The production URL typed by hand is still production.
    typed = run_smoke(c, base_url=url, allow_unsafe=True, environ={})
    assert typed.scenarios[0].outcome is Outcome.SKIPPED
    assert state.processed == 0


def test_mode_and_tag_skip(service: tuple[str, State]) -> None:
    url, _ = service
    c = make_contract(UNSAFE.replace("URL", url))
    by_mode = run_smoke(c, base_url=url, mode="PASSIVE", environ={})
    assert by_mode.scenarios[1].outcome is Outcome.SKIPPED
    by_tag = run_smoke(c, base_url=url, tags=("other",), environ={})
    assert by_tag.scenarios[1].outcome is Outcome.SKIPPED
    ok = run_smoke(c, base_url=url, mode="active", tags=("core",), environ={})
    assert ok.scenarios[1].outcome is Outcome.PASS


def test_usage_errors(service: tuple[str, State]) -> None:
    url, _ = service
    c = make_contract(UNSAFE.replace("URL", url))
    with pytest.raises(SmokeUsageError, match="no base URL"):
        run_smoke(c, environ={})
    with pytest.raises(SmokeUsageError, match="unknown target"):
        run_smoke(c, target="staging", environ={})
    with pytest.raises(SmokeUsageError, match="unknown scenario"):
        run_smoke(c, base_url=url, scenario_ids=("S99",), environ={})
    env_url = make_contract("base_url: '${APP_URL}'\n" + UNSAFE.replace("URL", url))
    with pytest.raises(SmokeUsageError, match="APP_URL"):
        run_smoke(env_url, environ={})
    assert run_smoke(env_url, environ={"APP_URL": url}, scenario_ids=("H",)).passed


def test_steps_capture_templates_and_poll(service: tuple[str, State]) -> None:
    url, _ = service
    text = """
base_url: "${APP_URL:-http://127.0.0.1:1}"
scenarios:
  - id: P
    steps:
      - name: read counter
        request: {path: /stats}
        expect: {status: 200, json: [{query: processed, type: integer}]}
        capture: {before: processed}
      - request: {method: POST, path: /webhook, json: {update_id: "${run_id}-${uuid}"}}
        expect: {status: [200, 202], headers: {present: [X-Frame-Options]}}
      - request: {path: /stats}
        poll: {until_s: 5, interval_ms: 20}
        expect: {json: [{query: processed, equals: 1}], body_regex: ["processed"]}
"""
    report = run_smoke(make_contract(text), environ={"APP_URL": url}, allow_unsafe=True)
    res = report.scenarios[0]
    assert res.outcome is Outcome.PASS, res
    assert len(res.steps) == 3 and len(res.latencies_ms) == 3


def test_failed_step_says_expected_and_actual(service: tuple[str, State]) -> None:
    url, _ = service
    text = """
scenarios:
  - id: F
    steps:
      - request: {path: /health}
        expect: {status: 201, json: [{query: status, equals: down}]}
      - request: {path: /never-reached}
"""
    res = run_smoke(make_contract(text), base_url=url, environ={}).scenarios[0]
    assert res.outcome is Outcome.FAIL and len(res.steps) == 1
    assert "status: expected 201, got 200" in res.all_failures()[0]
    assert any("expected \"down\", got \"ok\"" in f for f in res.all_failures())


def test_templates() -> None:
    env = {"HOST": "h", "EMPTY": ""}
    assert render("${HOST}:${PORT:-80}/$${x}", {}, env) == "h:80/${x}"
    assert render("${EMPTY:-d}", {}, env) == "d"
    assert render_value({"id": "${n}", "s": "n=${n}"}, {"n": 42}, {}) == {"id": 42, "s": "n=42"}
    with pytest.raises(TemplateError, match="NOPE"):
        render("${NOPE}", {}, env)
