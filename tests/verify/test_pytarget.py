"""The project's Python target, and files that need a newer Python than truthgate's."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from verify_support import Write, make_contract, spec

from truthgate.model import Outcome
from truthgate.verify.engine import run_verify
from truthgate.verify.pytarget import (
    RUNNING,
    detect_target,
    lowest_of_spec,
    newer_syntax,
)

PEP695 = "def first[T](xs: list[T]) -> T:\n    return xs[0]\n\n\ntype Pair = tuple[int, int]\n"
PEP758 = "try:\n    pass\nexcept ValueError, TypeError:\n    pass\n"
PEP750 = "name = 'x'\ngreeting = t'hello {name}'\n"


@pytest.mark.parametrize(("msg", "line", "version", "name"), [
    ("expected '('", "def first[T](xs: list[T]) -> T:", (3, 12), "PEP 695 type parameters"),
    ("invalid syntax", "class Box[T]:", (3, 12), "PEP 695 type parameters"),
    ("invalid syntax", "type Pair = tuple[int, int]", (3, 12), "PEP 695 type alias statement"),
    ("invalid syntax", "class Box[T = int]:", (3, 13), "PEP 696 type parameter defaults"),
    ("f-string: expecting '}'", 'x = f"{"a"}"', (3, 12), "PEP 701 f-string syntax"),
    ("multiple exception types must be parenthesized", "except ValueError, TypeError:",
     (3, 14), "PEP 758 except without parentheses"),
    ("invalid syntax", "g = t'hello {name}'", (3, 14), "PEP 750 template strings"),
])
def test_newer_constructs_recognised(msg: str, line: str, version: tuple[int, int],
                                     name: str) -> None:
    got = newer_syntax(msg, line, running=(3, 11))
    assert got is not None and (got.version, got.name) == (version, name)


@pytest.mark.parametrize(("msg", "line"), [
    ("invalid syntax", "def (:"),              # a real error
    ("invalid syntax", "type = 3 3"),          # 'type' as a name, broken for another reason
    ("expected ':'", "class Box(Base)"),
    ("invalid syntax", "print 'hello'"),
    ("invalid syntax", "x = at'hello'"),       # not a t-string prefix
])
def test_real_errors_are_not_newer_syntax(msg: str, line: str) -> None:
    assert newer_syntax(msg, line, running=(3, 11)) is None


def test_a_construct_the_running_python_has_is_a_real_error() -> None:
    assert newer_syntax("expected '('", "def first[T](x):", running=(3, 12)) is None


@pytest.mark.parametrize(("spec_text", "low"), [
    (">=3.12", (3, 12)), (">=3.10,<4", (3, 10)), ("~=3.11", (3, 11)), ("==3.12.*", (3, 12)),
    (">3.11", (3, 11)), (">3.11.99", (3, 12)), ("not a spec", None),
])
def test_lowest_of_spec(spec_text: str, low: tuple[int, int] | None) -> None:
    assert lowest_of_spec(spec_text) == low


def _reader(files: dict[str, str]):  # type: ignore[no-untyped-def]
    return files.get


def test_target_sources_in_order() -> None:
    files = {
        "pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.12"\n',
        ".python-version": "3.13.1\n",
        "Dockerfile": "FROM python:3.11-slim AS build\nFROM python:3.14-slim\n",
    }
    t = detect_target("3.13", _reader(files))
    assert t is not None and (t.version, t.source) == ((3, 13), "verify.python in the contract")
    t = detect_target("", _reader(files))
    assert t is not None and (t.version, t.source) == ((3, 12),
                                                      "requires-python in pyproject.toml")
    del files["pyproject.toml"]
    t = detect_target(None, _reader(files))
    assert t is not None and t.version == (3, 13) and t.source == ".python-version"
    del files[".python-version"]
    t = detect_target(None, _reader(files))  # the last stage runs
    assert t is not None and t.version == (3, 14) and t.source == "the base image in Dockerfile"
    assert detect_target(None, _reader({})) is None


def test_poetry_and_setup_cfg_and_runtime_txt() -> None:
    poetry = '[tool.poetry.dependencies]\npython = "^3.12"\nfastapi = "^0.110"\n'
    t = detect_target(None, _reader({"pyproject.toml": poetry}))
    assert t is not None and t.version == (3, 12)
    t = detect_target(None, _reader({"setup.cfg": "[options]\npython_requires = >=3.11\n"}))
    assert t is not None and t.version == (3, 11)
    t = detect_target(None, _reader({"runtime.txt": "python-3.12.4\n"}))
    assert t is not None and t.version == (3, 12)


needs_old = pytest.mark.skipif(RUNNING >= (3, 12), reason="needs an interpreter older than 3.12")


@needs_old
def test_valid_312_code_is_a_configuration_problem_once(tmp_path: Path, write: Write) -> None:
    write("pyproject.toml", '[project]\nname = "x"\nrequires-python = ">=3.12"\n')
    write("app/generic.py", PEP695)
    write("app/other.py", "class Box[T]:\n    item: T\n")
    write("app/fine.py", "from os import *\n")
    contract = make_contract(tmp_path, spec("parses", "python_syntax"),
                             spec("no-star", "no_wildcard_imports"))
    report = run_verify(contract)
    by_id = {r.id: r for r in report.invariants}
    assert by_id["parses"].outcome is Outcome.PASS  # valid 3.12 code is no syntax error
    assert by_id["no-star"].outcome is Outcome.FAIL  # the other files still checked
    newer = by_id["truthgate-python"]
    assert newer.outcome is Outcome.FAIL and len(newer.findings) == 1
    msg = newer.findings[0].message
    assert msg.startswith("needs Python ≥ 3.12 (PEP 695 type parameters); truthgate runs on "
                          f"{RUNNING[0]}.{RUNNING[1]}: 2 files not examined by any check")
    assert "app/generic.py" in msg and "app/other.py" in msg
    assert "requires-python in pyproject.toml" in newer.findings[0].hint
    assert not [f for f in report.skipped_files if f.location and "app/" in f.location.path]


@needs_old
def test_newer_than_the_project_targets_is_a_syntax_error(tmp_path: Path, write: Write) -> None:
    write(".python-version", "3.11\n")
    write("app/generic.py", PEP695)
    report = run_verify(make_contract(tmp_path, spec("parses", "python_syntax")))
    (r,) = report.invariants
    assert r.outcome is Outcome.FAIL
    assert r.findings[0].message == ("needs Python ≥ 3.12 (PEP 695 type parameters); the "
                                     "project targets 3.11 (.python-version)")


@needs_old
def test_declared_target_wins_and_real_errors_stay(tmp_path: Path, write: Write) -> None:
    write("pyproject.toml", '[project]\nname = "x"\nrequires-python = ">=3.10"\n')
    write("app/new.py", PEP758)
    write("app/broken.py", "def (:\n")
    contract = make_contract(tmp_path, spec("parses", "python_syntax"))
    contract = dataclasses.replace(
        contract, verify=dataclasses.replace(contract.verify, python="3.14"))
    report = run_verify(contract)
    by_id = {r.id: r for r in report.invariants}
    assert [f.location.path for f in by_id["parses"].findings if f.location] == ["app/broken.py"]
    assert by_id["parses"].findings[0].message == "does not parse: invalid syntax"
    assert "PEP 758" in by_id["truthgate-python"].findings[0].message


@needs_old
def test_unknown_target_is_still_reported(tmp_path: Path, write: Write) -> None:
    write("app/t.py", PEP750)
    report = run_verify(make_contract(tmp_path, spec("no-star", "no_wildcard_imports")))
    by_id = {r.id: r for r in report.invariants}
    assert "PEP 750" in by_id["truthgate-python"].findings[0].message
    assert "verify.python" in by_id["truthgate-python"].findings[0].hint
    assert not report.skipped_files  # said once, not again as a skip


def test_no_result_when_everything_parses(tmp_path: Path, write: Write) -> None:
    write("pyproject.toml", '[project]\nname = "x"\nrequires-python = ">=3.14"\n')
    write("a.py", "x = 1\n")
    report = run_verify(make_contract(tmp_path, spec("parses", "python_syntax")))
    assert [r.id for r in report.invariants] == ["parses"]


def test_contract_field_validates(tmp_path: Path) -> None:
    from truthgate.contract import ContractError, load_contract

    base = ("version: 1\nproduct: {name: x}\nentrypoint: {path: a.py}\ninvariants: []\n")
    (tmp_path / "product").mkdir()
    path = tmp_path / "product" / "truth.yaml"
    path.write_text(base + "verify: {python: 3.12}\n")
    assert load_contract(path).verify.python == "3.12"
    path.write_text(base + "verify: {python: '3.x'}\n")
    with pytest.raises(ContractError):
        load_contract(path)
