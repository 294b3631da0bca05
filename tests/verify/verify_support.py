"""Shared helpers of the verify tests (a plain module: conftest cannot be imported)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from truthgate.contract.model import (
    Contract,
    Entrypoint,
    Env,
    InvariantSpec,
    Kb,
    Legacy,
    Product,
    VerifySettings,
)
from truthgate.model import Severity
from truthgate.verify.kinds import get_kind

Write = Callable[..., Path]


def spec(
    id: str,
    kind: str,
    raw: Mapping[str, Any] | None = None,
    *,
    paths: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
    severity: Severity = Severity.ERROR,
    message: str = "",
) -> InvariantSpec:
    """An invariant with params parsed by the real kind."""
    return InvariantSpec(
        id=id,
        kind=kind,
        severity=severity,
        message=message,
        paths=paths,
        exclude=exclude,
        params=get_kind(kind).parse_params(raw or {}),
    )


def make_contract(
    root: Path,
    *invariants: InvariantSpec,
    entrypoint: str = "main.py",
    legacy: Legacy | None = None,
    exclude: tuple[str, ...] = (),
    cache: bool = True,
) -> Contract:
    """A minimal contract over ``root`` with the given invariants."""
    return Contract(
        version=1,
        product=Product("x"),
        entrypoint=Entrypoint(entrypoint),
        env=Env(),
        kb=Kb(),
        legacy=legacy or Legacy(),
        invariants=tuple(invariants),
        verify=VerifySettings(exclude=exclude, cache=cache),
        root=root,
        sha256="f" * 64,
    )
