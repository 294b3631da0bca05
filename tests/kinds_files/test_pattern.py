"""pattern: regex and call rules, forbidden and must_exist."""

from __future__ import annotations

import pytest

from truthgate.verify.kinds import get_kind
from truthgate.verify.kinds.base import Violation

from .conftest import Runner

APP = """\
from flask_sqlalchemy import SQLAlchemy
from flask_cors import CORS as cors

db = SQLAlchemy()
create_all = "db.create_all()"  # a string, not a call
# db.create_all() in a comment
db.create_all()
cors(app)
def create_all_users(): ...
create_all_users()
x = {"k": 1}; breakpoint()
"""


def where(found: list[Violation]) -> list[tuple[str, int, int, str]]:
    return [(v.path, v.line, v.col, v.message) for v in found]


def test_call_exact_name_not_strings_or_comments(run_kind: Runner) -> None:
    found = run_kind("pattern", {"call": "db.create_all"}, {"app.py": APP})
    assert where(found) == [("app.py", 7, 1, "calls db.create_all(), matching db.create_all")]
    assert found[0].key == "db.create_all"


def test_call_suffix_wildcard_and_resolved_qualname(run_kind: Runner) -> None:
    files = {"app.py": APP, "svc/models.py": "Base.metadata.create_all(bind=engine)\n"}
    found = run_kind("pattern", {"call": "*.create_all"}, files)
    assert [(v.path, v.line) for v in found] == [("app.py", 7), ("svc/models.py", 1)]
    found = run_kind("pattern", {"call": "flask_cors.CORS"}, {})
    assert where(found) == [
        ("app.py", 8, 1, "calls cors() (flask_cors.CORS), matching flask_cors.CORS")
    ]


def test_regex_line_col_and_flags(run_kind: Runner) -> None:
    files = {"a.py": "ok = 1\n  x = 1;  BreakPoint()\n", "b.txt": "breakpoint()\n"}
    found = run_kind("pattern", {"regex": r"breakpoint\(\)", "flags": ["ignorecase"]}, files)
    assert [(v.path, v.line, v.col, v.end_line, v.end_col) for v in found] == [
        ("a.py", 2, 11, 2, 23)
    ]
    assert found[0].message == "matches /breakpoint\\(\\)/: 'BreakPoint()'"
    assert found[0].key == "BreakPoint()"
    # Case-sensitive by default: the look-alike spelling does not match.
    assert run_kind("pattern", {"regex": r"breakpoint\(\)"}, {}) == []


def test_regex_multiline_and_paths(run_kind: Runner) -> None:
    files = {"conf/a.ini": "[x]\nDEBUG = true\n", "conf/b.ini": "debug_toolbar = true\n"}
    raw = {"regex": r"^debug\s*=\s*true$", "flags": ["multiline", "ignorecase"]}
    found = run_kind("pattern", raw, files, paths=("conf/*.ini",))
    assert [(v.path, v.line, v.col) for v in found] == [("conf/a.ini", 2, 1)]


def test_multiline_match_spans_lines(run_kind: Runner) -> None:
    found = run_kind("pattern", {"regex": r"a\nb", "flags": []}, {"m.py": "x\na\nb\n"})
    assert [(v.line, v.col, v.end_line, v.end_col) for v in found] == [(2, 1, 3, 2)]


def test_empty_matches_ignored(run_kind: Runner) -> None:
    assert run_kind("pattern", {"regex": "z*"}, {"m.py": "abc\n"}) == []


def test_must_exist(run_kind: Runner) -> None:
    raw = {"regex": "Content-Security-Policy", "must_exist": True}
    files = {"app/headers.py": "H = {'X-Frame-Options': 'DENY'}\n", "app/b.py": "pass\n"}
    found = run_kind("pattern", raw, files)
    assert where(found) == [
        (".", 0, 0, "required pattern /Content-Security-Policy/ not found in 2 selected file(s)")
    ]
    found_path = run_kind("pattern", raw, {}, paths=("app/headers.py",))
    assert [v.path for v in found_path] == ["app/headers.py"]
    files["app/b.py"] = "CSP = 'Content-Security-Policy'\n"
    assert run_kind("pattern", raw, files) == []


def test_must_exist_call(run_kind: Runner) -> None:
    raw = {"call": "*.init_app", "must_exist": True}
    found = run_kind("pattern", raw, {"app.py": "init_app = 1\n"})
    assert [v.message for v in found] == [
        "required pattern a call to *.init_app not found in 1 selected file(s)"
    ]
    assert run_kind("pattern", raw, {"app.py": "sentry.init_app(app)\n"}) == []


@pytest.mark.parametrize(
    "raw",
    [
        {},
        {"regex": "a", "call": "b"},
        {"regex": "(unclosed"},
        {"regex": "a", "flags": ["global"]},
        {"call": " "},
        {"call": "x", "flags": ["ignorecase"]},
    ],
)
def test_bad_params(raw: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        get_kind("pattern").parse_params(raw)
