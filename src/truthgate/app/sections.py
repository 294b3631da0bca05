"""The contract loader's providers, wired: invariant kinds from verify/, the smoke section.

The contract package is the floor and cannot import the kinds that live above it, so this
use-case module hands them down (``contract.sections.install``) when ``truthgate.app`` is
imported. The imports stay inside the methods: a smoke run never loads a verify kind, and
``truthgate --help`` loads neither.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from truthgate.contract.sections import Sections, install


class RegisteredKinds:
    """The invariant kinds of ``truthgate.verify.kinds``."""

    def names(self) -> tuple[str, ...]:
        from truthgate.verify.kinds import kind_names

        return kind_names()

    def params_schemas(self) -> Sequence[tuple[str, Mapping[str, Any]]]:
        from truthgate.verify.kinds import available_kinds

        return [(k.name, k.params_schema) for k in available_kinds()]

    def parse_params(self, kind: str, raw: Mapping[str, Any]) -> Any:
        from truthgate.verify.kinds import get_kind

        try:
            found = get_kind(kind)
        except (KeyError, ModuleNotFoundError) as exc:
            raise LookupError(kind) from exc
        return found.parse_params(raw)


class SmokeSectionSpec:
    """The ``smoke:`` section of ``truthgate.smoke.spec``."""

    def schema(self) -> dict[str, Any]:
        from truthgate.smoke.spec import smoke_schema

        return smoke_schema()

    def parse(self, raw: Mapping[str, Any], lines: Sequence[int]) -> Any:
        from truthgate.smoke.spec import parse_smoke

        return parse_smoke(raw, lines)


SECTIONS = Sections(kinds=RegisteredKinds(), smoke=SmokeSectionSpec())


def wire() -> None:
    """Hand the contract loader truthgate's own kinds and sections."""
    install(SECTIONS)
