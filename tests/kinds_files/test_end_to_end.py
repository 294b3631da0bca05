"""The six kinds through the real contract loader (schema included) and run_verify."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

from truthgate.contract.loader import load_contract_text
from truthgate.model import Outcome
from truthgate.verify.engine import run_verify
from truthgate.verify.kinds import get_kind

from .conftest import write

OURS = (
    "required_files",
    "pinned_dependencies",
    "gitignore_covers",
    "max_file_lines",
    "pattern",
    "command",
)

HEAD = """\
version: 1
product: {name: demo}
entrypoint: {path: app.py}
kb:
  files:
    - {path: kb/runbook.md, headings: [Rollback]}
"""

INVARIANTS = f"""\
invariants:
  - id: kb
    kind: required_files
    files: [README.md]
  - id: deps
    kind: pinned_dependencies
  - id: ignores
    kind: gitignore_covers
  - id: size
    kind: max_file_lines
    limit: 20
    overrides: [{{path: "legacy/**", limit: 40}}]
  - id: no-create-all
    kind: pattern
    call: "*.create_all"
    message: "schema comes from migrations"
  - id: no-todo
    kind: pattern
    regex: "todo|fixme"
    flags: [ignorecase]
    paths: ["**/*.py", "**/*.md"]
  - id: checker
    kind: command
    argv: ["{sys.executable}", "-c", "import sys; print('E1 bad'); sys.exit(1)"]
    timeout_seconds: 30
"""

BAD_REPO = {
    "app.py": "from db import db\n\ndb.create_all()\n" + "x = 1\n" * 20,
    "legacy/old.py": "# TODO: remove\n" + "y = 2\n" * 30,
    "kb/runbook.md": "# Runbook\n\nNo rollback section.\n",
    "requirements.txt": "flask>=3\n",
    ".gitignore": "*.db\n__pycache__/\n",
}


def findings_by_id(root: Path, text: str) -> dict[str, list[tuple[str, int, str]]]:
    report = run_verify(load_contract_text(text, root=root), use_cache=False, jobs=1,
                        allow_commands=True)
    out: dict[str, list[tuple[str, int, str]]] = {}
    for result in report.invariants:
        assert result.outcome is not Outcome.ERROR, (result.id, result.error)
        out[result.id] = [
            (
                f.location.path if f.location else "",
                f.location.line if f.location else 0,
                f.message.splitlines()[0],
            )
            for f in result.findings
        ]
    return out


def test_broken_repo_yields_exactly_these(tmp_path: Path) -> None:
    write(tmp_path, BAD_REPO)
    found = findings_by_id(tmp_path, HEAD + INVARIANTS)
    assert found == {
        "kb": [
            ("README.md", 0, "required file README.md does not exist"),
            ("kb/runbook.md", 0, "required file kb/runbook.md has no heading 'Rollback'"),
        ],
        "deps": [
            ("requirements.txt", 1, "dependency flask is not pinned (>=3); use == or ~="),
        ],
        "ignores": [
            (".gitignore", 0, ".gitignore does not ignore .env: .env could be committed"),
        ],
        "size": [("app.py", 21, "app.py has 23 lines, over the limit of 20")],
        "no-create-all": [
            ("app.py", 3, "calls db.create_all() (db.db.create_all), matching *.create_all")
        ],
        "no-todo": [("legacy/old.py", 1, "matches /todo|fixme/: 'TODO'")],
        "checker": [
            (
                ".",
                0,
                f"`{sys.executable} -c 'import sys; print('\"'\"'E1 bad'\"'\"'); "
                "sys.exit(1)'` exited with code 1",
            )
        ],
    }


def test_clean_repo_passes(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "app.py": "from db import db\n\ndb.upgrade()\n",
            "legacy/old.py": "y = 2\n" * 30,
            "README.md": "# Demo\n",
            "kb/runbook.md": "# Runbook\n\n## Rollback\n\nRedeploy the previous tag.\n",
            "requirements.txt": "flask==3.0.3\n",
            ".gitignore": ".env\n*.db\n__pycache__/\n",
        },
    )
    text = HEAD + INVARIANTS.replace("sys.exit(1)", "sys.exit(0)")
    assert all(not v for v in findings_by_id(tmp_path, text).values())


def test_inline_suppression_applies_to_pattern(tmp_path: Path) -> None:
    write(tmp_path, {"app.py": "db.create_all()  # truthgate: ignore[pattern] test fixture\n"})
    text = HEAD + "invariants:\n  - {id: p, kind: pattern, call: db.create_all}\n"
    report = run_verify(load_contract_text(text, root=tmp_path), use_cache=False, jobs=1)
    (result,) = report.invariants
    assert (result.outcome, result.suppressed, result.findings) == (Outcome.PASS, 1, ())


@pytest.mark.parametrize("name", OURS)
def test_example_yaml_validates_against_the_contract_schema(tmp_path: Path, name: str) -> None:
    kind = get_kind(name)
    example = yaml.safe_load(kind.example)
    assert all(inv["kind"] == name for inv in example)
    text = (
        HEAD + "invariants:\n" + "\n".join("  " + line for line in kind.example.splitlines()) + "\n"
    )
    contract = load_contract_text(text, root=tmp_path)
    assert [spec.kind for spec in contract.invariants] == [name] * len(example)


@pytest.mark.parametrize("name", OURS)
def test_every_schema_property_is_described(name: str) -> None:
    kind = get_kind(name)
    for prop, schema in kind.params_schema["properties"].items():
        assert schema.get("description"), f"{name}.{prop} has no description"
    assert kind.summary and kind.why and kind.hint


def test_bad_params_are_contract_errors(tmp_path: Path) -> None:
    from truthgate.contract.problems import ContractError

    text = HEAD + "invariants:\n  - {id: p, kind: pattern, regex: '(unclosed'}\n"
    with pytest.raises(ContractError, match="invalid regular expression"):
        load_contract_text(text, root=tmp_path)
