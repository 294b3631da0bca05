"""Pure pieces of the demo: JSON depth scan, payload rules, rate limiter, config."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from truthgate.demo.config import DemoConfig, config_from_env, make_config
from truthgate.demo.payload import BadInput, nesting_depth, parse_json_body, parse_update
from truthgate.demo.state import IdempotencyStore, RateLimiter

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=20,
)


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


# No per-example deadline: wall-clock limits flake on a loaded CI machine.
@settings(deadline=None)
@given(json_values)
def test_nesting_depth_matches_the_parsed_structure(value: object) -> None:
    assert nesting_depth(json.dumps(value)) == _depth(value)


def test_nesting_depth_ignores_brackets_in_strings() -> None:
    assert nesting_depth(json.dumps({"a": "[[[{{{", "b": "\\\"[["})) == 1


@settings(deadline=None)
@given(st.binary(max_size=200))
def test_parse_json_body_only_ever_raises_bad_input(data: bytes) -> None:
    try:
        parse_update(parse_json_body(data, "application/json", 32))
    except BadInput as bad:
        assert 400 <= bad.status < 500


def test_parse_update_rules() -> None:
    assert parse_update({"update_id": 5, "message": "m"}).update_id == 5
    for bad in ({"update_id": True, "message": "m"}, {"update_id": 1.5, "message": "m"},
                {"update_id": 2**64, "message": "m"}, {"update_id": 1}, [], "x"):
        with pytest.raises(BadInput):
            parse_update(bad)


def test_media_type_variants() -> None:
    assert parse_json_body(b"{}", "application/vnd.api+json", 32) == {}
    with pytest.raises(BadInput) as exc:
        parse_json_body(b"{}", "application/x-www-form-urlencoded", 32)
    assert exc.value.status == 415


def test_rate_limiter_refills_over_time() -> None:
    limiter = RateLimiter(rate=2)
    assert limiter.acquire("a", now=0.0) == 0.0
    assert limiter.acquire("a", now=0.0) == 0.0
    wait = limiter.acquire("a", now=0.0)
    assert wait == pytest.approx(0.5)
    assert limiter.retry_after(wait) == "1"
    assert limiter.acquire("b", now=0.0) == 0.0  # buckets are per client
    assert limiter.acquire("a", now=0.6) == 0.0


def test_idempotency_store_is_bounded() -> None:
    store = IdempotencyStore(capacity=2)
    assert store.first_time("a") and store.first_time("b") and store.first_time("c")
    assert len(store) == 2
    assert store.first_time("a")  # the oldest key was forgotten


def test_config_from_env() -> None:
    cfg = config_from_env({"DEMO_FAULTS": "slow, storage", "DEMO_MODE": "passive",
                           "DEMO_STARTUP_DELAY_S": "1.5", "DEMO_ALLOWED_ORIGINS": "https://a/,"})
    assert cfg.faults == {"slow", "storage"} and cfg.mode == "PASSIVE"
    assert cfg.startup_delay_s == 1.5 and cfg.allowed_origins == ("https://a",)
    assert config_from_env({}).allowed_origins == ("http://localhost:3000",)


def test_cold_start_fault_stretches_readiness() -> None:
    assert make_config(["cold_start"], startup_delay_s=0.1).readiness_delay_s >= 2
    assert make_config(startup_delay_s=0.1).readiness_delay_s == 0.1
    with pytest.raises(ValueError):
        DemoConfig(rate_limit_per_s=0)
