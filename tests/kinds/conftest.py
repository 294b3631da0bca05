"""Helpers for the invariant-kind tests: real files in a tmp repo, a small CheckContext.

``repo`` writes files; ``run_kind`` extracts facts from every file of the tmp repo with the
real extractor, selects the kind's files with its default paths/excludes (gitignore globs,
as the engine does) and returns the violations of one ``check`` call.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pathspec
import pytest

from truthgate.contract.model import (
    Contract,
    Entrypoint,
    Env,
    InvariantSpec,
    Kb,
    Legacy,
    Product,
)
from truthgate.verify.extract import extract_facts
from truthgate.verify.facts import FileFacts
from truthgate.verify.kinds import get_kind
from truthgate.verify.kinds.base import Violation


@dataclass(frozen=True)
class FakeContext:
    """A CheckContext over a tmp repository (no cache, no graph)."""

    root: Path
    contract: Contract
    files: tuple[FileFacts, ...]
    all_files: tuple[FileFacts, ...] = field(default=())

    def graph(self) -> Any:
        raise NotImplementedError("these kinds never need the import graph")

    def read_text(self, path: str) -> str | None:
        full = self.root / path
        try:
            return full.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def exists(self, path: str) -> bool:
        return (self.root / path).exists()

    def line_text(self, path: str, line: int) -> str:
        text = self.read_text(path) or ""
        lines = text.splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else ""


def write_files(root: Path, files: Mapping[str, str]) -> None:
    """Write ``files`` (path -> text, dedented) under ``root``."""
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def all_facts(root: Path) -> tuple[FileFacts, ...]:
    """Facts of every file under ``root``, sorted by path."""
    out = []
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            full = Path(dirpath) / name
            rel = full.relative_to(root).as_posix()
            out.append(extract_facts(rel, full.read_bytes()))
    return tuple(sorted(out, key=lambda f: f.path))


def make_contract(
    root: Path,
    kind: str,
    params: Mapping[str, Any] | None = None,
    *,
    entrypoint: Entrypoint | None = None,
    env: Env | None = None,
    legacy: Legacy | None = None,
    extra: Sequence[InvariantSpec] = (),
) -> Contract:
    """A contract declaring one invariant of ``kind`` (plus ``extra`` invariants)."""
    spec = InvariantSpec(id=kind, kind=kind, params=get_kind(kind).parse_params(params or {}))
    return Contract(
        version=1,
        product=Product("x"),
        entrypoint=entrypoint or Entrypoint("app.py"),
        env=env or Env(),
        kb=Kb(),
        legacy=legacy or Legacy(),
        invariants=(spec, *extra),
        root=root,
    )


def check_kind(contract: Contract, kind: str) -> list[Violation]:
    """Run the contract's invariant of ``kind`` over its root, as the engine would select."""
    k = get_kind(kind)
    spec = next(s for s in contract.invariants if s.kind == kind)
    facts = all_facts(contract.root)
    include = pathspec.PathSpec.from_lines("gitignore", spec.paths or k.default_paths)
    skip = pathspec.PathSpec.from_lines("gitignore", spec.exclude or k.default_exclude)
    selected = tuple(f for f in facts if include.match_file(f.path) and not skip.match_file(f.path))
    ctx = FakeContext(contract.root, contract, selected, facts)
    return list(k.check(ctx, spec.params))


RunKind = Callable[..., list[tuple[str, int, str]]]


@pytest.fixture
def run_kind(tmp_path: Path) -> RunKind:
    """Write files, run one kind, return (path, line, message) triples in report order."""

    def run(kind: str, files: Mapping[str, str], params: Mapping[str, Any] | None = None,
            **contract_kw: Any) -> list[tuple[str, int, str]]:
        write_files(tmp_path, files)
        contract = make_contract(tmp_path, kind, params, **contract_kw)
        return [(v.path, v.line, v.message) for v in check_kind(contract, kind)]

    return run
