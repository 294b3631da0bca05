"""The contract's production scope: runtime kinds skip dot-directories, tests and fixtures."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from verify_support import Write, make_contract, spec

from truthgate.contract.model import Production
from truthgate.model import Outcome
from truthgate.verify.engine import run_verify

STAR = "from os.path import *\n"
NO_TIMEOUT = "import requests\n\ndef get():\n    return requests.get('https://x.example')\n"


def _paths(report, inv_id: str) -> list[str]:  # type: ignore[no-untyped-def]
    (r,) = [r for r in report.invariants if r.id == inv_id]
    return sorted({f.location.path for f in r.findings if f.location})


def test_non_product_code_is_out_by_default(tmp_path: Path, write: Write) -> None:
    write("app/views.py", STAR + NO_TIMEOUT)
    for path in (".semgrep/rules/fixture.py", "tests.py", "pkg/tests/test_x.py",
                 "pkg/test_views.py", "conftest.py", "app/fixtures/sample.py",
                 "service/testdata/case.py"):
        write(path, STAR + NO_TIMEOUT)
    contract = make_contract(tmp_path, spec("no-star", "no_wildcard_imports"),
                             spec("timeouts", "http_timeouts"))
    report = run_verify(contract)
    assert _paths(report, "no-star") == ["app/views.py"]
    assert _paths(report, "timeouts") == ["app/views.py"]


def test_look_alikes_stay_product_code(tmp_path: Path, write: Write) -> None:
    # Names that only look like tests or dot-directories are product code.
    for path in ("app/testimonials.py", "app/contest.py", "latest/api.py", "app/fixture_api.py",
                 "app/attest_test_helpers/x.py"):
        write(path, STAR)
    report = run_verify(make_contract(tmp_path, spec("no-star", "no_wildcard_imports")))
    assert _paths(report, "no-star") == ["app/attest_test_helpers/x.py", "app/contest.py",
                                         "app/fixture_api.py", "app/testimonials.py",
                                         "latest/api.py"]


def test_invariant_exclude_adds_to_the_scope(tmp_path: Path, write: Write) -> None:
    write("app/views.py", STAR)
    write("app/vendor/lib.py", STAR)
    write("tests/test_a.py", STAR)
    contract = make_contract(tmp_path, spec("no-star", "no_wildcard_imports",
                                            exclude=("app/vendor/**",)))
    # tests/ stays out although the invariant's exclude does not name it
    assert _paths(run_verify(contract), "no-star") == ["app/views.py"]


def test_declared_scope(tmp_path: Path, write: Write) -> None:
    write("src/svc/views.py", STAR)
    write("tools/gen.py", STAR)
    write("tests/test_a.py", STAR)
    # (no results cache: these contracts differ only in what the test replaces)
    contract = make_contract(tmp_path, spec("no-star", "no_wildcard_imports"), cache=False)
    contract = dataclasses.replace(contract, production=Production(paths=("src/**",)))
    assert _paths(run_verify(contract), "no-star") == ["src/svc/views.py"]
    # an explicit exclude list replaces the default: tests come back
    contract = dataclasses.replace(contract, production=Production(exclude=()))
    assert _paths(run_verify(contract), "no-star") == ["src/svc/views.py", "tests/test_a.py",
                                                       "tools/gen.py"]


def test_other_kinds_keep_their_own_scope(tmp_path: Path, write: Write) -> None:
    write("app/ok.py", "x = 1\n")
    write("tests/broken.py", "def (:\n")
    report = run_verify(make_contract(tmp_path, spec("parses", "python_syntax")))
    (r,) = report.invariants
    assert r.outcome is Outcome.FAIL and _paths(report, "parses") == ["tests/broken.py"]


def test_contract_section_loads(tmp_path: Path) -> None:
    from truthgate.contract import load_contract

    (tmp_path / "product").mkdir()
    path = tmp_path / "product" / "truth.yaml"
    path.write_text("version: 1\nproduct: {name: x}\nentrypoint: {path: a.py}\ninvariants: []\n"
                    "production: {paths: ['src/**'], exclude: ['src/gen/**']}\n")
    got = load_contract(path).production
    assert (got.paths, got.exclude) == (("src/**",), ("src/gen/**",))
    path.write_text("version: 1\nproduct: {name: x}\nentrypoint: {path: a.py}\ninvariants: []\n")
    assert ".*/**" in load_contract(path).production.exclude
