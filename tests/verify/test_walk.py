"""The repository walk: gitignore semantics, fixed skips, excludes, symlinks, unreadables."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from verify_support import Write

from truthgate.verify.walk import read_regular_file, walk_repo


def paths(root: Path, exclude: tuple[str, ...] = ()) -> list[str]:
    return [f.path for f in walk_repo(root, exclude).files]


def test_root_and_nested_gitignore_with_negation(tmp_path: Path, write: Write) -> None:
    write(".gitignore", "*.log\nbuild/\n/top.txt\n")
    write("a.py")
    write("x.log")
    write("top.txt")
    write("sub/top.txt")  # '/top.txt' is anchored to the root
    write("build/out.py")
    write("sub/build/gen.py")  # 'build/' matches at any depth
    write("sub/.gitignore", "!keep.log\nlocal.py\n")
    write("sub/keep.log")
    write("sub/drop.log")
    write("sub/local.py")
    write("local.py")  # the nested .gitignore only applies below sub/
    assert paths(tmp_path) == [
        ".gitignore",
        "a.py",
        "local.py",
        "sub/.gitignore",
        "sub/keep.log",
        "sub/top.txt",
    ]


def test_always_skipped_dirs_and_contract_excludes(tmp_path: Path, write: Write) -> None:
    for d in (".git", ".venv", "venv", "node_modules", "__pycache__", ".truthgate_cache"):
        write(f"{d}/x.py")
        write(f"pkg/{d}/y.py")
    write("pkg/mod.py")
    write("docs/conf.py")
    write("migrations/0001.py")
    write("venvish/ok.py")  # only the exact names are skipped
    assert paths(tmp_path, ("docs/", "migrations/**")) == ["pkg/mod.py", "venvish/ok.py"]


def test_symlink_loop_terminates_and_lists_each_file_once(tmp_path: Path, write: Write) -> None:
    write("pkg/a.py")
    os.symlink(tmp_path / "pkg", tmp_path / "pkg" / "loop")
    os.symlink(tmp_path, tmp_path / "pkg" / "up")
    assert paths(tmp_path) == ["pkg/a.py"]


def test_symlink_out_of_root_is_reported_not_followed(tmp_path: Path, write: Write) -> None:
    outside = tmp_path / "outside"
    (outside / "secret").mkdir(parents=True)
    (outside / "secret" / "s.py").write_text("x = 1\n")
    (outside / "f.py").write_text("y = 1\n")
    root = tmp_path / "repo"
    root.mkdir()
    (root / "a.py").write_text("")
    os.symlink(outside / "secret", root / "linkdir")
    os.symlink(outside / "f.py", root / "linkfile.py")
    os.symlink(root / "a.py", root / "inside.py")  # stays inside: followed
    os.symlink(root / "missing.py", root / "broken.py")
    result = walk_repo(root)
    assert [f.path for f in result.files] == ["a.py", "inside.py"]
    assert [(p.path, p.detail) for p in result.problems] == [
        ("broken.py", "unreadable: broken symlink or vanished file"),
        ("linkdir", "symlink points outside the repository"),
        ("linkfile.py", "symlink points outside the repository"),
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads everything")
def test_unreadable_directory_is_reported(tmp_path: Path, write: Write) -> None:
    write("ok.py")
    write("locked/x.py")
    (tmp_path / "locked").chmod(0)
    try:
        result = walk_repo(tmp_path)
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert [f.path for f in result.files] == ["ok.py"]
    assert [(p.path, p.detail) for p in result.problems] == [
        ("locked", "unreadable: permission denied")
    ]


def test_stat_data_is_recorded(tmp_path: Path, write: Write) -> None:
    p = write("a.py", "x = 1\n")
    (f,) = walk_repo(tmp_path).files
    assert (f.size, f.mtime_ns, f.abspath) == (6, p.stat().st_mtime_ns, str(p.resolve()))


def test_a_fifo_is_a_reported_skip_not_a_file(tmp_path: Path, write: Write) -> None:
    write("a.py")
    os.mkfifo(tmp_path / "pipe.py")
    walked = walk_repo(tmp_path)
    assert [f.path for f in walked.files] == ["a.py"]
    assert [(p.path, p.detail) for p in walked.problems] == [
        ("pipe.py", "skipped: a named pipe (FIFO), not a regular file")]


def test_reading_a_fifo_fails_at_once_instead_of_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.py")
    with pytest.raises(OSError, match="named pipe"):
        read_regular_file(str(tmp_path / "pipe.py"))  # no writer: a plain open() would hang


def test_reading_a_regular_file_returns_all_its_bytes(tmp_path: Path) -> None:
    data = bytes(range(256)) * 1000
    (tmp_path / "big.bin").write_bytes(data)
    assert read_regular_file(str(tmp_path / "big.bin")) == data
