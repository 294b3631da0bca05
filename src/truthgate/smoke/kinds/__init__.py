"""The registry of scenario kinds: the one place a new kind is added.

``KINDS`` maps each kind name (the ``kind:`` of a scenario) to its :class:`ScenarioKind`.
Plain scenarios (``kind: steps``, the default) are not a registered kind: their steps are
written out in the contract.

A kind's module is imported the first time ``KINDS`` is asked for that kind, so a contract
of plain steps (or of two kinds) does not pay for the other modules at start-up.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from truthgate.smoke.kinds.base import ScenarioKind

# In catalogue order (S0..S8 first); each module defines ``KIND`` with this name.
_KIND_NAMES = (
    "health",
    "responsive",
    "storage",
    "fast_ack",
    "modes",
    "idempotency",
    "no_crash",
    "cold_start",
    "cors",
    "auth_required",
    "rate_limit",
    "security_headers",
    "error_leak",
)


class _Registry(Mapping[str, ScenarioKind]):
    """Kind name -> kind, each module imported on first lookup."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self._names = names
        self._loaded: dict[str, ScenarioKind] = {}

    def __getitem__(self, name: str) -> ScenarioKind:
        kind = self._loaded.get(name)
        if kind is not None:
            return kind
        if name not in self._names:
            raise KeyError(name)
        module = importlib.import_module(f"{__name__}.{name}")
        kind = module.KIND
        if not isinstance(kind, ScenarioKind) or kind.name != name:
            raise TypeError(f"{module.__name__}.KIND is not the ScenarioKind {name!r}")
        self._loaded[name] = kind
        return kind

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


KINDS: Mapping[str, ScenarioKind] = _Registry(_KIND_NAMES)

STEPS = "steps"
"""The kind of a scenario whose steps are written out in the contract."""


def kind_names() -> tuple[str, ...]:
    """'steps' and every registered kind, in catalogue order (S0..S8 first)."""
    return (STEPS, *KINDS)
