"""What the contract loader is handed by the layers above it: the kinds and the smoke section.

The contract is the floor of truthgate: it knows the shape of ``product/truth.yaml`` but
not which invariant kinds or scenario kinds exist, since those live in ``verify/`` and
``smoke/``, above it. The use-case layer (``truthgate.app``) wires them in once per process
with :func:`install`; the loader and the schema builder ask :func:`installed` for them.
So the import arrows point down the drawing (kb/architecture.md), which the ``layering``
invariant proves, and a test can hand the loader other providers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol


class InvariantKinds(Protocol):
    """The invariant kinds: their names, schema fragments and parameter parsers."""

    def names(self) -> tuple[str, ...]:
        """Every kind name, in catalogue order (the schema's enum)."""
        ...

    def params_schemas(self) -> Sequence[tuple[str, Mapping[str, Any]]]:
        """(name, params_schema) of every kind that can be loaded here."""
        ...

    def parse_params(self, kind: str, raw: Mapping[str, Any]) -> Any:
        """The kind's typed params for ``raw``; LookupError when the kind is unavailable."""
        ...


class SmokeSection(Protocol):
    """The ``smoke:`` section: its JSON Schema and its parser."""

    def schema(self) -> dict[str, Any]:
        """The section's JSON Schema."""
        ...

    def parse(self, raw: Mapping[str, Any], lines: Sequence[int]) -> Any:
        """The typed section (``lines``: where each scenario is declared)."""
        ...


@dataclass(frozen=True)
class Sections:
    """Everything the loader needs from above: the kinds and the smoke section."""

    kinds: InvariantKinds
    smoke: SmokeSection


_installed: Sections | None = None


def install(sections: Sections) -> None:
    """Hand the loader the kinds and sections of this process (``truthgate.app`` does)."""
    global _installed
    _installed = sections


def installed() -> Sections:
    """The sections ``install`` was given; a clear error when nobody wired them."""
    if _installed is None:
        raise RuntimeError("no contract sections installed: import truthgate.app (it wires "
                           "the invariant and scenario kinds into the contract loader)")
    return _installed
