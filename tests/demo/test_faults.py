"""Each fault switch plants exactly the defect it names (seen over real HTTP)."""

from __future__ import annotations

import time

import httpx
import pytest

from truthgate.demo.faults import COLD_START_DELAY_S, FAULTS, SLOW_DELAY_S, parse_faults

from .conftest import ALLOWED_ORIGIN, FOREIGN_ORIGIN, ServeFn, post_json


def test_every_fault_has_a_test_below() -> None:
    prefix = "test_fault_"
    tested = {name.removeprefix(prefix) for name in globals() if name.startswith(prefix)}
    assert tested == set(FAULTS)


def test_fault_health_schema(serve: ServeFn) -> None:
    with serve(["health_schema"]) as url:
        body = httpx.get(f"{url}/health").json()
        assert "version" not in body and body["status"] == "ok"


def test_fault_slow(serve: ServeFn) -> None:
    with serve(["slow"]) as url, httpx.Client(base_url=url, timeout=10) as c:
        for send in (lambda: c.get("/health"), lambda: c.get("/stats"),
                     lambda: c.post("/webhook", json={"update_id": 1, "message": "x"})):
            start = time.perf_counter()
            assert send().status_code == 200
            assert time.perf_counter() - start >= SLOW_DELAY_S * 0.9


def test_fault_storage(serve: ServeFn) -> None:
    with serve(["storage"]) as url:
        body = httpx.get(f"{url}/health").json()
        assert body["db"]["reachable"] is False and body["status"] == "degraded"


def test_fault_modes(serve: ServeFn) -> None:
    with serve(["modes"], mode="PASSIVE") as url:
        r = httpx.post(f"{url}/generate", json={"prompt": "x"})
        assert r.status_code == 200 and r.json()["mode"] == "PASSIVE"


def test_fault_idempotency(serve: ServeFn) -> None:
    with serve(["idempotency"]) as url, httpx.Client(base_url=url) as c:
        answers = [c.post("/webhook", json={"update_id": 9, "message": "x"}) for _ in range(3)]
        assert [a.json()["duplicate"] for a in answers] == [False] * 3
        assert c.get("/stats", params={"update_id": 9}).json()["processed"] == 3


def test_fault_crash(serve: ServeFn) -> None:
    with serve(["crash"]) as url, httpx.Client(base_url=url) as c:
        r = post_json(c, "/webhook", b"{")
        assert r.status_code == 500
        assert "Traceback (most recent call last)" in r.text
        # Valid input is still served: the fault is about bad input only.
        assert c.post("/webhook", json={"update_id": 1, "message": "x"}).status_code == 200


def test_fault_cold_start(serve: ServeFn) -> None:
    with serve(["cold_start"]) as url:
        r = httpx.get(f"{url}/health")
        assert r.status_code == 503 and r.json()["status"] == "starting"
        assert r.json()["ready_in_s"] > COLD_START_DELAY_S - 3


def test_fault_cors_wildcard(serve: ServeFn) -> None:
    with serve(["cors_wildcard"]) as url, httpx.Client(base_url=url) as c:
        foreign = c.get("/health", headers={"Origin": FOREIGN_ORIGIN})
        assert foreign.headers["access-control-allow-origin"] == FOREIGN_ORIGIN
        assert foreign.headers["access-control-allow-credentials"] == "true"
        anonymous = c.get("/health")
        assert anonymous.headers["access-control-allow-origin"] == "*"
        assert anonymous.headers["access-control-allow-credentials"] == "true"
        pre = c.options("/webhook", headers={"Origin": FOREIGN_ORIGIN,
                                             "Access-Control-Request-Method": "POST"})
        assert pre.status_code == 204


def test_fault_auth_open(serve: ServeFn) -> None:
    with serve(["auth_open"]) as url, httpx.Client(base_url=url) as c:
        assert c.get("/admin/stats").status_code == 200
        assert c.post("/mode", json={"mode": "PASSIVE"}).status_code == 200


def test_fault_no_rate_limit(serve: ServeFn) -> None:
    with serve(["no_rate_limit"], rate_limit_per_s=2) as url, httpx.Client(base_url=url) as c:
        assert {c.get("/limited").status_code for _ in range(10)} == {200}


def test_fault_no_security_headers(serve: ServeFn) -> None:
    with serve(["no_security_headers"]) as url:
        headers = httpx.get(f"{url}/health").headers
        for name in ("x-content-type-options", "x-frame-options", "referrer-policy",
                     "cache-control", "content-security-policy"):
            assert name not in headers


def test_fault_error_leak(serve: ServeFn) -> None:
    with serve(["error_leak"]) as url:
        r = httpx.get(f"{url}/debug/fail")
        assert r.status_code == 500
        assert "Traceback (most recent call last)" in r.text
        assert "api_key=sk_live_" in r.text and "postgres://app:" in r.text


def test_faults_combine(serve: ServeFn) -> None:
    with serve("storage,auth_open") as url, httpx.Client(base_url=url) as c:
        assert c.get("/health").json()["db"]["reachable"] is False
        admin = c.get("/admin/stats").json()
        assert admin["faults"] == ["auth_open", "storage"]


def test_unknown_fault_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown demo fault"):
        parse_faults("slow,slwo")


def test_cors_wildcard_fault_does_not_change_allowed_origin_answers(serve: ServeFn) -> None:
    with serve(["cors_wildcard"]) as url:
        r = httpx.get(f"{url}/health", headers={"Origin": ALLOWED_ORIGIN})
        assert r.headers["access-control-allow-origin"] == ALLOWED_ORIGIN
