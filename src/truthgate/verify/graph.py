"""The module import graph of a repository, built from facts (no AST, no imports executed).

Nodes are the repository's modules (from file paths: packages, ``src/`` layouts, top-level
modules). Each import becomes an edge to the most specific repository module it names
(``from pkg import sub`` -> ``pkg.sub`` when that is a module, else ``pkg``); imports of
modules outside the repository become edges to their dotted name, marked ``external``.
"""

from __future__ import annotations

import functools
import re
from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase, translate

from truthgate.verify.facts import FileFacts, ImportFact


@dataclass(frozen=True)
class ImportEdge:
    """``importer`` imports ``imported`` at ``path:line:col``."""

    importer: str
    imported: str
    path: str
    line: int
    col: int
    type_checking: bool = False
    in_function: bool = False
    external: bool = False

    def __str__(self) -> str:
        return f"{self.importer} -> {self.imported} ({self.path}:{self.line})"


def module_matches(module: str, pattern: str) -> bool:
    """True when ``module`` or one of its parent packages matches the fnmatch ``pattern``.

    So 'legacy' covers 'legacy.db' too, and 'app.*' covers 'app.api.routes'.
    """
    return modules_matcher((pattern,))(module)


def _module_matches_slow(module: str, patterns: tuple[str, ...]) -> bool:
    parts = module.split(".")
    prefixes = [module] + [".".join(parts[:i]) for i in range(1, len(parts))]
    return any(fnmatchcase(m, p) for p in patterns for m in prefixes)


@functools.lru_cache(maxsize=256)
def modules_matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """``lambda m: any(module_matches(m, p) for p in patterns)``, compiled once, memoised per module.

    The globs become one regex, matched from the start of the module and ending at a dot
    or at the end: that is, some parent package or the module itself matches a glob whole,
    as ``fnmatchcase`` would say of each (it matches ``fnmatch.translate``'s regex).
    A layering rule asks this of the same few hundred modules thousands of times.
    """
    bodies = []
    for p in patterns:
        full = translate(p)  # '(?s:...)\\Z'
        if not full.endswith(("\\Z", "\\z")):
            return functools.partial(_module_matches_slow, patterns=patterns)
        bodies.append(full[:-2])
    if not bodies:
        return lambda module: False
    match = re.compile("(?:" + "|".join(bodies) + r")(?=\.|\Z)").match
    memo: dict[str, bool] = {}

    def matches(module: str) -> bool:
        hit = memo.get(module)
        if hit is None:
            hit = memo[module] = match(module) is not None
        return hit

    return matches


