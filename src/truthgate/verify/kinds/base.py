"""The shape every invariant kind has: one module, one ``KIND`` object, registered by name."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from truthgate.contract.model import Contract
    from truthgate.verify.facts import FileFacts
    from truthgate.verify.graph import ImportGraph


@dataclass(frozen=True)
class Violation:
    """What a kind reports; the engine turns it into a ``Finding`` with id and severity."""

    path: str
    message: str
    line: int = 0
    col: int = 0
    end_line: int = 0
    end_col: int = 0
    hint: str = ""
    # Stable across line shifts: what the finding is about (e.g. the env var name, the
    # import edge). The engine hashes kind + path + key (+ the source line text) into the
    # fingerprint used by baselines.
    key: str = ""
    # The committed secret value the finding is about, if any: the engine shows it only as
    # ``redact.partial`` (first characters, length, short hash) in the quoted source line.
    secret: str = ""
    # Other places the finding concerns: (path, line (0: unknown), why), in order.
    related: tuple[tuple[str, int, str], ...] = ()
    # "warning" to report below the invariant's severity (a hint, not a gate failure).
    severity: str = ""


class CheckContext(Protocol):
    """What a kind's ``check`` may look at. Implemented by the engine."""

    @property
    def root(self) -> Path: ...

    @property
    def contract(self) -> Contract: ...

    @property
    def files(self) -> tuple[FileFacts, ...]:
        """Facts of the files this invariant selected (its paths minus excludes)."""
        ...

    @property
    def all_files(self) -> tuple[FileFacts, ...]:
        """Facts of every file in the repository walk (gitignore and global excludes applied)."""
        ...

    def graph(self) -> ImportGraph:
        """The module import graph of the whole repository, built once per run."""
        ...

    def read_text(self, path: str) -> str | None:
        """Text of a repository file (cached; None when missing, binary or unreadable)."""
        ...

    def exists(self, path: str) -> bool: ...

    def line_text(self, path: str, line: int) -> str:
        """One source line (1-based) of a file, '' when unavailable."""
        ...


ParamsParser = Callable[[Mapping[str, Any]], Any]
Checker = Callable[[CheckContext, Any], Iterable[Violation]]


@dataclass(frozen=True)
class InvariantKind:
    """One invariant kind.

    ``params_schema`` is the JSON-schema fragment of the kind's own keys: a dict with
    ``properties`` (each with a ``description``) and optionally ``required``. It is merged
    into the contract schema, flat beside ``id``/``kind``/``paths``/... of the invariant.
    ``parse_params`` turns the validated raw mapping (only the kind's own keys) into a
    frozen dataclass; ``check`` yields violations.
    """

    name: str
    summary: str
    why: str
    hint: str
    params_schema: Mapping[str, Any]
    parse_params: ParamsParser
    check: Checker
    default_paths: tuple[str, ...] = ("**/*.py",)
    default_exclude: tuple[str, ...] = ()
    # When True, an invariant whose paths select no file is an error (no vacuous pass).
    needs_files: bool = True
    example: str = ""  # a YAML snippet for kb/ and 'truthgate init'
