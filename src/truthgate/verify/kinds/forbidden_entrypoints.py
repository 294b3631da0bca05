"""forbidden_entrypoints: retired start-up files are gone or parked in the quarantine dir.

The contract's ``entrypoint.forbidden`` (plus this invariant's ``files``) lists paths such as
``run_server.py`` or ``bot.py`` that used to start the product. Each must be absent, or live
under ``legacy.quarantine_dir``. An entry with glob characters (``*``, ``?``, ``[``) is matched
against every file of the repository walk with gitignore semantics, so ``**/run_server.py``
catches the file at any depth. The kind reads the repository walk, not its own selected files,
so it does not need any file to be selected (``needs_files`` is False).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pathspec

from truthgate.verify.kinds._secrets import str_tuple
from truthgate.verify.kinds.base import CheckContext, InvariantKind, Violation

_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class Params:
    """Extra forbidden paths or globs on top of ``entrypoint.forbidden``."""

    files: tuple[str, ...] = ()


def parse_params(raw: Mapping[str, Any]) -> Params:
    """Read ``files`` (paths or globs relative to the repository root)."""
    return Params(files=tuple(_clean(f) for f in str_tuple(raw, "files")))


def _clean(path: str) -> str:
    path = path.strip().replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def _quarantined(path: str, quarantine_dir: str) -> bool:
    qdir = quarantine_dir.strip("/")
    return bool(qdir) and (path == qdir or path.startswith(qdir + "/"))


def check(ctx: CheckContext, params: Params) -> Iterable[Violation]:
    """A violation per forbidden path that exists outside the quarantine directory."""
    contract = ctx.contract
    qdir = contract.legacy.quarantine_dir
    forbidden = tuple(_clean(f) for f in contract.entrypoint.forbidden)
    entries = tuple(dict.fromkeys(forbidden + params.files))
    found: dict[str, str] = {}  # path -> the contract entry that forbids it
    for entry in entries:
        if _GLOB_CHARS & set(entry):
            spec = pathspec.PathSpec.from_lines("gitignore", [entry])
            for facts in ctx.all_files:
                if spec.match_file(facts.path):
                    found.setdefault(facts.path, entry)
        elif ctx.exists(entry):
            found.setdefault(entry, entry)
    for path, entry in sorted(found.items()):
        if _quarantined(path, qdir):
            continue
        where = f"outside {qdir.strip('/')}/" if qdir else "and no quarantine dir is set"
        yield Violation(
            path=path,
            message=f"forbidden entrypoint {path} exists {where}",
            hint=f"Delete {path} or move it under {qdir.strip('/') or 'a quarantine dir'}/ "
            "so nothing can start the product through it.",
            key=entry,
        )


KIND = InvariantKind(
    name="forbidden_entrypoints",
    summary="Retired entrypoints are absent or quarantined.",
    why=(
        "A second way to start the product (an old run_server.py, a bot runner) gets used by "
        "a service file or a teammate and bypasses the blessed path's configuration and checks."
    ),
    hint="Delete the file or move it under the contract's legacy.quarantine_dir.",
    params_schema={
        "properties": {
            "files": {
                "type": "array",
                "items": {"type": "string", "format": "repo-glob", "minLength": 1},
                "description": "Extra forbidden paths or gitignore-style globs, on top of "
                "entrypoint.forbidden.",
            }
        }
    },
    parse_params=parse_params,
    check=check,
    default_paths=("**/*",),
    needs_files=False,
    example=(
        "# entrypoint: {path: app/main.py, forbidden: [run_server.py, bot.py]}\n"
        "- id: no-old-entrypoints\n"
        "  kind: forbidden_entrypoints\n"
        "  files: ['**/start_dev.py']\n"
    ),
)
