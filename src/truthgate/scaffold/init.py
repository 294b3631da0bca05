"""`truthgate init`: a starter contract and its companions, written from what the repo says."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from truthgate.errors import ScaffoldError
from truthgate.scaffold.discover import Discovery, Progress, discover, is_secret_name

# The marker required_files reports ("still the stub init wrote") until someone fills the
# file and deletes the line.
STUB_MARKER = "<!-- truthgate:stub: fill this file in, then delete this line -->"
_KB_STUBS = {
    "kb/project.md": f"{STUB_MARKER}\n# Project\n\n## What it does\n\nTODO: one paragraph.\n\n"
    "## Definition of done\n\nTODO\n",
    "kb/architecture.md": f"{STUB_MARKER}\n# Architecture\n\n## Blessed path\n\n"
    "TODO: how production starts.\n\n## Components\n\nTODO\n",
}
_QUARANTINE = """# quarantine/

Legacy code lives here: it keeps its history, may keep its own `__main__` guards, and is never
imported by the blessed path. Name moved files `legacy-YYYYMMDD-<name>`.
"""
# truthgate is not on PyPI: CI installs it from its git repository. README ("Use it in your
# repository"), kb/workflows.md and the workflow below use exactly this line
# (tests/scaffold/test_install_line.py diffs them); OWNER is where your truthgate lives.
INSTALL_SOURCE = "https://github.com/OWNER/truthgate"
INSTALL_LINE = f'pip install "truthgate @ git+{INSTALL_SOURCE}@main"'
PLACEHOLDER = "OWNER"
# What may appear in a URL or commit copied into a shell line of the workflow.
_SAFE = re.compile(r"^[A-Za-z0-9._~:/@+-]+$")

_WORKFLOW = """name: truth_gate
on: [push, pull_request]
jobs:
  truth_gate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "{python}"
      - run: {install}
      - run: truthgate validate product/truth.yaml
      # GitHub runs this as `bash -eo pipefail`: keep verify's exit code, write the job
      # summary, then fail the step with it.
      - run: |
          rc=0
          truthgate verify --format github --out markdown:truthgate-verify.md || rc=$?
          if [ -s truthgate-verify.md ]; then cat truthgate-verify.md >> "$GITHUB_STEP_SUMMARY"; fi
          exit "$rc"
"""


def install_line(direct_url: Mapping[str, Any] | None) -> str:
    """How CI installs the truthgate that runs this: from its git URL and commit when pip
    recorded one (PEP 610 ``direct_url.json``), else ``INSTALL_LINE``."""
    vcs = (direct_url or {}).get("vcs_info")
    url = str((direct_url or {}).get("url", ""))
    if not isinstance(vcs, dict) or vcs.get("vcs") != "git" or not url.startswith("https://"):
        return INSTALL_LINE
    commit = str(vcs.get("commit_id", ""))
    if not (_SAFE.match(url) and re.fullmatch(r"[0-9a-f]{40}", commit)):
        return INSTALL_LINE
    return f'pip install "truthgate @ git+{url}@{commit}"'


def installed_direct_url() -> dict[str, Any] | None:
    """The installed truthgate's ``direct_url.json``; None when pip recorded none."""
    from importlib import metadata

    try:
        text = metadata.distribution("truthgate").read_text("direct_url.json")
        data = json.loads(text) if text else None
    except (metadata.PackageNotFoundError, ValueError, OSError):
        return None
    return data if isinstance(data, dict) else None


# truthgate itself needs 3.10; with no stated Python the workflow uses this one.
_DEFAULT_PYTHON = "3.12"


def workflow_python(project: str) -> str:
    """The Python CI runs truthgate on: the project's (so its newest syntax parses), at
    least 3.10 (truthgate's own floor)."""
    if not project:
        return _DEFAULT_PYTHON
    major, minor = (int(x) for x in project.split(".")[:2])
    return project if (major, minor) >= (3, 10) else "3.10"


def render_workflow(install: str, python: str = "") -> str:
    """The starter ``.github/workflows/truth_gate.yml``, on the project's Python."""
    return _WORKFLOW.format(install=install, python=workflow_python(python))


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
    from truthgate.contract.schema import SCHEMA_ID

    lines = [
        f"# yaml-language-server: $schema={SCHEMA_ID}",
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
        "  - {id: gitignore, kind: gitignore_covers}",
    ]
    lines += _needed_checks(d)
    lines += _operations(d)
    return "\n".join(lines) + "\n"


def _needed_checks(d: Discovery) -> list[str]:
    """Checks the repository shows a need for: dependency manifests, secrets to keep out of
    logs."""
    out: list[str] = []
    if d.manifests:
        lock = ", allow_lock_file: true" if d.lock_files else ""
        out.append(f"  - {{id: pinned-dependencies, kind: pinned_dependencies{lock}}}")
    if any(is_secret_name(n) for n in d.env_names):
        out.append("  - {id: no-secret-logging, kind: no_secret_logging}")
    return out


def _operations(d: Discovery) -> list[str]:
    """smoke S0, log patterns and a release checklist."""
    out: list[str] = []
    if d.health_route:
        out += [
            f"# init: S0 checks {d.health_route} as the code declares it; add any "
            "router or mount prefix",
            "smoke:",
            '  base_url: "${APP_URL:-http://127.0.0.1:8000}"',
            "  scenarios:",
            f"    - {{id: S0, name: Health, kind: health, params: {{path: {_q(d.health_route)}}}}}",
        ]
    else:
        out += [
            "# init saw no health route; add one, and a smoke S0 scenario for it:",
            "# smoke:",
            '#   base_url: "${APP_URL:-http://127.0.0.1:8000}"',
            "#   scenarios:",
            "#     - {id: S0, name: Health, kind: health, params: {path: /health}}",
        ]
    out += [
        "observability:",
        "  forbidden_log_patterns:",
        '    - {name: traceback, regex: "Traceback \\\\(most recent call last\\\\)", max: 0}',
        "release:",
        "  checklist:",
        "    - {name: gate, run: verify}",
    ]
    if d.health_route:
        out.append("    - {name: smoke, run: smoke}")
    out += [
        "    - {name: log window, run: logs, optional: true}",
        "    - {name: \"done?\", run: dod}",
        "  definition_of_done:",
        "    consecutive_green_cycles: 3",
    ]
    return out


def scaffold(root: Path, *, force: bool = False, install: str | None = None,
             progress: Progress | None = None) -> tuple[list[str], list[str], list[str]]:
    """Write the starter files; returns (written, kept) relative paths and the notices (what
    init is unsure of). Never overwrites an existing file unless ``force``. ``install`` is
    the workflow's install line (default: ``install_line`` of this installation)."""
    if not root.is_dir():
        raise ScaffoldError(f"{root} is not a directory")
    found = discover(root, progress)
    files = {
        "product/truth.yaml": render_contract(found),
        "quarantine/README.md": _QUARANTINE,
        ".github/workflows/truth_gate.yml": render_workflow(
            install if install is not None else install_line(installed_direct_url()),
            found.python),
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
