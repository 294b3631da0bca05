"""A contract text validated once skips the schema validator next time; nothing else does."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from truthgate.contract import ContractError, load_contract
from truthgate.contract import validate as validate_module
from truthgate.contract.validcache import MAX_MARKS, remember_valid

VALID = """\
version: 1
product: {name: shop}
entrypoint: {path: main.py}
invariants: [{id: no-star, kind: no_wildcard_imports}]
"""


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("TRUTHGATE_NO_CONTRACT_CACHE", raising=False)
    return tmp_path / "cache" / "truthgate" / "valid-contracts"


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "product").mkdir(exist_ok=True)
    path = tmp_path / "product" / "truth.yaml"
    path.write_text(text)
    return path


def _forbid_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_: object) -> None:
        raise AssertionError("the schema validator ran for a known-valid text")

    monkeypatch.setattr(validate_module, "validate_document", boom)


def test_a_valid_text_is_validated_once(tmp_path: Path, cache: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, VALID)
    first = load_contract(path)
    assert len(list(cache.iterdir())) == 1
    _forbid_validation(monkeypatch)
    second = load_contract(path)
    # The known-valid load leaves the kinds' params raw, for the verify runner to type.
    assert [s.params for s in second.invariants] == [None]
    assert second == replace(first, invariants=tuple(
        replace(s, params=None) for s in first.invariants))


def test_an_edited_text_is_validated_again(tmp_path: Path, cache: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = _write(tmp_path, VALID)
    load_contract(path)
    path.write_text(VALID.replace("shop", "shop2"))
    _forbid_validation(monkeypatch)
    with pytest.raises(AssertionError, match="validator ran"):
        load_contract(path)


def test_an_invalid_text_is_never_marked(tmp_path: Path, cache: Path) -> None:
    path = _write(tmp_path, VALID.replace("version: 1", "version: 2"))
    for _ in range(2):
        with pytest.raises(ContractError, match="version"):
            load_contract(path)
    assert not cache.exists() or not list(cache.iterdir())


def test_the_cache_can_be_turned_off(tmp_path: Path, cache: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRUTHGATE_NO_CONTRACT_CACHE", "1")
    load_contract(_write(tmp_path, VALID))
    assert not cache.exists()


def test_marks_are_pruned(tmp_path: Path, cache: Path) -> None:
    for i in range(MAX_MARKS + 1):
        remember_valid(f"{i:064x}")
    assert len(list(cache.iterdir())) <= MAX_MARKS


def test_an_unwritable_cache_only_costs_speed(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert load_contract(_write(tmp_path, VALID)).product.name == "shop"


def test_the_fingerprint_follows_the_package_sources(tmp_path: Path) -> None:
    from truthgate.contract.validcache import _source_stamps

    pkg = tmp_path / "pkg"
    (pkg / "kinds").mkdir(parents=True)
    (pkg / "__pycache__").mkdir()
    (pkg / "a.py").write_text("A = 1\n")
    (pkg / "kinds" / "b.py").write_text("B = 1\n")
    (pkg / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"x")
    before = _source_stamps(pkg)
    assert before.splitlines()[0].startswith("a.py:") and "kinds" in before
    (pkg / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"changed")
    assert _source_stamps(pkg) == before  # bytecode is not source
    (pkg / "kinds" / "b.py").write_text("B = 22\n")  # an edited kind: new schema, maybe
    assert _source_stamps(pkg) != before


def test_looking_up_a_mark_imports_no_verify_kind(tmp_path: Path) -> None:
    import subprocess
    import sys

    # smoke's start-up must not pay for the verify kinds just to find its mark.
    code = ("import sys; from truthgate.contract.validcache import known_valid; "
            "known_valid('0' * 64); "
            "print(sorted(m for m in sys.modules if m.startswith('truthgate.verify.kinds')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"XDG_CACHE_HOME": str(tmp_path), "PATH": ""}, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_a_known_valid_load_imports_no_kind_module(tmp_path: Path) -> None:
    import subprocess
    import sys

    # smoke never verifies: once a text is known valid, typing its invariants is left to
    # the verify runner and the 19 kind modules stay unimported. Scenario kinds load when
    # a scenario uses one (the schema, built only to validate, needs them all).
    path = _write(tmp_path, VALID + "smoke:\n  scenarios:\n"
                  "    - {id: S0, steps: [{request: {path: /health}}]}\n")
    code = ("import sys; from truthgate.app import load_contract; "
            f"load_contract({str(path)!r}); "
            "print(sorted(m for m in sys.modules if m.startswith("
            "('truthgate.verify.kinds.', 'truthgate.smoke.kinds.')) and not m.endswith('.base')))")
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": ""}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env=env, check=True).stdout.strip() for _ in range(2)]
    assert "truthgate.verify.kinds.no_wildcard_imports" in runs[0]
    assert "truthgate.smoke.kinds.health" in runs[0]
    assert runs[1] == "[]", runs[1]


def test_a_bad_param_is_still_a_contract_error_on_every_load(tmp_path: Path,
                                                             cache: Path) -> None:
    # Only texts that typed cleanly are marked, so a param the kind's parser refuses is
    # reported on every load, never deferred to the verify runner.
    path = _write(tmp_path, VALID.replace(
        "invariants: [{id: no-star, kind: no_wildcard_imports}]",
        "invariants: [{id: p, kind: pattern, regex: '(unclosed', message: m}]"))
    for _ in range(2):
        with pytest.raises(ContractError, match="pattern"):
            load_contract(path)
    assert not cache.exists() or not list(cache.iterdir())
