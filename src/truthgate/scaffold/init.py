"""`truthgate init`: a starter contract and its companions, written from what the repo says."""

from __future__ import annotations

import json
from pathlib import Path

from truthgate.scaffold.discover import Discovery, discover, is_secret_name

_KB_STUBS = {
    "kb/project.md": "# Project\n\n## What it does\n\nTODO: one paragraph.\n\n"
    "## Definition of done\n\nTODO\n",
    "kb/architecture.md": "# Architecture\n\n## Blessed path\n\nTODO: how production starts.\n\n"
    "## Components\n\nTODO\n",
}
_QUARANTINE = """# quarantine/

Legacy code lives here: it keeps its history, may keep its own `__main__` guards, and is never
imported by the blessed path. Name moved files `legacy-YYYYMMDD-<name>`.
"""
_WORKFLOW = """name: truth_gate
on: [push, pull_request]
jobs:
  truth_gate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: pip install truthgate
      - run: truthgate validate product/truth.yaml
      - run: truthgate verify --format github
"""


def _q(value: str) -> str:
    # JSON strings are valid YAML flow scalars: quoting everything avoids YAML 1.1 surprises.
    return json.dumps(value)


def notices(d: Discovery) -> list[str]:
    """What a person must check in the contract init wrote (printed, and TODO(init) lines)."""
    out = [f"entrypoint: {doubt}" for doubt in d.choice.doubts]
    if not d.entrypoint:
        out.insert(0, "entrypoint: nothing to point at; set entrypoint.path by hand")
    return out


def render_contract(d: Discovery) -> str:
    """The starter product/truth.yaml for a discovered repository."""
    env_required = [n for n in d.env_names if n in d.env_in_code]
    env_optional = [n for n in d.env_names if n not in d.env_in_code]
    lines = [
        "# Starter contract written by 'truthgate init': review every line, then commit it.",
        "version: 1",
        "product:",
        f"  name: {_q(d.name)}",
    ]
    if d.choice.why and not d.choice.why.startswith("a guess"):
        lines.append(f"# entrypoint from {d.choice.why}")
    lines += [f"# TODO(init): {doubt}" for doubt in notices(d)]
    lines += [
        "entrypoint:",
        f"  path: {_q(d.entrypoint or 'main.py')}",
        f"  command: {_q(d.command or 'python main.py')}",
    ]
    if d.allowed_scripts:
        lines.append("  # Scripts deploy files run before the server, and tests with a main guard.")
        defaults = ["scripts/**", "tests/**", "quarantine/**"]
        lines.append("  allow_main_guards: [" + ", ".join(
            _q(p) for p in [*defaults, *d.allowed_scripts]) + "]")
    if d.other_entrypoints:
        lines.append(
            "  # Other files with a __main__ guard (single-entrypoint reports them): move a"
        )
        lines.append("  # retired one to quarantine/ and list it here, or allow a real script:")
        lines.append("  # forbidden: [" + ", ".join(_q(p) for p in d.other_entrypoints) + "]")
    lines.append("env:")
    for section, names in (("required", env_required), ("optional", env_optional)):
        if names:
            lines.append(f"  {section}:")
            for n in names:
                secret = ", secret: true" if is_secret_name(n) else ""
                lines.append(f"    - {{name: {_q(n)}{secret}}}")
    if d.example_file:
        lines.append(f"  example_file: {_q(d.example_file)}")
    if not env_required and not env_optional and not d.example_file:
        lines[-1] = "env: {}"
    kb_files = sorted(set(d.kb_files) | set(_KB_STUBS))
    lines.append("kb:")
    lines.append("  files:")
    lines.extend(f"    - path: {_q(p)}" for p in kb_files)
    lines += [
        "legacy:",
        '  quarantine_dir: "quarantine"',
        "invariants:",
        "  - {id: single-entrypoint, kind: single_entrypoint}",
        "  - {id: python-syntax, kind: python_syntax}",
        "  - {id: no-wildcard-imports, kind: no_wildcard_imports}",
        "  - {id: no-import-cycles, kind: no_import_cycles}",
        "  - {id: env-contract, kind: env_contract}",
        "  - {id: no-hardcoded-secrets, kind: no_hardcoded_secrets}",
        "  - {id: no-cors-wildcard, kind: no_cors_wildcard}",
        "  - {id: no-dev-server, kind: no_dev_server}",
        "  - {id: no-runtime-schema-create, kind: no_runtime_schema_create}",
        "  - {id: http-timeouts, kind: http_timeouts}",
        "  - {id: kb-present, kind: required_files}",
        "  - {id: monolith-guard, kind: max_file_lines, severity: warning}",
    ]
    return "\n".join(lines) + "\n"


def scaffold(root: Path, *, force: bool = False) -> tuple[list[str], list[str], list[str]]:
    """Write the starter files; returns (written, kept) relative paths and the notices (what
    init is unsure of). Never overwrites an existing file unless ``force``."""
    if not root.is_dir():
        raise ValueError(f"{root} is not a directory")
    found = discover(root)
    files = {
        "product/truth.yaml": render_contract(found),
        "quarantine/README.md": _QUARANTINE,
        ".github/workflows/truth_gate.yml": _WORKFLOW,
        **_KB_STUBS,
    }
    written, kept = [], []
    for rel, text in files.items():
        path = root / rel
        if path.exists() and not force:
            kept.append(rel)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        written.append(rel)
    return written, kept, notices(found)
