"""extract_facts: one parse, every field; bad files become problems, never exceptions."""

from __future__ import annotations

import textwrap

import pytest

from truthgate.verify.extract import extract_facts, module_name
from truthgate.verify.facts import NOT_LITERAL


def py(src: str, path: str = "app/mod.py"):  # type: ignore[no-untyped-def]
    return extract_facts(path, textwrap.dedent(src).encode())


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("src/pkg/mod.py", ("pkg.mod", False)),
        ("src/pkg/__init__.py", ("pkg", True)),
        ("pkg/sub/__init__.py", ("pkg.sub", True)),
        ("main.py", ("main", False)),
        ("src.py", ("src", False)),
        ("my-scripts/run.py", ("", False)),
        ("__init__.py", ("", True)),
        ("README.md", ("", False)),
    ],
)
def test_module_name(path: str, expected: tuple[str, bool]) -> None:
    assert module_name(path) == expected


def test_imports_carry_type_checking_and_function_flags() -> None:
    f = py(
        """\
        import a.b as c
        from . import sibling
        from ..pkg import thing, other
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            from x import Y
        else:
            import z
        def f():
            import lazy
        """
    )
    got = [(i.module, i.names, i.level, i.line, i.alias, i.type_checking, i.in_function)
           for i in f.imports]
    assert got == [
        ("a.b", (), 0, 1, "c", False, False),
        ("", ("sibling",), 1, 2, "", False, False),
        ("pkg", ("thing", "other"), 2, 3, "", False, False),
        ("typing", ("TYPE_CHECKING",), 0, 4, "", False, False),
        ("x", ("Y",), 0, 6, "", True, False),
        ("z", (), 0, 8, "", False, False),
        ("lazy", (), 0, 10, "", False, True),
    ]


def test_calls_resolve_through_imports_even_when_imported_later() -> None:
    f = py(
        """\
        def boot():
            r.get(URL, timeout=5, verify=False)
            CORS(app, origins="*")
            Flask(__name__).run(debug=True)
            db.create_all()
        import requests as r
        from flask_cors import CORS
        """
    )
    got = {c.name: (c.qualname, c.line, c.args, c.kwargs, c.in_function) for c in f.calls}
    assert got["r.get"] == (
        "requests.get", 2, ("<name:URL>",), (("timeout", 5), ("verify", False)), True
    )
    assert got["CORS"] == ("flask_cors.CORS", 3, ("<name:app>",), (("origins", "*"),), True)
    assert got["?.run"][0] == "?.run"
    assert got["db.create_all"][0] == "db.create_all"


def test_call_arg_names_include_nested_and_attribute_tails() -> None:
    f = py('log.info("token=%s", fmt(settings.api_token, user.password))\n')
    (outer,) = [c for c in f.calls if c.name == "log.info"]
    assert outer.arg_names == ("fmt", "api_token", "settings", "password", "user")
    assert outer.args == ("token=%s", NOT_LITERAL)


def test_assignments_subscripts_class_fields_and_keyword_defaults() -> None:
    f = py(
        """\
        SECRET_KEY = "abc"
        app.config["SECRET_KEY"] = "dev"
        app.secret_key = os.environ["K"]
        a, b = 1, [2, "x"]
        class Settings:
            cors_origins: list = ["*"]
        def connect(password="hunter2", *, retries=3):
            pass
        """
    )
    got = [(a.target, a.name, a.value, a.line, a.class_name, a.in_function) for a in f.assigns]
    assert got == [
        ("SECRET_KEY", "SECRET_KEY", "abc", 1, "", False),
        ("app.config[SECRET_KEY]", "SECRET_KEY", "dev", 2, "", False),
        ("app.secret_key", "secret_key", NOT_LITERAL, 3, "", False),
        ("a", "a", 1, 4, "", False),
        ("b", "b", [2, "x"], 4, "", False),
        ("cors_origins", "cors_origins", ["*"], 6, "Settings", False),
        ("password", "password", "hunter2", 7, "", True),
        ("retries", "retries", 3, 7, "", True),
    ]


def test_env_reads_every_accessor_and_look_alikes() -> None:
    f = py(
        """\
        import os
        from os import environ, getenv
        a = os.environ["A"]
        b = os.environ.get("B", "dflt")
        c = os.getenv("C")
        d = environ.get("D")
        e = getenv("E", compute())
        os.environ.setdefault("F", "1")
        g = os.environ[name]
        os.environ["W"] = "write, not read"
        h = config.get("NOT_ENV")
        i = mydict["NOT_ENV_EITHER"]
        """
    )
    got = [(r.name, r.line, r.accessor, r.has_default, r.default) for r in f.env_reads]
    assert got == [
        ("A", 3, "os.environ[]", False, None),
        ("B", 4, "os.environ.get", True, "dflt"),
        ("C", 5, "os.getenv", False, None),
        ("D", 6, "os.environ.get", False, None),
        ("E", 7, "os.getenv", True, NOT_LITERAL),
        ("F", 8, "os.environ.setdefault", True, "1"),
        (NOT_LITERAL, 9, "os.environ[]", False, None),
    ]


