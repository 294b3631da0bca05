"""The results cache: reused only when no input changed; anything doubtful recomputes."""

from __future__ import annotations

import ast
import os
import pickle
from pathlib import Path

import pytest
from verify_support import Write, make_contract, spec

from truthgate.verify import engine
from truthgate.verify.cachedir import CACHE_DIR
from truthgate.verify.engine import run_verify
from truthgate.verify.pyvisit import FactVisitor
from truthgate.verify.results_cache import RESULTS_FILE

STAR = spec("star", "no_wildcard_imports")
REUSED = "results: reused from the last run (no file, contract or truthgate change since)"


def _age(root: Path) -> None:
    for p in root.rglob("*"):
        if p.is_file() and CACHE_DIR not in p.parts:
            st = p.stat()
            os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns - 3600 * 10**9))


def _no_kinds(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object) -> object:
        raise AssertionError("facts were collected although nothing changed")

    monkeypatch.setattr(engine, "collect_facts", boom)


def test_unchanged_repository_reuses_results_without_collecting(
    tmp_path: Path, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("a.py", "from os import *\n")
    write("b.py", "x = 1\n")
    _age(tmp_path)
    contract = make_contract(tmp_path, STAR)
    first = run_verify(contract)
    assert (tmp_path / CACHE_DIR / RESULTS_FILE).is_file()
    _no_kinds(monkeypatch)
    second = run_verify(contract)
    assert second.invariants == first.invariants
    assert second.notes[1] == REUSED


def test_touched_file_is_rehashed_and_results_still_reused(
    tmp_path: Path, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("a.py", "from os import *\n")
    _age(tmp_path)
    contract = make_contract(tmp_path, STAR)
    run_verify(contract)
    a = tmp_path / "a.py"
    os.utime(a, ns=(a.stat().st_atime_ns, a.stat().st_mtime_ns + 10 * 10**9))
    _no_kinds(monkeypatch)
    again = run_verify(contract)
    assert again.notes[0].startswith("facts: 1 files, 0 from cache, 1 re-hashed unchanged")


def test_edited_file_contract_or_flags_recompute(tmp_path: Path, write: Write) -> None:
    write("a.py", "from os import *\n")
    contract = make_contract(tmp_path, STAR)
    (r,) = run_verify(contract).invariants
    assert len(r.findings) == 1
    old = (tmp_path / "a.py").stat()
    (tmp_path / "a.py").write_text("from os import path\n")  # same size, same mtime
    os.utime(tmp_path / "a.py", ns=(old.st_atime_ns, old.st_mtime_ns))
    (r,) = run_verify(contract).invariants
    assert r.findings == ()
    other = make_contract(tmp_path, STAR, spec("syntax", "python_syntax"))
    report = run_verify(other)
    assert [x.id for x in report.invariants] == ["star", "syntax"]
    assert REUSED not in report.notes
    assert REUSED not in run_verify(other, select=["syntax"]).notes


def test_file_read_outside_the_walk_is_tracked(tmp_path: Path, write: Write) -> None:
    # required_files probes kb files; one that the walk excludes still invalidates.
    write("a.py")
    write("kb/x.md", "# Title\n")
    _age(tmp_path)
    req = spec("kb", "required_files", {"files": ["kb/x.md"]})
    contract = make_contract(tmp_path, req, exclude=("kb/**",))
    (r,) = run_verify(contract).invariants
    assert r.outcome.value == "pass"
    (tmp_path / "kb" / "x.md").unlink()
    (r,) = run_verify(contract).invariants
    assert r.outcome.value == "fail"


@pytest.mark.parametrize("content", [b"", b"TGRES1\n" + b"\xff" * 20, b"garbage"])
def test_corrupted_results_file_is_ignored(tmp_path: Path, write: Write, content: bytes) -> None:
    write("a.py", "from os import *\n")
    contract = make_contract(tmp_path, STAR)
    first = run_verify(contract)
    (tmp_path / CACHE_DIR / RESULTS_FILE).write_bytes(content)
    again = run_verify(contract)
    assert [r.findings for r in again.invariants] == [r.findings for r in first.invariants]
    assert REUSED not in again.notes


class _Evil:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch pwned",))


def test_planted_results_cannot_run_code(tmp_path: Path, write: Write) -> None:
    write("a.py", "from os import *\n")
    contract = make_contract(tmp_path, STAR)
    run_verify(contract)
    head = pickle.dumps(_Evil())
    blob = b"TGRES1\n" + len(head).to_bytes(8, "little") + head + pickle.dumps(_Evil())
    (tmp_path / CACHE_DIR / RESULTS_FILE).write_bytes(blob)
    run_verify(contract)
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()


def test_no_cache_neither_reads_nor_writes_results(tmp_path: Path, write: Write) -> None:
    write("a.py")
    run_verify(make_contract(tmp_path, STAR), use_cache=False)
    assert not (tmp_path / CACHE_DIR / RESULTS_FILE).exists()


def test_fast_visitor_sees_nested_facts_in_source_order() -> None:
    tree = ast.parse(
        "import os\n"
        "def f(a=os.getenv('A', 'x')):\n"
        "    if TYPE_CHECKING:\n"
        "        import typing\n"
        "    return g(h(os.environ['B']), k=[1, 2])\n"
        "class S(BaseSettings):\n"
        "    token: str = 'abc'\n"
        "if __name__ == '__main__':\n"
        "    run('postgresql://u:p@h/db')\n"
    )
    got = FactVisitor().run(tree)
    assert [(i.module, i.type_checking, i.in_function) for i in got.imports] == [
        ("os", False, False), ("typing", True, True)
    ]
    assert [c.name for c in got.calls] == ["os.getenv", "g", "h", "run"]
    assert [e.name for e in got.env_reads] == ["A", "B"]
    assert got.calls[-1].in_main_guard and got.main_guards[0].line == 8
    assert [u.value for u in got.credential_urls] == ["postgresql://u:p@h/db"]
    assert ("k", [1, 2]) in got.calls[1].kwargs


def test_a_known_valid_contract_verifies_alike_and_reuses_the_fresh_runs_results(
    tmp_path: Path, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    from truthgate.contract import load_contract

    # The first load types the params; a later load of the same text leaves them raw for
    # the runner. Both must give the same verdict, and key the results cache alike.
    # Outside the repository: the user's cache (contract marks, the cache key) is not walked.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path.parent / f"{tmp_path.name}-xdg"))
    monkeypatch.delenv("TRUTHGATE_NO_CONTRACT_CACHE", raising=False)
    write("product/truth.yaml", "version: 1\nproduct: {name: x}\nentrypoint: {path: a.py}\n"
          "invariants: [{id: short, kind: max_file_lines, limit: 2}]\n")
    write("a.py", "x = 1\ny = 2\nz = 3\n")
    _age(tmp_path)
    fresh = load_contract(tmp_path / "product" / "truth.yaml")
    known = load_contract(tmp_path / "product" / "truth.yaml")
    assert fresh.invariants[0].params is not None and known.invariants[0].params is None
    first = run_verify(known)  # typed by the runner: limit 2, not the kind's default
    assert [f.location.path for r in first.invariants for f in r.findings if f.location] == [
        "a.py"]
    _no_kinds(monkeypatch)
    second = run_verify(fresh)
    assert second.notes[1] == REUSED
    assert second.invariants == first.invariants
