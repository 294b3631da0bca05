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


def test_one_mask_for_log_lines_and_smoke_reports() -> None:
    """The smoke masker hides values with the log redactor's MASK."""
    from truthgate.redact import MASK
    from truthgate.smoke.mask import Masker

    masker = Masker(secrets=("s3cret-value",))
    assert masker.text("token s3cret-value") == f"token {MASK}"
    assert masker.header_pairs([("Cookie", "sid=1")]) == (("Cookie", MASK),)
    assert redact_credentials("Authorization: Bearer abcdefgh1234") == f"Authorization: {MASK}"


def test_smoke_mask_does_not_define_its_own_mask() -> None:
    import ast
    import inspect

    from truthgate.smoke import mask

    tree = ast.parse(inspect.getsource(mask))
    assigned = {t.id for node in ast.walk(tree) if isinstance(node, (ast.Assign, ast.AnnAssign))
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                if isinstance(t, ast.Name)}
    assert "MASK" not in assigned


def test_the_log_gate_redactor_imports_no_smoke_engine() -> None:
    import subprocess
    import sys

    probe = ("import sys, truthgate.redact, truthgate.logs.scan\n"
             "print([m for m in sys.modules if m.startswith('truthgate.smoke')])")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
