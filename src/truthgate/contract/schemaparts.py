"""Building blocks of the contract's JSON Schema, and its scope sections (production, verify).

Kept apart from ``schema.py`` so that file stays one sitting long; ``schema.py`` imports
these and assembles the whole document.
"""

from __future__ import annotations

from typing import Any


def _str(desc: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": desc, **extra}


def _list(desc: str, items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "array", "description": desc, "items": items, **extra}


def _obj(desc: str, props: dict[str, Any], required: tuple[str, ...] = ()) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "description": desc,
        "additionalProperties": False,
        "properties": props,
    }
    if required:
        out["required"] = list(required)
    return out


PATH = {"type": "string", "format": "repo-path", "minLength": 1}
GLOB = {"type": "string", "format": "repo-glob", "minLength": 1}


def scope_sections() -> dict[str, Any]:
    """The ``production`` and ``verify`` sections: which files are product code, and how
    verify reads the repository."""
    return {
        "production": _obj(
            "The product code: runtime invariant kinds (env, secrets, CORS, dev server, "
            "schema creation, HTTP timeouts, secret logging, wildcard imports) check these "
            "paths by default. An invariant's own `paths` replace `paths`; its `exclude` "
            "ADDS to `exclude` (and to the kind's own default exclude).",
            {
                "paths": _list(
                    "Globs of product code (default: each kind's own, e.g. **/*.py).",
                    {**GLOB, "description": "A glob."},
                ),
                "exclude": _list(
                    "Globs that are not product code. Default: dot-directories, tests "
                    "(tests/, test_*.py, *_test.py, tests.py, conftest.py) and fixtures "
                    "(fixtures/, testdata/); a list given here replaces that default.",
                    {**GLOB, "description": "A glob."},
                ),
            },
        ),
        "verify": _obj(
            "Settings of `truthgate verify` itself.",
            {
                "exclude": _list(
                    "Globs excluded from every invariant, on top of .gitignore.",
                    {**GLOB, "description": "A glob."},
                ),
                "cache": {
                    "type": "boolean",
                    "description": "Keep a facts cache in .truthgate_cache/.",
                },
                "python": _str(
                    "The project's Python (\"3.12\"; default: requires-python, .python-version, "
                    "runtime.txt, the Dockerfile's base image); see kb/contract.md#verify.",
                    pattern=r"^3\.[0-9]{1,2}$",
                ),
                "source_roots": _list(
                    "Directories the service's imports resolve from (services/api for "
                    "'from app import x' in services/api/app/); default: detected from "
                    "pyproject.toml, setup.cfg, deploy working directories and PYTHONPATH.",
                    {**PATH, "description": "A directory."},
                ),
                "accept_unexamined": _list(
                    "Python files verify may leave unexamined (an encoding it cannot decode, "
                    "nesting too deep, too large, unreadable) without failing the gate; any "
                    "other such file fails it.",
                    _obj(
                        "Files accepted as unexamined, and why.",
                        {
                            "glob": {**GLOB, "description": "Gitignore-style glob of the files."},
                            "reason": _str("Why leaving them unexamined is acceptable.",
                                           minLength=1),
                        },
                        required=("glob", "reason"),
                    ),
                ),
            },
        ),
    }
