"""The pure parts of the production rails: host spellings and routes marked unsafe."""

from __future__ import annotations

import asyncio

import pytest

from truthgate.smoke.client import TransportFailure
from truthgate.smoke.production import Rails, UnsafeRoute, canonical_host, is_production

LOOPBACK = ["127.0.0.1", "127.1", "2130706433", "0x7f.0.0.1", "0x7f000001", "017700000001",
            "0", "0.0.0.0", "[::1]", "::1", "[::ffff:127.0.0.1]", "[0:0:0:0:0:0:0:1]",
            "LOCALHOST", "localhost.", "api.localhost", "127.0.0.1.", "127.9.9.9"]


@pytest.mark.parametrize("host", LOOPBACK)
def test_every_loopback_spelling_is_one_host(host: str) -> None:
    assert canonical_host(host) == "loopback"


@pytest.mark.parametrize("host,canon", [("10.0.0.1", "10.0.0.1"), ("10.1", "10.0.0.1"),
                                        ("167772161", "10.0.0.1"),
                                        ("[::ffff:10.0.0.1]", "10.0.0.1"),
                                        ("Example.COM.", "example.com"),
                                        ("deadbeef", "deadbeef"), ("1e3", "1e3")])
def test_other_hosts_compare_by_address_or_name(host: str, canon: str) -> None:
    assert canonical_host(host) == canon


def test_production_is_host_and_port_whatever_the_scheme_or_path() -> None:
    prod = ["https://10.0.0.1:8443/api"]
    assert is_production("http://167772161:8443/x/../y", prod)
    assert not is_production("https://10.0.0.1/api", prod)  # port 443: another service
    assert not is_production("not a url", prod)


@pytest.mark.parametrize("method,path,hit", [
    ("GET", "/spend", True), ("HEAD", "/spend", True), ("GET", "/SPEND/", True),
    ("GET", "/api/spend", True), ("GET", "/a/../spend", True), ("GET", "/%73pend", True),
    ("GET", "//spend", True), ("POST", "/spend", False), ("GET", "/spender", False),
    ("GET", "/xspend", False), ("GET", "/spend/more", False)])
def test_unsafe_route_matching(method: str, path: str, hit: bool) -> None:
    assert UnsafeRoute.of("GET", "/spend").matches(method, path) is hit


def test_route_parameters_are_one_segment() -> None:
    route = UnsafeRoute.of("DELETE", "/items/{id}")
    assert route.matches("DELETE", "/items/42")
    assert not route.matches("DELETE", "/items/42/tags")
    assert not route.matches("DELETE", "/items")


def test_rails_refuse_writes_to_production_only() -> None:
    rails = Rails.build(["http://127.0.0.1:9000"], [("GET", "/spend", True),
                                                     ("POST", "/read", False)])

    async def check(method: str, url: str) -> str:
        try:
            await rails.check(method, url)
        except TransportFailure as exc:
            return exc.error_class
        return "sent"

    async def all_cases() -> list[str]:
        return [await check("POST", "http://127.1:9000/x"),
                await check("GET", "http://localhost:9000/spend"),
                await check("GET", "http://127.0.0.1:9000/health"),
                await check("POST", "http://127.0.0.1:9001/x"),
                await check("DELETE", "http://[::1]:9000/items/1")]

    assert asyncio.run(all_cases()) == ["production-refused", "production-refused", "sent",
                                        "sent", "production-refused"]
