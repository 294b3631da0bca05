"""The facts cache: warm runs read nothing unchanged; corruption and tampering are harmless."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from verify_support import Write, make_contract, spec

from truthgate.verify import collect
from truthgate.verify.cache import CACHE_FILE, FactsCache
from truthgate.verify.cachedir import CACHE_DIR
from truthgate.verify.collect import collect_facts
from truthgate.verify.engine import run_verify
from truthgate.verify.walk import walk_repo


def _age(root: Path) -> None:
    # Files modified within the cache's racy window are re-hashed on the next run by design;
    # the repositories of these tests are "old" so that stat alone is trusted.
    for p in root.rglob("*"):
        if p.is_file() and CACHE_DIR not in p.parts:
            st = p.stat()
            os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns - 3600 * 10**9))


def _repo(write: Write) -> None:
    write("app/__init__.py")
    write("app/a.py", "from app import b\n")
    write("app/b.py", "import os\n")
    write("README.md", "hello\n")
    _age(Path(write("app/__init__.py")).parent.parent)


def _collect(root: Path):  # type: ignore[no-untyped-def]
    return collect_facts(walk_repo(root).files, FactsCache(root), jobs=1)


def _forbid_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object) -> bytes:
        raise AssertionError(f"re-read or re-parsed {args[0]}")

    monkeypatch.setattr(collect, "read_regular_file", boom)
    monkeypatch.setattr(collect, "extract_facts", boom)


def test_warm_run_reads_and_parses_nothing(
    tmp_path: Path, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    _repo(write)
    cold, stats = _collect(tmp_path)
    assert (stats.from_cache, stats.extracted) == (0, 4)
    assert (tmp_path / CACHE_DIR / CACHE_FILE).is_file()
    _forbid_reading(monkeypatch)
    warm, stats = _collect(tmp_path)
    assert (stats.from_cache, stats.rehashed, stats.extracted) == (4, 0, 0)
    assert warm == cold


def test_whole_engine_warm_run_parses_nothing(
    tmp_path: Path, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    _repo(write)
    contract = make_contract(tmp_path, spec("syntax", "python_syntax"))
    first = run_verify(contract)
    _forbid_reading(monkeypatch)
    second = run_verify(contract)
    assert second.notes[0] == (
        "facts: 4 files, 4 from cache, 0 re-hashed unchanged, 0 parsed, 1 worker(s)"
    )
    assert second.invariants == first.invariants or [
        (r.id, r.outcome) for r in second.invariants
    ] == [(r.id, r.outcome) for r in first.invariants]


def test_touched_file_is_rehashed_edited_file_is_reparsed(tmp_path: Path, write: Write) -> None:
    _repo(write)
    _collect(tmp_path)
    b = tmp_path / "app" / "b.py"
    os.utime(b, ns=(b.stat().st_atime_ns, b.stat().st_mtime_ns + 10 * 10**9))
    _, stats = _collect(tmp_path)
    assert (stats.from_cache, stats.rehashed, stats.extracted) == (3, 1, 0)
    old = b.stat()
    b.write_text("import sys\n")  # same size, new content
    os.utime(b, ns=(old.st_atime_ns, old.st_mtime_ns - 7200 * 10**9))
    facts, stats = _collect(tmp_path)
    assert (stats.from_cache, stats.rehashed, stats.extracted) == (3, 0, 1)
    assert [i.module for f in facts if f.path == "app/b.py" for i in f.imports] == ["sys"]


def test_deleted_files_leave_the_cache(tmp_path: Path, write: Write) -> None:
    _repo(write)
    _collect(tmp_path)
    (tmp_path / "README.md").unlink()
    _collect(tmp_path)
    assert len(FactsCache(tmp_path)) == 3


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not a pickle at all",
        pickle.dumps({"stamp": "truthgate 0.0.0 facts 0", "entries": {}}),
        pickle.dumps({"stamp": "x", "entries": {}})[:10],
    ],
)
def test_corrupted_or_stale_cache_is_ignored_and_rebuilt(
    tmp_path: Path, write: Write, content: bytes
) -> None:
    _repo(write)
    write(f"{CACHE_DIR}/{CACHE_FILE}", content)
    _, stats = _collect(tmp_path)
    assert stats.extracted == 4
    _, stats = _collect(tmp_path)
    assert stats.from_cache == 4


class _Evil:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch pwned",))


def test_planted_pickle_cannot_run_code(tmp_path: Path, write: Write) -> None:
    _repo(write)
    write(f"{CACHE_DIR}/{CACHE_FILE}", pickle.dumps({"stamp": "x", "entries": _Evil()}))
    _, stats = _collect(tmp_path)
    assert stats.extracted == 4
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()


def test_unwritable_cache_dir_does_not_fail_the_run(tmp_path: Path, write: Write) -> None:
    _repo(write)
    write(CACHE_DIR, "a file where the cache directory should be")
    facts, stats = _collect(tmp_path)
    assert (len(facts), stats.extracted) == (5, 5)  # the stray file is just a file


def test_parallel_extraction_matches_serial(
    tmp_path: Path, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    for i in range(30):
        write(f"pkg/m{i}.py", f"import pkg.m{(i + 1) % 30}\nX = {i}\n")
    write("pkg/bad.py", "def (:\n")
    files = walk_repo(tmp_path).files
    serial, s_stats = collect_facts(files, None, jobs=1)
    monkeypatch.setattr(collect, "PARALLEL_MIN_FILES", 10)
    parallel, p_stats = collect_facts(files, None, jobs=2)
    assert (s_stats.workers, p_stats.workers) == (1, 2)
    assert parallel == serial


def test_unreadable_file_is_a_problem_not_a_crash(
    tmp_path: Path, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("a.py", "x = 1\n")

    def denied(path: str) -> bytes:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(collect, "read_regular_file", denied)
    (f,), _ = _collect(tmp_path)
    assert (f.path, f.problem, f.problem_detail) == ("a.py", "unreadable", "permission denied")
    monkeypatch.undo()
    _, stats = _collect(tmp_path)
    assert stats.extracted == 1  # unreadable results are never cached


def test_recently_modified_files_are_rehashed_not_trusted(tmp_path: Path, write: Write) -> None:
    write("fresh.py", "x = 1\n")  # modified "now": same-tick edits could hide behind its stat
    _collect(tmp_path)
    _, stats = _collect(tmp_path)
    assert (stats.from_cache, stats.rehashed, stats.extracted) == (0, 1, 0)
