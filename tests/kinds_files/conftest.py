"""A small, real CheckContext for unit-testing kinds without the engine.

Files are real files in a tmp repository; facts come from ``extract_facts`` (the engine's
own extractor) so ``pattern call:`` sees exactly what the engine would give it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
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
    KbFile,
    Legacy,
    Product,
)
from truthgate.verify.extract import extract_facts
from truthgate.verify.facts import FileFacts
from truthgate.verify.kinds import get_kind
from truthgate.verify.kinds.base import Violation


def write(root: Path, files: Mapping[str, str | bytes]) -> None:
    """Create ``files`` (relative path -> text or bytes) under ``root``."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def make_contract(
    root: Path,
    kind: str = "",
    raw: Mapping[str, Any] | None = None,
    kb: tuple[KbFile, ...] = (),
    paths: tuple[str, ...] = (),
) -> Contract:
    """A minimal contract with at most one invariant of ``kind``."""
    invariants: tuple[InvariantSpec, ...] = ()
    if kind:
        params = get_kind(kind).parse_params(dict(raw or {}))
        invariants = (InvariantSpec(id=f"t-{kind}", kind=kind, params=params, paths=paths),)
    return Contract(
        version=1,
        product=Product("x"),
        entrypoint=Entrypoint("app.py"),
        env=Env(),
        kb=Kb(files=kb),
        legacy=Legacy(),
        invariants=invariants,
        root=root,
    )


@dataclass(frozen=True)
class FakeContext:
    """Implements the CheckContext protocol over a real directory."""

    root: Path
    contract: Contract
    files: tuple[FileFacts, ...]
    all_files: tuple[FileFacts, ...]

    def graph(self) -> Any:
        raise NotImplementedError("these kinds never use the import graph")

    def read_text(self, path: str) -> str | None:
        try:
            return (self.root / path).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def exists(self, path: str) -> bool:
        return (self.root / path).exists()

    def line_text(self, path: str, line: int) -> str:
        text = self.read_text(path)
        lines = (text or "").splitlines()
        return lines[line - 1] if 0 < line <= len(lines) else ""


def build_context(
    root: Path, paths: Iterable[str], contract: Contract | None = None
) -> FakeContext:
    """A context whose selected files are the repo files matching gitignore-style ``paths``."""
    every = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    facts = {rel: extract_facts(rel, (root / rel).read_bytes()) for rel in every}
    spec = pathspec.PathSpec.from_lines("gitignore", list(paths))
    selected = tuple(facts[rel] for rel in every if spec.match_file(rel))
    return FakeContext(root, contract or make_contract(root), selected, tuple(facts.values()))


Runner = Callable[..., list[Violation]]


@pytest.fixture
def run_kind(tmp_path: Path) -> Runner:
    """run_kind(kind, raw_params, files={...}, paths=None, kb=()) -> violations, sorted."""

    def run(
        kind: str,
        raw: Mapping[str, Any] | None = None,
        files: Mapping[str, str | bytes] | None = None,
        paths: tuple[str, ...] | None = None,
        kb: tuple[KbFile, ...] = (),
    ) -> list[Violation]:
        write(tmp_path, files or {})
        definition = get_kind(kind)
        contract = make_contract(tmp_path, kind, raw, kb=kb)
        params = contract.invariants[0].params
        ctx = build_context(tmp_path, paths or definition.default_paths, contract)
        return sorted(definition.check(ctx, params), key=lambda v: (v.path, v.line, v.col))

    return run
