"""The healthy demo service, endpoint by endpoint, over real HTTP."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from .conftest import ALLOWED_ORIGIN, FOREIGN_ORIGIN, ServeFn, post_json

SECURITY = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


def test_health_reports_state(client: httpx.Client) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["mode"] == "ACTIVE"
    assert body["version"]
    assert body["uptime_s"] >= 0
    assert body["db"] == {"reachable": True, "migrations_applied": True}
    assert set(body["queue"]) == {"received", "processed", "depth"}


def test_security_headers_on_every_kind_of_answer(client: httpx.Client) -> None:
    for r in (client.get("/health"), client.get("/nope"), client.get("/debug/fail"),
              client.post("/health")):
        for name, value in SECURITY.items():
            assert r.headers.get(name) == value, (r.request.url, name)
        assert r.headers["content-type"].startswith("application/json")


def test_head_answers_without_body(client: httpx.Client) -> None:
    r = client.head("/health")
    assert r.status_code == 200 and r.content == b""


def test_webhook_is_idempotent_by_update_id(client: httpx.Client) -> None:
    update_id = time.monotonic_ns() % 2**62
    before = client.get("/stats").json()["processed"]
    first = client.post("/webhook", json={"update_id": update_id, "message": "hi"})
    again = [client.post("/webhook", json={"update_id": update_id, "message": "hi"})
             for _ in range(3)]
    assert first.status_code == 200 and first.json()["duplicate"] is False
    assert all(r.status_code == 200 and r.json()["duplicate"] is True for r in again)
    assert client.get("/stats").json()["processed"] - before == 1


def test_webhook_idempotency_key_header_wins(client: httpx.Client) -> None:
    key = f"key-{time.monotonic_ns()}"
    before = client.get("/stats").json()["processed"]
    a = client.post("/webhook", json={"update_id": 1, "message": "a"},
                    headers={"Idempotency-Key": key})
    b = client.post("/webhook", json={"update_id": 2, "message": "b"},
                    headers={"Idempotency-Key": key})
    assert a.json()["duplicate"] is False and b.json()["duplicate"] is True
    assert client.get("/stats").json()["processed"] - before == 1


def test_stats_per_key_and_per_update(client: httpx.Client) -> None:
    key, update_id = f"per-key-{time.monotonic_ns()}", time.monotonic_ns() % 2**62
    assert client.get("/stats", params={"key": key}).json()["processed"] == 0
    for _ in range(2):
        client.post("/webhook", json={"update_id": 1, "message": "x"},
                    headers={"Idempotency-Key": key})
        client.post("/webhook", json={"update_id": update_id, "message": "x"})
    assert client.get("/stats", params={"key": key}).json()["processed"] == 1
    assert client.get("/stats", params={"update_id": update_id}).json()["processed"] == 1
    assert client.get("/stats", params={"update_id": "abc"}).status_code == 422
    assert client.get("/stats", params={"update_id": "9" * 5000}).status_code == 422


def test_no_server_banner(client: httpx.Client) -> None:
    assert "server" not in client.get("/health").headers


def test_webhook_acknowledges_fast(client: httpx.Client) -> None:
    client.get("/health")  # warm the keep-alive connection
    # The best of a few: a loaded CI machine can stall any single request, the handler can't.
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        r = client.post("/webhook", json={"update_id": time.monotonic_ns(), "message": "x"})
        best = min(best, time.perf_counter() - start)
        assert r.status_code == 200
    assert best < 0.5


BAD_INPUTS = [
    ("invalid_json", b'{"update_id": 1,', "application/json", 400),
    ("empty", b"", "application/json", 400),
    ("wrong_content_type", b'{"update_id": 1, "message": "x"}', "text/plain", 415),
    ("no_content_type", b'{"update_id": 1, "message": "x"}', "", 415),
    ("oversized", b'{"p": "' + b"x" * (65 * 1024) + b'"}', "application/json", 413),
    ("deep_nesting", b"[" * 10000 + b"]" * 10000, "application/json", 422),
    ("wrong_types", b'{"update_id": "1", "message": 5}', "application/json", 422),
    ("bool_id", b'{"update_id": true, "message": "x"}', "application/json", 422),
    ("huge_id", b'{"update_id": 1' + b"0" * 30 + b', "message": "x"}', "application/json", 422),
    ("missing_fields", b"{}", "application/json", 422),
    ("not_an_object", b"[1, 2]", "application/json", 422),
    ("invalid_utf8", b'{"text": "\xff\xfe"}', "application/json", 400),
]


@pytest.mark.parametrize(("name", "body", "ctype", "status"), BAD_INPUTS,
                         ids=[b[0] for b in BAD_INPUTS])
def test_webhook_rejects_bad_input_cleanly(client: httpx.Client, name: str, body: bytes,
                                           ctype: str, status: int) -> None:
    r = post_json(client, "/webhook", body, ctype)
    assert r.status_code == status
    payload = r.json()
    assert set(payload) >= {"error", "detail"}
    assert "Traceback" not in r.text and 'File "' not in r.text
    assert client.get("/health").status_code == 200


def test_nesting_at_the_limit_is_accepted_as_json(client: httpx.Client) -> None:
    # 32 levels parse; the object is then refused for its shape (422), not its depth.
    r = post_json(client, "/webhook", b"[" * 32 + b"]" * 32)
    assert r.status_code == 422 and r.json()["error"] == "invalid_type"


def test_stats_counts_processed(client: httpx.Client) -> None:
    body = client.get("/stats").json()
    assert isinstance(body["processed"], int)


def test_admin_requires_bearer_token(client: httpx.Client, admin_token: str) -> None:
    none = client.get("/admin/stats")
    assert none.status_code == 401 and none.headers["www-authenticate"].startswith("Bearer")
    wrong = client.get("/admin/stats", headers={"Authorization": "Bearer not-the-token"})
    assert wrong.status_code == 403
    basic = client.get("/admin/stats", headers={"Authorization": f"Basic {admin_token}"})
    assert basic.status_code == 401
    ok = client.get("/admin/stats", headers={"Authorization": f"Bearer {admin_token}"})
    assert ok.status_code == 200 and ok.json()["faults"] == []
    assert admin_token not in ok.text


def test_admin_fails_closed_without_configured_token(serve: ServeFn) -> None:
    with serve(admin_token="") as url:
        r = httpx.get(f"{url}/admin/stats", headers={"Authorization": "Bearer anything"})
        assert r.status_code == 403


def test_modes_refuse_unsafe_in_passive(serve: ServeFn, admin_token: str) -> None:
    auth = {"Authorization": f"Bearer {admin_token}"}
    with serve() as url, httpx.Client(base_url=url) as c:
        active = c.post("/generate", json={"prompt": "a cat"})
        assert active.status_code == 200 and active.json()["result"]["text"]
        assert c.post("/mode", json={"mode": "PASSIVE"}).status_code == 401
        switched = c.post("/mode", json={"mode": "passive"}, headers=auth)
        assert switched.json() == {"mode": "PASSIVE", "previous": "ACTIVE"}
        assert c.get("/health").json()["mode"] == "PASSIVE"
        refused = c.post("/generate", json={"prompt": "a cat"})
        assert refused.status_code == 503 and refused.json()["error"] == "passive_mode"
        assert c.post("/mode", json={"mode": "SLEEPY"}, headers=auth).status_code == 422
        assert c.post("/mode", json={"mode": "ACTIVE"}, headers=auth).status_code == 200
        assert c.post("/generate").status_code == 200  # the body is optional


def test_service_can_start_passive(serve: ServeFn) -> None:
    with serve(mode="PASSIVE") as url:
        assert httpx.get(f"{url}/health").json()["mode"] == "PASSIVE"
        assert httpx.post(f"{url}/generate", json={}).status_code == 503


def test_generate_validates_its_body(client: httpx.Client) -> None:
    assert client.post("/generate", json={"prompt": 3}).status_code == 422
    assert post_json(client, "/generate", b"{", "application/json").status_code == 400


def test_cors_reflects_only_allowed_origins(client: httpx.Client) -> None:
    ok = client.get("/health", headers={"Origin": ALLOWED_ORIGIN})
    assert ok.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert ok.headers["access-control-allow-credentials"] == "true"
    assert "Origin" in ok.headers["vary"]
    foreign = client.get("/health", headers={"Origin": FOREIGN_ORIGIN})
    assert "access-control-allow-origin" not in foreign.headers
    assert "access-control-allow-credentials" not in foreign.headers


def test_cors_preflight(client: httpx.Client) -> None:
    pre = {"Access-Control-Request-Method": "POST"}
    ok = client.options("/webhook", headers={"Origin": ALLOWED_ORIGIN, **pre})
    assert ok.status_code == 204
    assert ok.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
    assert "POST" in ok.headers["access-control-allow-methods"]
    bad = client.options("/webhook", headers={"Origin": FOREIGN_ORIGIN, **pre})
    assert bad.status_code == 403
    assert "access-control-allow-origin" not in bad.headers
    plain = client.options("/health")
    assert plain.status_code == 204 and "GET" in plain.headers["allow"]


def test_cors_origins_from_env(serve: ServeFn, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEMO_ALLOWED_ORIGINS", "https://app.example, https://admin.example/")
    with serve(allowed_origins=None) as url:
        h = {"Origin": "https://admin.example"}
        assert httpx.get(f"{url}/health", headers=h).headers[
            "access-control-allow-origin"] == "https://admin.example"
        h = {"Origin": ALLOWED_ORIGIN}
        assert "access-control-allow-origin" not in httpx.get(f"{url}/health", headers=h).headers


def test_rate_limit_answers_429_with_retry_after(serve: ServeFn) -> None:
    # A slow rate, so that even a stalled test machine sends the burst faster than it refills.
    with serve(rate_limit_per_s=2) as url, httpx.Client(base_url=url) as c:
        answers = [c.get("/limited") for _ in range(10)]
        statuses = [r.status_code for r in answers]
        assert statuses[:2] == [200] * 2
        limited = [r for r in answers if r.status_code == 429]
        assert limited, statuses
        assert int(limited[0].headers["retry-after"]) >= 1
        assert limited[0].json()["error"] == "rate_limited"
        time.sleep(0.6)  # a token refills after 1/rate seconds
        assert c.get("/limited").status_code == 200


def test_deliberate_failure_is_a_clean_500(client: httpx.Client) -> None:
    r = client.get("/debug/fail")
    assert r.status_code == 500
    assert r.json()["error"] == "internal_error"
    assert "Traceback" not in r.text and "RuntimeError" not in r.text


def test_unknown_route_and_method(client: httpx.Client) -> None:
    missing = client.get("/nope")
    assert missing.status_code == 404 and missing.json()["error"] == "not_found"
    wrong = client.delete("/webhook")
    assert wrong.status_code == 405 and wrong.headers["allow"] == "POST"


def test_startup_delay_gates_readiness(serve: ServeFn) -> None:
    # Generous: on a loaded machine starting the server alone can take a second.
    with serve(startup_delay_s=2.5) as url, httpx.Client(base_url=url) as c:
        early = c.get("/health")
        assert early.status_code == 503 and early.json()["status"] == "starting"
        assert early.headers["retry-after"] == "1"
        assert c.post("/webhook", json={"update_id": 1, "message": "x"}).status_code == 503
        deadline = time.monotonic() + 5
        while c.get("/health").status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert c.post("/webhook", json={"update_id": 1, "message": "x"}).status_code == 200


def test_error_bodies_are_json(client: httpx.Client) -> None:
    for r in (client.get("/nope"), post_json(client, "/webhook", b"{")):
        json.loads(r.text)
