"""The redaction boundary's rules, one by one: what is masked, and what is left alone."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, quote_plus

import pytest

from truthgate import redact
from truthgate.redact import MASK, Redactor, partial, scrub

SECRET = "Wn4Kq8Zt2Vx7Lp3Rb9Hd"


def _pieces_left(text: str, value: str = SECRET, size: int = 6) -> int:
    """How many ``size``-character pieces of ``value`` survive in ``text`` (no value shown)."""
    return sum(value[i:i + size] in text for i in range(len(value) - size + 1))


@pytest.mark.parametrize("form", [
    SECRET,
    quote(SECRET + "/&+", safe=""),
    quote_plus(SECRET + " x"),
    json.dumps(SECRET + '"')[1:-1],
    SECRET.encode().hex(),
    SECRET.encode().hex().upper(),
    base64.b64encode(SECRET.encode()).decode(),
    base64.urlsafe_b64encode(SECRET.encode()).decode().rstrip("="),
    base64.b64encode(b"bob:" + SECRET.encode()).decode(),  # a Basic header echoed back
    base64.b64encode(b"bob:" + SECRET.encode()).decode()[:24],  # ... and cut
    SECRET[:-2],  # a server that echoes all but the last characters
    SECRET[4:],  # ... or all but the first
    "<" + SECRET[3:15] + ">",  # a cut copy of 12 characters from the middle
])
def test_every_form_of_a_known_value_is_masked(form: str) -> None:
    out = Redactor([SECRET, SECRET + "/&+", SECRET + " x", SECRET + '"']).redact(
        f"before {form} after")
    # (a secret that holds a space may take the space beside it along: harmless)
    assert out.startswith("before") and out.endswith("after")
    assert MASK in out
    assert _pieces_left(out) == 0
    assert _pieces_left(out, form if len(form) >= 6 else SECRET) == 0


def test_short_pieces_and_other_text_are_left_alone() -> None:
    text = f"the value {SECRET[:5]} and a word, 200 OK"
    assert Redactor([SECRET]).redact(text) == text


def test_values_shorter_than_four_characters_are_not_masked_as_text() -> None:
    assert Redactor(["on", "1"]).redact("turned on at 1 pm") == "turned on at 1 pm"


@pytest.mark.parametrize("text,expected", [
    ("postgresql://app:s3cr3t-pw@db:5432/app", "postgresql://app:***@db:5432/app"),
    ("login failed password=letmein user=bob", "login failed password=*** user=bob"),
    ('{"db_password": "hunter22"}', '{"db_password": "***"}'),
    ("SESSION_SECRET=abc123def", "SESSION_SECRET=***"),
    ("push token=ghp_Gt5Rk8Wm2Qz7Nx4Lv9Hs3Jd6Pb1Yc0Fa2Tq", "push token=***"),
    ("using ghp_Gt5Rk8Wm2Qz7Nx4Lv9Hs3Jd6Pb1Yc0Fa2Tq now", "using *** now"),
    ("slack xoxb-123456789012-abcdefghijkl", "slack ***"),
    ("stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe ***"),
    ("aws AKIAIOSFODNN7EXAMPLE here", "aws *** here"),
    ("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "jwt ***"),
    ("bot 123456789:AAHt4Nw8Qz2Kx6Vm9Ls3Hd7Jp5Rg1Ty0FcW failed", "bot *** failed"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----",
     "-----BEGIN RSA PRIVATE KEY-----***-----END RSA PRIVATE KEY-----"),
    ('{"api_key": \\"abcd1234\\"}', '{"api_key": \\"***\\"}'),
])
def test_credentials_are_masked_by_their_form(text: str, expected: str) -> None:
    assert Redactor().redact(text) == expected


@pytest.mark.parametrize("text", [
    "postgresql://app:${POSTGRES_PASSWORD}@db/app",  # a placeholder, not a password
    "postgresql://u:<password>@h/db",
    "https://example.com/path?x=1",
    "env.required[0].secret: expected boolean, got string 'yes'",  # a key path in prose
    "SECRET_KEY = os.environ['SECRET_KEY']",  # code that reads the value
    "password=os.getenv('DB_PW') or 'dev'",
    "max_tokens=5 token_budget=10",
    "secret: true",
    "the password field is empty",
    'API_KEY = "tl_l…(31 chars, #008a8580)"',  # a partial display stays readable
    "API_KEY=Ex9W\\u2026(20 chars, #2fc73400)",
    "Token: abc",
    "fingerprint 9f86d081884c7d659a2feaa0c55ad015",
])
def test_look_alikes_are_left_alone(text: str) -> None:
    assert Redactor().redact(text) == text


def test_partial_display_shows_at_most_four_characters_and_a_matching_hash() -> None:
    shown = partial("tl_live_Cm3Qx8Vz5Nw2Kp7Hj4Ls9Db")
    assert shown.startswith("tl_l…(31 chars, #")
    assert partial("tl_live_Cm3Qx8Vz5Nw2Kp7Hj4Ls9Db") == shown  # stable: findings match
    assert partial("tl_live_Cm3Qx8Vz5Nw2Kp7Hj4Ls9Dc") != shown
    assert partial("dev").startswith("…(3 chars")  # a short value shows nothing of itself


def test_the_boundary_learns_secrets_and_scrubs_with_them() -> None:
    assert scrub(f"x {SECRET}") == f"x {SECRET}"
    redact.add_secrets([SECRET])
    assert scrub(f"x {SECRET}") == f"x {MASK}"
    redact.add_secrets(["another-secret-value"])
    assert scrub(f"{SECRET} another-secret-value") == f"{MASK} {MASK}"
