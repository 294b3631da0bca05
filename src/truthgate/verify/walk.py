"""List the repository's files the way git would see them, without ever leaving the root.

Honours every ``.gitignore`` on the way down (nested files apply to their own subtree, later
and deeper patterns win, negations work), the contract's global excludes, and a fixed set of
directories no repository wants scanned. Symlinks are followed only when they stay inside the
root, and each real directory is entered once, so link loops cannot hang the walk.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pathspec

from truthgate.safeio import file_type, read_regular

# Tool and dependency directories: never product code, often huge.
MAX_GITIGNORE_BYTES = 8 << 20  # a .gitignore past this is refused (noted, hides nothing)
ALWAYS_SKIP_DIRS = frozenset(
    {".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".truthgate_cache"}
)


@dataclass(frozen=True)
class WalkedFile:
    """A file in scope, with the stat data the facts cache keys on."""

    path: str  # posix, relative to the root
    abspath: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class WalkProblem:
    """Something the walk could not look at (reported, never fatal)."""

    path: str
    detail: str


@dataclass(frozen=True)
class WalkResult:
    files: tuple[WalkedFile, ...]
    problems: tuple[WalkProblem, ...]


def compile_globs(patterns: Sequence[str]) -> pathspec.PathSpec[Any]:
    """Gitignore-style globs ('**/*.py', 'app/**', 'build/') as one matcher."""
    return pathspec.PathSpec.from_lines("gitignore", [p for p in patterns if p.strip()])


@dataclass(frozen=True)
class IgnoreFile:
    """One parsed .gitignore and the directory it applies to."""

    base: str  # directory of the .gitignore, '' for the root, else 'a/b/'
    spec: pathspec.GitIgnoreSpec
    # Every pattern's regex: when none of them even finds the path, the spec cannot decide
    # anything about it, and the (much slower) full check is skipped. Most entries of a tree
    # match no pattern at all.
    regexes: tuple[Any, ...] = ()

    def may_match(self, probe: str) -> bool:
        return any(r.search(probe) for r in self.regexes)


def _regexes(spec: pathspec.PathSpec[Any]) -> tuple[Any, ...] | None:
    """The patterns' regexes compiled for RE2, or None when one cannot be (no prefilter).

    pathspec's own regexes are Python ``re`` objects, and a glob like
    ``*a*a*a*a*a*a*a*a*a*ab`` in a .gitignore backtracks: ``re`` searched a 31-character
    name for 0.9 s and a 41-character one for minutes. The same regexes in RE2 take
    linear time; the full check (``spec.match_file``) already runs on pathspec's RE2
    backend (google-re2 is a dependency).
    """
    import re2

    options = re2.Options()
    options.log_errors = False
    out = []
    for pattern in spec.patterns:
        if getattr(pattern, "include", None) is None:
            continue  # blank lines and comments
        regex = getattr(pattern, "regex", None)
        source = getattr(regex, "pattern", None)
        if not isinstance(source, str):
            return None
        try:
            out.append(re2.compile(source, options))
        except re2.error:
            return None
    return tuple(out)


def is_ignored(rel: str, is_dir: bool, ignores: Sequence[IgnoreFile]) -> bool:
    """Whether the .gitignore files in force (shallowest first) ignore ``rel``."""
    # Git evaluates deeper .gitignore files after shallower ones; the last decision wins.
    verdict = False
    probe = rel + "/" if is_dir else rel
    for ig in ignores:
        if not probe.startswith(ig.base):
            continue
        sub = probe[len(ig.base) :]
        if not ig.may_match(sub):
            continue
        result = ig.spec.check_file(sub)
        if result.include is not None:
            verdict = result.include
    return verdict


def load_gitignore(
    path: str, base: str, problems: list[WalkProblem] | None = None
) -> IgnoreFile | None:
    """The ``.gitignore`` at ``path`` (in directory ``base``, 'a/b/' or ''); None if unreadable.

    An unreadable file hides nothing (searching more is the safe direction); it is noted in
    ``problems`` when given.
    """
    try:
        # Never open() it: a FIFO named .gitignore would block the walk forever.
        lines = read_regular(path, MAX_GITIGNORE_BYTES).decode("utf-8", "replace").splitlines()
    except OSError as exc:
        if problems is not None:
            problems.append(
                WalkProblem(base + ".gitignore", f"unreadable: {exc.strerror or exc}")
            )
        return None
    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    regexes = _regexes(spec)
    if regexes is None:
        return IgnoreFile(base, spec, (_ANY,))  # no prefilter: always run the full check
    return IgnoreFile(base, spec, regexes)


class _Any:
    @staticmethod
    def search(_probe: str) -> bool:
        return True


_ANY = _Any()


def _inside(real: str, real_root: str) -> bool:
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def walk_repo(root: Path, exclude: Sequence[str] = ()) -> WalkResult:
    """Every file under ``root`` that is in scope, sorted by path, plus what could not be read."""
    real_root = os.path.realpath(root)
    excluded = compile_globs(exclude)
    has_excludes = any(p.strip() for p in exclude)
    files: list[WalkedFile] = []
    problems: list[WalkProblem] = []
    visited_dirs = {real_root}
    # Each stack item: (absolute dir, relative prefix 'a/b/' or '', ignores in force).
    stack: list[tuple[str, str, tuple[IgnoreFile, ...]]] = [(real_root, "", ())]
    while stack:
        absdir, prefix, ignores = stack.pop()
        try:
            with os.scandir(absdir) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            problems.append(WalkProblem(prefix.rstrip("/") or ".", _why(exc)))
            continue
        if any(e.name == ".gitignore" for e in entries):
            loaded = load_gitignore(os.path.join(absdir, ".gitignore"), prefix, problems)
            if loaded is not None:
                ignores = (*ignores, loaded)
        subdirs: list[tuple[str, str, tuple[IgnoreFile, ...]]] = []
        for entry in entries:
            rel = prefix + entry.name
            try:
                is_link = entry.is_symlink()
                # A plain directory's type comes with the listing (d_type): no stat needed.
                # Files (size, mtime) and links (their target) are stat'ed.
                if not is_link and entry.is_dir(follow_symlinks=False):
                    is_dir, st = True, None
                else:
                    st = entry.stat(follow_symlinks=True)
                    is_dir = stat.S_ISDIR(st.st_mode)
            except OSError as exc:
                problems.append(WalkProblem(rel, _why(exc)))
                continue
            if is_dir and entry.name in ALWAYS_SKIP_DIRS:
                continue
            if ignores and is_ignored(rel, is_dir, ignores):
                continue
            if has_excludes and excluded.match_file(rel + "/" if is_dir else rel):
                continue
            if is_link:
                real = os.path.realpath(entry.path)
                if not _inside(real, real_root):
                    problems.append(WalkProblem(rel, "symlink points outside the repository"))
                    continue
            if is_dir:
                # The walk starts from the real root, so only links need resolving.
                key = os.path.realpath(entry.path) if is_link else entry.path
                # A directory reached twice (via a link) is walked once: no loops, no duplicates.
                if key in visited_dirs:
                    continue
                visited_dirs.add(key)
                subdirs.append((entry.path, rel + "/", ignores))
            elif st is not None and stat.S_ISREG(st.st_mode):
                files.append(WalkedFile(rel, entry.path, st.st_size, st.st_mtime_ns))
            elif st is not None:
                # A FIFO, socket or device: reading it could block or never end. Say so
                # rather than skipping silently (a FIFO named app.py is not checked code).
                problems.append(WalkProblem(rel, f"skipped: {_file_type(st.st_mode)}, not a regular file"))
        # Reverse so that popping visits directories in name order (deterministic output).
        stack.extend(reversed(subdirs))
    files.sort(key=lambda f: f.path)
    problems.sort(key=lambda p: p.path)
    return WalkResult(tuple(files), tuple(problems))


def _file_type(mode: int) -> str:
    return file_type(mode)


def read_regular_file(abspath: str, limit: int | None = None) -> bytes:
    """The bytes of a regular file; OSError for anything else, without ever blocking.

    The walk saw a regular file, but it may have been swapped for a FIFO since: opening a
    FIFO for reading blocks until a writer appears (see :mod:`truthgate.safeio`).
    """
    return read_regular(abspath, limit)


def _why(exc: OSError) -> str:
    if isinstance(exc, PermissionError):
        return "unreadable: permission denied"
    if isinstance(exc, FileNotFoundError):
        return "unreadable: broken symlink or vanished file"
    return f"unreadable: {exc.strerror or exc}"
