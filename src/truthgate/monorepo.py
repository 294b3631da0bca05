"""Find every contract of a monorepo: each ``product/truth.yaml`` below a root.

One contract per service; the service's repository root is the directory above its
``product/``. The search looks at directories only: it never stats a file except the one
``truth.yaml`` candidate under each ``product/`` directory, so a large tree costs one
``scandir`` per directory it enters. It honours every ``.gitignore`` on the way down (a
nested file applies to its own subtree; later and deeper patterns win; negations work)
and skips the tool directories no repository wants scanned (``.git``, ``.venv``,
``node_modules``, ...). Symlinked directories are not followed: a link cannot lead the
search out of the root or round a loop, and a service reached through a link would be
gated twice.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from truthgate.errors import UsageError
from truthgate.model import Finding, RunReport
from truthgate.verify.walk import ALWAYS_SKIP_DIRS, IgnoreFile, is_ignored, load_gitignore

CONTRACT_DIR, CONTRACT_FILE = "product", "truth.yaml"
# Beyond the tool directories every walk skips: other caches that hold no services and can
# be large. A contract inside one of them is a copy, not a service.
SKIP_DIRS = ALWAYS_SKIP_DIRS | {".tox", ".nox", ".mypy_cache", ".pytest_cache",
                                ".ruff_cache", "site-packages"}


class MonorepoUsageError(UsageError, ValueError):
    """The search cannot run as asked (no such directory): exit 2."""


@dataclass(frozen=True)
class FoundContract:
    """A contract found below the search root; paths are posix, relative to that root."""

    contract: str  # 'services/api/product/truth.yaml', or 'product/truth.yaml'
    root: str  # 'services/api', or '.' for the search root itself
    path: Path  # the contract file as the search root was given (relative stays relative)
    repo_root: Path  # the directory above product/, likewise


@dataclass(frozen=True)
class ContractGate:
    """One contract's verdict in a monorepo run: a report, or why the contract is invalid."""

    found: FoundContract
    product: str = ""  # the product's name; '' when the contract could not be loaded
    report: RunReport | None = None
    error: str = ""  # the located contract error, rendered; set exactly when report is None

    @property
    def status(self) -> str:
        """passed | failed | invalid."""
        if self.report is None:
            return "invalid"
        return "passed" if self.report.passed else "failed"

    @property
    def exit_code(self) -> int:
        return 2 if self.report is None else self.report.exit_code


def combined_exit_code(gates: Sequence[ContractGate]) -> int:
    """2 if any contract is invalid, else 1 if any gate failed, else 0."""
    return max((g.exit_code for g in gates), default=0)


def find_contracts(root: Path) -> tuple[FoundContract, ...]:
    """Every ``product/truth.yaml`` below ``root`` (itself included), sorted by path."""
    if not root.is_dir():
        raise MonorepoUsageError(f"{root} is not a directory")
    found: list[FoundContract] = []
    # Each stack item: (absolute directory, relative prefix 'a/b/' or '', ignores in force).
    stack: list[tuple[str, str, tuple[IgnoreFile, ...]]] = [(os.fspath(root), "", ())]
    while stack:
        absdir, prefix, ignores = stack.pop()
        try:
            with os.scandir(absdir) as it:
                entries = list(it)
        except OSError:
            continue  # unreadable directory: nothing we could gate in it
        names = {e.name for e in entries}
        if ".gitignore" in names:
            loaded = load_gitignore(os.path.join(absdir, ".gitignore"), prefix)
            if loaded is not None:
                ignores = (*ignores, loaded)
        for entry in entries:
            try:
                # d_type from the listing: no stat for plain directories, links are skipped.
                if entry.is_symlink() or not entry.is_dir(follow_symlinks=False):
                    continue
            except OSError:
                continue
            rel = prefix + entry.name
            if entry.name in SKIP_DIRS or (ignores and is_ignored(rel, True, ignores)):
                continue
            if entry.name == CONTRACT_DIR and _is_contract(entry.path, rel, ignores):
                found.append(_found(root, prefix))
            stack.append((entry.path, rel + "/", ignores))
    return tuple(sorted(found, key=lambda f: f.contract))


def _is_contract(product_dir: str, rel: str, ignores: tuple[IgnoreFile, ...]) -> bool:
    candidate = os.path.join(product_dir, CONTRACT_FILE)
    if not os.path.isfile(candidate):
        return False
    # A gitignored truth.yaml is a local scratch copy, not a service's contract.
    return not is_ignored(f"{rel}/{CONTRACT_FILE}", False, ignores)


def _found(root: Path, prefix: str) -> FoundContract:
    repo_rel = prefix.rstrip("/")
    contract = f"{prefix}{CONTRACT_DIR}/{CONTRACT_FILE}"
    repo_root = root / repo_rel if repo_rel else root
    return FoundContract(contract=contract, root=repo_rel or ".",
                         path=root / contract, repo_root=repo_root)


def checkout_root(path: Path) -> Path | None:
    """The git checkout holding ``path``: the nearest directory with a ``.git``, or None.

    ``.git`` may be a file (a worktree or a submodule): either way that directory is the
    root its files' paths are relative to on the forge.
    """
    start = path.resolve()
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def path_from(base: Path, target: Path) -> str:
    """``target`` as a posix path relative to ``base`` ('' for base itself).

    A target outside ``base`` stays absolute: a '../' path names nothing in the checkout,
    while an absolute one is still mapped onto it by the Actions runner when it lies inside
    the workspace.
    """
    full = target.resolve()
    try:
        rel = os.path.relpath(full, base.resolve())
    except ValueError:  # another drive (Windows): no relative path exists
        return full.as_posix()
    if rel.startswith(os.pardir):
        return full.as_posix()
    return "" if rel == os.curdir else Path(rel).as_posix()


def relocated(report: RunReport, prefix: str) -> RunReport:
    """``report`` with every finding's path, and the contract's, joined onto ``prefix``.

    A gate reports paths relative to its contract's repository root; a monorepo job needs
    them relative to the checkout ('services/api/app.py', not 'app.py'). Findings without a
    file, and absolute paths, are left as they are; fingerprints are untouched, so baselines
    still match.
    """
    if not prefix:
        return report

    def joined(path: str) -> str:
        if not path or posixpath.isabs(path):
            return path
        return posixpath.normpath(posixpath.join(prefix, path.replace("\\", "/")))

    def move(f: Finding) -> Finding:
        loc = f.location
        if loc is None or joined(loc.path) == loc.path:
            return f
        return dataclasses.replace(f, location=dataclasses.replace(loc, path=joined(loc.path)))

    invariants = tuple(dataclasses.replace(r, findings=tuple(map(move, r.findings)))
                       for r in report.invariants)
    # Smoke results point at the contract file (the scenario's line in it).
    context = dataclasses.replace(report.context,
                                  contract_path=joined(report.context.contract_path))
    return dataclasses.replace(report, invariants=invariants, context=context,
                               skipped_files=tuple(map(move, report.skipped_files)))


__all__ = ["CONTRACT_DIR", "CONTRACT_FILE", "SKIP_DIRS", "ContractGate", "FoundContract",
           "MonorepoUsageError", "checkout_root", "combined_exit_code", "find_contracts",
           "path_from", "relocated"]
