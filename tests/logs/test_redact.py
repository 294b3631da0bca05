"""Credentials in free text are masked by their form; look-alikes are left alone."""

from __future__ import annotations

import pytest

from truthgate.redact import redact_credentials


@pytest.mark.parametrize("line,expected", [
    ("GET /x Authorization: Bearer abcdefgh12345 took=3ms",
     "GET /x Authorization: *** took=3ms"),
    ('{"authorization": "Bearer abc.def", "status": 200}',
     '{"authorization": "***", "status": 200}'),
    ("headers={'Authorization': 'Basic dXNlcjpwYXNz'}", "headers={'Authorization': '***'}"),
    ("Cookie: sid=abc123; theme=dark", "Cookie: ***"),
    ("set-cookie: session=xyz; HttpOnly", "set-cookie: ***"),
    ("X-Api-Key: k-123 path=/x", "X-Api-Key: *** path=/x"),
    ("api_key=AKIA1234567890 user=bob", "api_key=*** user=bob"),
    ("retrying with Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig", "retrying with Bearer ***"),
])
def test_credentials_are_masked(line: str, expected: str) -> None:
    assert redact_credentials(line) == expected


@pytest.mark.parametrize("line", [
    "the author: bob",
    "keyboard: qwerty",
    "monkey=banana",
    "using Basic auth scheme",
    "Token: abc",  # too short to be a credential by form
    "authentication failed for user bob",
    "ERROR cache key miss for /api/items",
])
def test_look_alikes_are_left_alone(line: str) -> None:
    assert redact_credentials(line) == line
