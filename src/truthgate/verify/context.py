"""The engine's ``CheckContext``: one shared repository state, one view per invariant."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from truthgate.safeio import read_regular
from truthgate.verify.cachedir import stat_sig
from truthgate.verify.extract import decode_source
from truthgate.verify.facts import FileFacts
from truthgate.verify.graph import ImportEdge, ImportGraph
from truthgate.verify.sourceroots import detect_source_roots, with_source_roots
from truthgate.verify.walk import compile_globs

if TYPE_CHECKING:
    from truthgate.contract.model import Contract

# Beyond this a file is not worth holding as text for a kind (they get facts instead).
_MAX_TEXT_BYTES = 16 * 1024 * 1024


class _SharedGraph(ImportGraph):
    """The run's one import graph, memoising ``adjacency`` per flag combination.

    The graph never changes after construction, and ``reachable`` rebuilds the adjacency on
    every call: a transitive ``forbidden_imports`` rule with a hundred source modules paid
    for a hundred identical rebuilds. Callers only read the returned lists.
    """

    def __init__(self, files: tuple[FileFacts, ...]) -> None:
        super().__init__(files)
        self._adjacency: dict[tuple[bool, bool, bool], dict[str, list[ImportEdge]]] = {}

    def adjacency(
        self,
        *,
        ignore_type_checking: bool = False,
        ignore_function_level: bool = False,
        internal_only: bool = False,
    ) -> dict[str, list[ImportEdge]]:
        key = (ignore_type_checking, ignore_function_level, internal_only)
        found = self._adjacency.get(key)
        if found is None:
            found = super().adjacency(
                ignore_type_checking=ignore_type_checking,
                ignore_function_level=ignore_function_level,
                internal_only=internal_only,
            )
            self._adjacency[key] = found
        return found


class RepoState:
    """What every invariant of a run shares: facts, lazily the graph and file texts.

    Mutable on purpose (it memoises); kinds only ever see it through ``InvariantContext``.
    Every path read or probed through it is recorded with its stat in ``deps``, so a stored
    result can later be proven still valid (see ``cache.ResultsCache``).
    """

    def __init__(self, root: Path, contract: Contract, all_files: tuple[FileFacts, ...]) -> None:
        self.root = root
        self.contract = contract
        self.all_files = all_files
        self._graph: ImportGraph | None = None
        self._texts: dict[str, str | None] = {}
        self._lines: dict[str, list[str]] = {}
        self._real_root = ""
        self._selections: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[FileFacts, ...]]
        self._selections = {}
        self.deps: dict[str, tuple[int, int]] = {}

    def graph(self) -> ImportGraph:
        """The import graph of every walked file, built on first use."""
        if self._graph is None:
            roots = detect_source_roots(self.contract.verify.source_roots, self.read_text,
                                        (f.path for f in self.all_files))
            self._graph = _SharedGraph(with_source_roots(self.all_files, roots))
        return self._graph

    def select(self, paths: Sequence[str], exclude: Sequence[str]) -> tuple[FileFacts, ...]:
        """``select_files`` over every file, memoised: most invariants share their globs."""
        key = (tuple(paths), tuple(exclude))
        found = self._selections.get(key)
        if found is None:
            found = self._selections[key] = select_files(self.all_files, paths, exclude)
        return found

    def _note(self, path: str) -> None:
        if path not in self.deps:
            if not self._real_root:
                self._real_root = os.path.realpath(self.root)
            self.deps[path] = stat_sig(os.path.join(self._real_root, path))

    def _resolve(self, path: str) -> str | None:
        if not self._real_root:
            self._real_root = os.path.realpath(self.root)
        full = os.path.realpath(os.path.join(self._real_root, path))
        inside = full == self._real_root or full.startswith(self._real_root + os.sep)
        return full if inside else None

    def read_text(self, path: str) -> str | None:
        """Text of a repository file; None when missing, outside the root, binary or not UTF-8."""
        if path in self._texts:
            return self._texts[path]
        self._note(path)
        text: str | None = None
        full = self._resolve(path)
        if full is not None:
            try:
                # Regular files only, never blocking: a FIFO at .env.example or a kb file
                # would otherwise hang verify, a link to /dev/zero fill the memory.
                data = read_regular(full, _MAX_TEXT_BYTES)
                if b"\0" not in data[:8192]:
                    # Python source in the encoding it declares (PEP 263), as verify parses it.
                    text = (decode_source(data) if path.endswith(".py")
                            else data.decode("utf-8-sig"))
            except (OSError, UnicodeDecodeError, SyntaxError):
                text = None
        self._texts[path] = text
        return text

    def exists(self, path: str) -> bool:
        """True when ``path`` (relative to the root) exists inside the repository."""
        self._note(path)
        full = self._resolve(path)
        return full is not None and os.path.exists(full)

    def line_text(self, path: str, line: int) -> str:
        """Line ``line`` (1-based) of a file, without its line ending; '' when unavailable."""
        if line <= 0:
            return ""
        lines = self._lines.get(path)
        if lines is None:
            text = self.read_text(path)
            lines = text.splitlines() if text is not None else []
            self._lines[path] = lines
        return lines[line - 1] if line <= len(lines) else ""


def select_files(
    files: Sequence[FileFacts], paths: Sequence[str], exclude: Sequence[str]
) -> tuple[FileFacts, ...]:
    """The files matched by the gitignore-style ``paths`` globs and not by ``exclude``."""
    include = compile_globs(paths)
    skip = compile_globs(exclude)
    return tuple(f for f in files if include.match_file(f.path) and not skip.match_file(f.path))


@dataclass(frozen=True)
class InvariantContext:
    """The ``CheckContext`` one invariant sees: the shared state plus its own file selection.

    ``consulted`` collects every repository path the check read or probed through this view
    (the shared state memoises across invariants, so only the view can tell which invariant
    looked at what): a kind that checks named files rather than its selection is credited
    with the files it actually checked.
    """

    state: RepoState
    selected: tuple[FileFacts, ...]
    consulted: set[str] = field(default_factory=set, compare=False)

    @property
    def root(self) -> Path:
        return self.state.root

    @property
    def contract(self) -> Contract:
        return self.state.contract

    @property
    def files(self) -> tuple[FileFacts, ...]:
        return self.selected

    @property
    def all_files(self) -> tuple[FileFacts, ...]:
        return self.state.all_files

    def graph(self) -> ImportGraph:
        """The import graph of the whole repository (shared, built once per run)."""
        return self.state.graph()

    def read_text(self, path: str) -> str | None:
        """Text of a repository file (cached per run)."""
        self.consulted.add(path)
        return self.state.read_text(path)

    def exists(self, path: str) -> bool:
        """True when the repository path exists."""
        self.consulted.add(path)
        return self.state.exists(path)

    def line_text(self, path: str, line: int) -> str:
        """One source line (1-based), '' when unavailable."""
        self.consulted.add(path)
        return self.state.line_text(path, line)

    def examined(self, checks_selection: bool) -> int:
        """How many files the check examined: its selection, or what it consulted.

        A kind that checks its selection (``needs_files``) examined exactly that; a kind that
        checks named paths (``required_files``' list, ``gitignore_covers``' file) examined
        the paths it read or probed, plus any selection it was given. A probed path that
        does not exist counts too: finding it missing is what the check examined.
        """
        if checks_selection:
            return len(self.selected)
        return len({f.path for f in self.selected} | self.consulted)
