"""Production targets are recognised by origin, whatever the spelling."""

from __future__ import annotations

import pytest

from truthgate.smoke.production import is_production, origin

PROD = "https://api.example.com"


@pytest.mark.parametrize("url", [
    "https://api.example.com",
    "https://api.example.com/",
    "HTTPS://API.EXAMPLE.COM/v1/health",
    "https://api.example.com:443/x",
    "https://api.example.com./",
])
def test_spellings_of_the_production_origin_are_production(url: str) -> None:
    assert is_production(url, [PROD])


@pytest.mark.parametrize("url", [
    "http://api.example.com",  # another scheme is another origin
    "https://api.example.com:8443",
    "https://staging.api.example.com",
    "https://api.example.com.evil.test",
    "not a url",
])
def test_other_origins_are_not_production(url: str) -> None:
    assert not is_production(url, [PROD])


@pytest.mark.parametrize("url", [
    "http://localhost:8000/x", "http://127.0.0.1:8000", "http://[::1]:8000",
    "http://127.0.0.2:8000", "http://0.0.0.0:8000",
])
def test_every_spelling_of_this_machine_is_one_host(url: str) -> None:
    assert is_production(url, ["http://127.0.0.1:8000/api"])
    assert not is_production(url, ["http://127.0.0.1:8001"])


def test_origin_is_none_for_a_relative_path() -> None:
    assert origin("/health") is None
    assert not is_production("/health", ["/health"])
