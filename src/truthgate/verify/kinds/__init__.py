"""The registry of invariant kinds: the one place a new kind is added.

Each entry maps a kind name to the module that defines its ``KIND``; modules are imported
lazily so that listing names (for the schema enum, for suggestions) costs nothing.
"""

from __future__ import annotations

import importlib

from truthgate.verify.kinds.base import InvariantKind

KIND_MODULES: dict[str, str] = {
    name: f"truthgate.verify.kinds.{name}"
    for name in (
        "single_entrypoint",
        "forbidden_entrypoints",
        "no_wildcard_imports",
        "no_import_cycles",
        "forbidden_imports",
        "layers",
        "env_contract",
        "no_hardcoded_secrets",
        "no_cors_wildcard",
        "no_dev_server",
        "no_runtime_schema_create",
        "http_timeouts",
        "no_secret_logging",
        "required_files",
        "pinned_dependencies",
        "gitignore_covers",
        "max_file_lines",
        "python_syntax",
        "pattern",
        "command",
    )
}


# Kinds about what runs in production: they select the contract's production scope
# (contract.production) by default, and an invariant's exclude adds to it.
PRODUCTION_KINDS = frozenset({
    "env_contract", "no_hardcoded_secrets", "no_cors_wildcard", "no_dev_server",
    "no_runtime_schema_create", "http_timeouts", "no_secret_logging", "no_wildcard_imports",
})


def kind_names() -> tuple[str, ...]:
    """Every registered kind name, in catalogue order."""
    return tuple(KIND_MODULES)


def get_kind(name: str) -> InvariantKind:
    """The kind object registered under ``name`` (KeyError when unknown)."""
    module = importlib.import_module(KIND_MODULES[name])
    kind = module.KIND
    if not isinstance(kind, InvariantKind) or kind.name != name:
        raise TypeError(f"{KIND_MODULES[name]}.KIND is not the InvariantKind {name!r}")
    return kind


def available_kinds() -> tuple[InvariantKind, ...]:
    """Every kind whose module exists, in catalogue order."""
    out = []
    for name in KIND_MODULES:
        try:
            out.append(get_kind(name))
        except ModuleNotFoundError:
            continue
    return tuple(out)