class ImportGraph:
    """Modules, their import edges, cycles (SCCs) and reachability."""

    def __init__(self, files: Iterable[FileFacts]) -> None:
        self.modules: dict[str, str] = {}  # module -> path
        self._init: set[str] = set()
        pending: list[tuple[str, FileFacts]] = []
        for f in files:
            if not f.is_python or not f.module:
                continue
            # Two files can claim one module (src/x.py and x.py); the first, sorted, wins.
            if f.module in self.modules:
                continue
            self.modules[f.module] = f.path
            if f.is_package_init:
                self._init.add(f.module)
            pending.append((f.module, f))
        edges: list[ImportEdge] = []
        for module, f in pending:
            for imp in f.imports:
                edges.extend(self._edges_of(module, f.path, f.is_package_init, imp))
        self.edges: tuple[ImportEdge, ...] = tuple(edges)
        self._by_path = {p: m for m, p in self.modules.items()}

    # -- construction ----------------------------------------------------------------------
    def _known(self, name: str) -> str:
        """The longest repository module that is ``name`` or a parent of it ('' if none)."""
        while name:
            if name in self.modules:
                return name
            name = name.rpartition(".")[0]
        return ""

    def _edges_of(self, module: str, path: str, is_init: bool, imp: ImportFact) -> list[ImportEdge]:
        if imp.level:
            # A package's __init__ is its own base; a plain module's base is its package.
            base = module.split(".") if is_init else module.split(".")[:-1]
            # Python refuses to climb to or above the top-level package ('beyond top-level').
            if imp.level - 1 >= len(base):
                return []
            base = base[: len(base) - (imp.level - 1)]
            target = ".".join([*base, imp.module] if imp.module else base)
        else:
            target = imp.module
        if not target:
            return []
        targets: list[str] = []
        if imp.is_from:
            plain = False
            for name in imp.names:
                sub = f"{target}.{name}"
                if name != "*" and sub in self.modules:
                    targets.append(sub)
                else:
                    plain = True
            if plain:
                targets.append(target)
        else:
            targets.append(target)
        out = []
        for t in dict.fromkeys(targets):
            known = self._known(t)
            if known == module:
                continue  # 'from pkg import name' inside pkg itself is not a cycle
            out.append(
                ImportEdge(
                    module,
                    known or t,
                    path,
                    imp.line,
                    imp.col,
                    imp.type_checking,
                    imp.in_function,
                    external=not known,
                )
            )
        return out

    # -- queries ---------------------------------------------------------------------------
    def module_of(self, path: str) -> str:
        """The module defined by a repository path ('' when none)."""
        return self._by_path.get(path, "")

    def adjacency(
        self,
        *,
        ignore_type_checking: bool = False,
        ignore_function_level: bool = False,
        internal_only: bool = False,
    ) -> dict[str, list[ImportEdge]]:
        """importer -> its edges (first edge per target, in file order)."""
        adj: dict[str, list[ImportEdge]] = {m: [] for m in self.modules}
        seen: set[tuple[str, str]] = set()
        for e in self.edges:
            if (ignore_type_checking and e.type_checking) or (
                ignore_function_level and e.in_function
            ):
                continue
            if internal_only and e.external:
                continue
            if (e.importer, e.imported) in seen:
                continue
            seen.add((e.importer, e.imported))
            adj[e.importer].append(e)
        return adj

    def cycles(
        self,
        *,
        ignore_type_checking: bool = True,
        ignore_function_level: bool = True,
        within: Collection[str] | None = None,
    ) -> tuple[tuple[ImportEdge, ...], ...]:
        """One cycle per strongly connected component, as a closed chain of edges.

        ``within`` restricts the graph to those modules. Chains start at the component's
        smallest module and take the shortest way back, so they are stable run to run.
        """
        adj = self.adjacency(
            ignore_type_checking=ignore_type_checking,
            ignore_function_level=ignore_function_level,
            internal_only=True,
        )
        if within is not None:
            keep = set(within)
            adj = {m: [e for e in es if e.imported in keep] for m, es in adj.items() if m in keep}
        out = []
        for scc in strongly_connected(adj):
            if len(scc) < 2:
                continue
            out.append(_cycle_chain(min(scc), set(scc), adj))
        return tuple(sorted(out, key=lambda chain: chain[0].importer))

    def reachable(
        self,
        start: str,
        *,
        ignore_type_checking: bool = False,
        ignore_function_level: bool = False,
    ) -> dict[str, tuple[ImportEdge, ...]]:
        """Every module (repository or external) ``start`` imports, directly or not,
        each with the shortest chain of edges that gets there."""
        adj = self.adjacency(
            ignore_type_checking=ignore_type_checking, ignore_function_level=ignore_function_level
        )
        chains: dict[str, tuple[ImportEdge, ...]] = {}
        queue = deque([start])
        path_to: dict[str, tuple[ImportEdge, ...]] = {start: ()}
        while queue:
            node = queue.popleft()
            for e in adj.get(node, ()):
                if e.imported in path_to:
                    continue
                path_to[e.imported] = (*path_to[node], e)
                chains[e.imported] = path_to[e.imported]
                queue.append(e.imported)
        return chains


def _cycle_chain(
    start: str, members: set[str], adj: Mapping[str, list[ImportEdge]]
) -> tuple[ImportEdge, ...]:
    # Breadth-first from start back to start, staying inside the component.
    prev: dict[str, ImportEdge] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for e in adj.get(node, ()):
            if e.imported not in members:
                continue
            if e.imported == start:
                chain = [e]
                while chain[0].importer != start:
                    chain.insert(0, prev[chain[0].importer])
                return tuple(chain)
            if e.imported not in prev:
                prev[e.imported] = e
                queue.append(e.imported)
    return ()  # unreachable for a real component of two or more modules


def strongly_connected(adj: Mapping[str, list[ImportEdge]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (no recursion limit on deep graphs), in sorted order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in sorted(adj):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            succs = [e.imported for e in adj.get(node, ()) if e.imported in adj]
            recursed = False
            while i < len(succs):
                nxt = succs[i]
                i += 1
                if nxt not in index:
                    work.append((node, i))
                    work.append((nxt, 0))
                    recursed = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if recursed:
                continue
            if low[node] == index[node]:
                comp = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.append(w)
                    if w == node:
                        break
                out.append(sorted(comp))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return out
