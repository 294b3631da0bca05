"""The four import/syntax kinds, through the real engine, with look-alike negatives."""

from __future__ import annotations

from pathlib import Path

from verify_support import Write, make_contract, spec

from truthgate.contract.model import Legacy
from truthgate.model import Outcome
from truthgate.verify.engine import run_verify
from truthgate.verify.kinds import get_kind


def run(tmp_path: Path, *specs, **kw):  # type: ignore[no-untyped-def]
    return run_verify(make_contract(tmp_path, *specs, **kw), use_cache=False).invariants


def found(result) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(str(f.location), f.message) for f in result.findings]


# -- no_wildcard_imports -----------------------------------------------------------------
def test_wildcard_positives_and_look_alikes(tmp_path: Path, write: Write) -> None:
    write("pkg/__init__.py", "from .models import *\n")
    write("pkg/models.py", "from os import path, sep\nimport star\nfrom tkinter import *\n")
    write("pkg/notes.py", "# from os import *\ns = 'from os import *'\n")
    (r,) = run(tmp_path, spec("w", "no_wildcard_imports", {"allow_modules": ["tkinter"]}))
    assert found(r) == [("pkg/__init__.py:1:1", "wildcard import: from .models import *")]


# -- python_syntax ------------------------------------------------------------------------
def test_python_syntax_reports_line_col_and_message(tmp_path: Path, write: Write) -> None:
    write("good.py", "print('fine')\nmatch = 1\n")
    write("bad.py", "x = 1\nif x\n    pass\n")
    write("notes.txt", "def (:\n")  # not Python: not checked
    (r,) = run(tmp_path, spec("s", "python_syntax"))
    assert (r.outcome, r.files_examined) == (Outcome.FAIL, 2)
    assert found(r) == [("bad.py:2:5", "does not parse: expected ':'")]


# -- no_import_cycles ---------------------------------------------------------------------
def test_cycle_in_src_layout_with_relative_imports(tmp_path: Path, write: Write) -> None:
    write("src/shop/__init__.py")
    write("src/shop/orders.py", "from .billing import charge\n")
    write("src/shop/billing.py", "import os\nfrom . import orders\n")
    write("src/shop/util.py", "from shop import orders\n")  # imports into the cycle: not in it
    (r,) = run(tmp_path, spec("c", "no_import_cycles"))
    assert found(r) == [
        ("src/shop/billing.py:2:1", "import cycle: shop.billing -> shop.orders -> shop.billing")
    ]
    assert r.findings[0].hint.startswith(
        "Break one edge of the cycle (src/shop/billing.py:2 imports shop.orders; "
        "src/shop/orders.py:1 imports shop.billing)"
    )


def test_type_checking_and_lazy_imports_break_no_cycle_by_default(
    tmp_path: Path, write: Write
) -> None:
    write("a.py", "import b\n")
    write("b.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import a\n")
    write("c.py", "import d\n")
    write("d.py", "def f():\n    import c\n")
    (r,) = run(tmp_path, spec("c", "no_import_cycles"))
    assert (r.outcome, r.findings) == (Outcome.PASS, ())
    (r,) = run(tmp_path, spec("c", "no_import_cycles", {"ignore_type_checking": False,
                                                         "ignore_function_level": False}))
    assert [f.message for f in r.findings] == [
        "import cycle: a -> b -> a", "import cycle: c -> d -> c"
    ]


def test_cycle_outside_the_selected_paths_is_not_reported(tmp_path: Path, write: Write) -> None:
    write("app/x.py", "import os\n")
    write("tests/t1.py", "import tests.t2\n")
    write("tests/t2.py", "import tests.t1\n")
    (r,) = run(tmp_path, spec("c", "no_import_cycles", exclude=("tests/**",)))
    assert (r.outcome, r.files_examined) == (Outcome.PASS, 1)


# -- forbidden_imports --------------------------------------------------------------------
def _layers(write: Write) -> None:
    write("app/__init__.py")
    write("app/domain/__init__.py")
    write("app/domain/model.py", "from app.domain import rules\nfrom app.db import session\n")
    write("app/domain/rules.py", "import dataclasses\n")
    write("app/db.py", "import sqlalchemy\nfrom typing import TYPE_CHECKING\n"
                       "if TYPE_CHECKING:\n    import flask\n")
    write("app/web.py", "import flask\nfrom app.domain import model\n")