def test_env_read_or_literal_is_a_default() -> None:
    f = py(
        """\
        import os
        from os import environ
        a = os.environ.get("A") or "dev-a"
        b = os.getenv("B", None) or "dev-b"
        c = os.getenv("C", "explicit") or "ignored"
        d = environ["D"] or "dev-d"
        e = os.getenv("E") or os.getenv("F") or "both"
        g = os.getenv("G") or ""
        h = os.getenv("H") or 1 or "unreachable"
        i = os.getenv("I") and "not-a-default"
        j = os.getenv("J") or compute() or "dev-j"
        k = "first" or os.getenv("K")
        """
    )
    got = [(r.name, r.has_default, r.default) for r in f.env_reads]
    assert got == [
        ("A", True, "dev-a"),
        ("B", True, "dev-b"),
        ("C", True, "explicit"),
        ("D", True, "dev-d"),
        ("E", True, "both"),
        ("F", True, "both"),
        ("G", False, None),
        ("H", False, None),
        ("I", False, None),
        ("J", True, "dev-j"),
        ("K", False, None),
    ]


def test_assignment_fallback_literal_and_its_sources() -> None:
    f = py(
        """\
        import os
        a = os.getenv("A") or "dev-a"
        b = settings.get("b") or None or "dev-b"
        c = os.getenv("C", "dev-c")
        d = cfg.get("d", default="dev-d")
        e = os.getenv("E") if os.getenv("E") else "dev-e"
        g = "dev-g" if os.environ.get("G") is None else os.environ["G"]
        h = getattr(settings, "H", "dev-h")
        i = os.getenv("I") or 1 or "unreachable"
        j = "first" or os.getenv("J")
        k = os.getenv("K") or ""
        m = load() or other
        n = os.environ["N"]
        p = "a" if flag else "b"
        q = os.getenv("Q", "")
        """
    )
    got = [(a.name, a.fallback, a.fallback_sources) for a in f.assigns]
    assert got == [
        ("a", "dev-a", ((2, 5),)),
        ("b", "dev-b", ((3, 5),)),
        ("c", "dev-c", ((4, 5),)),
        ("d", "dev-d", ((5, 5),)),
        ("e", "dev-e", ((6, 5),)),
        ("g", "dev-g", ((7, 49),)),
        ("h", "dev-h", ((8, 5),)),
        ("i", None, ()),
        ("j", None, ()),
        ("k", None, ()),
        ("m", None, ()),
        ("n", None, ()),
        ("p", None, ()),
        ("q", None, ()),
    ]
    # The sources sit exactly where the env reads are recorded: that is how kinds link them.
    reads = {(r.line, r.col) for r in f.env_reads}
    assert {(2, 5), (4, 5), (6, 5), (7, 49)} <= reads


def test_pydantic_settings_prefixes_aliases_and_non_settings_classes() -> None:
    f = py(
        """\
        from pydantic_settings import BaseSettings, SettingsConfigDict
        from pydantic import BaseModel, Field
        class App(BaseSettings):
            model_config = SettingsConfigDict(env_prefix="app_")
            db_url: str
            port: int = 8000
            key: str = Field(..., alias="THE_KEY")
            _private: int = 1
        class Old(BaseSettings):
            debug: bool = Field(default=False)
            class Config:
                env_prefix = "OLD_"
                case_sensitive = True
        class Derived(App):
            extra: str = "x"
        class Model(BaseModel):
            not_env: str = "y"
        """
    )
    got = [(s.class_name, s.field, s.env_name, s.line, s.has_default, s.default)
           for s in f.settings_fields]
    assert got == [
        ("App", "db_url", "APP_DB_URL", 5, False, None),
        ("App", "port", "APP_PORT", 6, True, 8000),
        ("App", "key", "THE_KEY", 7, False, None),
        ("Old", "debug", "OLD_debug", 10, True, False),
        ("Derived", "extra", "EXTRA", 15, True, "x"),
    ]


