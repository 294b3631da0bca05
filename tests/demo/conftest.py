"""Fixtures that run the demo service for real on 127.0.0.1 and talk to it with httpx."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import httpx
import pytest

from truthgate.demo.server import serve_demo

ALLOWED_ORIGIN = "http://localhost:3000"
FOREIGN_ORIGIN = "https://evil.example"


@pytest.fixture(scope="session")
def admin_token() -> str:
    # Generated per run: no credential-shaped literal lives in the test sources.
    return secrets.token_urlsafe(24)


@pytest.fixture(scope="module")
def healthy_url(admin_token: str) -> Iterator[str]:
    """One healthy service shared by a module's read-mostly tests."""
    with serve_demo(admin_token=admin_token, allowed_origins=[ALLOWED_ORIGIN]) as url:
        yield url


@pytest.fixture
def client(healthy_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=healthy_url, timeout=5.0) as c:
        yield c


ServeFn = Callable[..., AbstractContextManager[str]]


@pytest.fixture
def serve(admin_token: str) -> ServeFn:
    """Start a private service (faults/options given per test) as a context manager."""

    def start(faults: Any = (), **opts: Any) -> AbstractContextManager[str]:
        opts.setdefault("admin_token", admin_token)
        opts.setdefault("allowed_origins", [ALLOWED_ORIGIN])
        return serve_demo(faults, **opts)

    return start


def post_json(c: httpx.Client, path: str, body: bytes, ctype: str = "application/json",
              **headers: str) -> httpx.Response:
    """POST raw bytes with a chosen content type (httpx's json= would fix both)."""
    return c.post(path, content=body, headers={"content-type": ctype, **headers})