def test_direct_rule(tmp_path: Path, write: Write) -> None:
    _layers(write)
    rule = {"from": ["app.domain"], "forbid": ["app.web", "sqlalchemy", "flask"]}
    (r,) = run(tmp_path, spec("f", "forbidden_imports", {"rules": [rule]}))
    assert (r.outcome, r.findings) == (Outcome.PASS, ())  # only app.db imports sqlalchemy


def test_transitive_rule_reports_the_chain_once(tmp_path: Path, write: Write) -> None:
    _layers(write)
    rule = {"from": ["app.domain"], "forbid": ["sqlalchemy", "flask"], "transitive": True}
    (r,) = run(tmp_path, spec("f", "forbidden_imports", {"rules": [rule]}))
    # At the culprit edge (issue 15): app/db.py imports sqlalchemy; the chain is related.
    assert found(r) == [
        (
            "app/db.py:1:1",
            "app.domain.model reaches sqlalchemy through app.domain.model -> app.db -> "
            "sqlalchemy, forbidden by rule 1 (app.domain must not import sqlalchemy, flask)",
        )
    ]  # flask is only imported under TYPE_CHECKING: ignored
    (f,) = r.findings
    assert [(str(x.location), x.message) for x in f.related] == [
        ("app/domain/model.py:2", "chain step 1: app.domain.model imports app.db")]


def test_rule_matching_no_module_is_an_error(tmp_path: Path, write: Write) -> None:
    _layers(write)
    rule = {"from": ["app.domian"], "forbid": ["flask"]}
    (r,) = run(tmp_path, spec("f", "forbidden_imports", {"rules": [rule]}))
    assert (r.outcome, r.error) == (
        Outcome.ERROR,
        "rule 1 (app.domian must not import flask): 'from' matches no module in the selected "
        "files, so the rule would check nothing",
    )


def test_legacy_flag_checks_the_blessed_path(tmp_path: Path, write: Write) -> None:
    write("main.py", "import service\n")
    write("service.py", "from quarantine import old_bot\nimport helpers\n")
    write("helpers.py", "import bot_kie.client\n")
    write("quarantine/__init__.py")
    write("quarantine/old_bot.py", "import os\n")
    write("bot_kie/__init__.py")
    write("bot_kie/client.py")
    write("scripts/tool.py", "import quarantine.old_bot\n")  # not the blessed path
    legacy = Legacy(quarantine_dir="quarantine", forbidden_modules=("bot_kie",))
    (r,) = run(tmp_path, spec("l", "forbidden_imports", {"legacy": True}), legacy=legacy)
    assert [f.message.split(",")[0] for f in r.findings] == [
        "main reaches bot_kie.client through main -> service -> helpers -> bot_kie.client",
        "main reaches quarantine.old_bot through main -> service -> quarantine.old_bot",
    ]
    # Each at the edge that crosses into legacy code, the chain from main as related.
    assert [str(f.location) for f in r.findings] == ["helpers.py:1:1", "service.py:1:1"]
    assert [str(x.location) for x in r.findings[0].related] == ["main.py:1", "service.py:2"]


def test_legacy_without_python_entrypoint_is_an_error(tmp_path: Path, write: Write) -> None:
    write("app.py", "x = 1\n")
    (r,) = run(tmp_path, spec("l", "forbidden_imports", {"legacy": True}), entrypoint="run.sh")
    assert r.outcome is Outcome.ERROR and "'run.sh' is not a Python module" in r.error


def test_every_kind_documents_its_params() -> None:
    for name in ("no_wildcard_imports", "no_import_cycles", "forbidden_imports", "python_syntax"):
        kind = get_kind(name)
        assert kind.example and kind.why and kind.hint
        props = dict(kind.params_schema["properties"])
        stack = list(props.values())
        while stack:
            prop = stack.pop()
            assert prop.get("description"), (name, prop)
            stack.extend(prop.get("items", {}).get("properties", {}).values())