def test_main_guards_suppressions_and_credential_urls() -> None:
    f = py(
        """\
        DB = "postgresql://admin:s3cret@db:5432/app"  # truthgate: ignore[secrets] fixture
        OK = "https://example.com/@user"
        S = "# truthgate: ignore[x] inside a string is not a comment"
        x = 1  # truthgate: ignore[a, b]
        if "__main__" == __name__:
            main()
        if __name__ == "__main__":  # truthgate: ignore
            main()
        """
    )
    assert [(g.line, g.col) for g in f.main_guards] == [(5, 1), (7, 1)]
    assert [(s.line, s.rules, s.reason) for s in f.suppressions] == [
        (1, ("secrets",), "fixture"),
        (4, ("a", "b"), ""),
        (7, (), ""),
    ]
    assert [(u.value, u.line) for u in f.credential_urls] == [
        ("postgresql://admin:s3cret@db:5432/app", 1)
    ]
    assert [c.in_main_guard for c in f.calls] == [True, True]


def test_bom_is_accepted() -> None:
    f = extract_facts("a.py", b"\xef\xbb\xbfimport os\n")
    assert (f.problem, [i.module for i in f.imports]) == ("", ["os"])


@pytest.mark.parametrize(
    ("data", "problem", "line"),
    [
        (b"x = 1\ny = '\xff\xfe'\n", "non-utf8", 2),
        (b"import os\x00\n", "binary", 0),
        (b"x = (" * 300 + b"1" + b")" * 300 + b"\n", "syntax", 1),
        (b"x = " + b"-" * 100_000 + b"1\n", "too-deep", 0),
    ],
)
def test_bad_python_files_become_problems(data: bytes, problem: str, line: int) -> None:
    f = extract_facts("bad.py", data)
    assert (f.problem, f.problem_line, f.imports, f.calls) == (problem, line, (), ())
    assert f.size == len(data) and len(f.sha256) == 64


def test_syntax_error_has_line_col_and_message() -> None:
    f = extract_facts("s.py", b"import os\ndef f(:\n    pass\n")
    assert (f.problem, f.problem_line, f.problem_col, f.problem_detail) == (
        "syntax", 2, 7, "invalid syntax"
    )


def test_non_python_files_get_light_facts() -> None:
    text = extract_facts("README.md", b"# t\n\nbody")
    png = extract_facts("logo.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    assert (text.is_python, text.line_count, text.problem, text.module) == (False, 3, "", "")
    assert (png.is_python, png.problem) == (False, "binary")


def test_env_read_in_a_conditional_on_the_same_variable_is_a_default() -> None:
    f = py(
        """\
        import os
        from os import environ
        a = os.environ["A"] if "A" in os.environ else "dev-a"
        b = os.getenv("B") if os.getenv("B") else "dev-b"
        c = "dev-c" if os.environ.get("C") is None else os.environ["C"]
        h = environ.get("H") if environ.get("H") else "dev-h"
        i = os.getenv("I", "x") if os.getenv("I") else "dev-i"
        d = os.environ["D"] if DEBUG else "dev-d"
        e = os.environ["E"] if "OTHER" in os.environ else "dev-e"
        f = os.getenv("F") if os.getenv("F") else ""
        g = os.getenv("G") if "G" in os.environ else compute()
        """
    )
    defaults = [(r.name, r.line, r.default) for r in f.env_reads if r.has_default]
    assert defaults == [
        ("A", 3, "dev-a"),
        ("B", 4, "dev-b"),  # the read in the branch; the one in the test has no default
        ("C", 5, "dev-c"),
        ("H", 6, "dev-h"),
        ("I", 7, "x"),  # an explicit default wins, as with 'or'
    ]
    # The look-alikes are still env reads, with no default: the test is about another thing
    # (a mode, another variable), the fallback is empty, or it is not a literal.
    assert {r.name for r in f.env_reads if r.line >= 8} == {"D", "E", "F", "G"}


def test_keyword_fallbacks_of_a_call() -> None:
    f = py(
        """\
        import os
        connect(password=os.getenv("DB_PW") or "dev", timeout=os.getenv("T") or "30", user="u")
        create_engine(url, password=os.environ.get("X", "hunter2"), echo=flag or "x")
        c(k=os.getenv("K") or "", m=v if v else "lit", n="plain", o=os.getenv("O"), **kw)
        """
    )
    got = {(c.name, (k.keyword, k.fallback, k.sources)) for c in f.calls for k in c.kwarg_fallbacks}
    assert got == {
        ("connect", ("password", "dev", ((2, 18),))),
        ("connect", ("timeout", "30", ((2, 55),))),
        ("create_engine", ("password", "hunter2", ((3, 29),))),
    }
    # The sources sit where the env reads are recorded, as for assignments.
    assert {(2, 18), (2, 55), (3, 29)} <= {(r.line, r.col) for r in f.env_reads}
