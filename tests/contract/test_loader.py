"""The loader's good path: typed, frozen output and YAML 1.1 surprises neutralised."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from typer.testing import CliRunner

from truthgate.cli.main import app
from truthgate.contract import ContractError, load_contract, load_contract_text
from truthgate.contract.schema import contract_schema
from truthgate.model import Severity

TEXT = """\
version: 1
product:
  name: no
  version: 1.10
  owners: [2024-01-01, on]
entrypoint:
  path: app/main.py
  command: uvicorn app.main:app
env:
  required:
    - {name: SECRET_KEY, secret: true}
  optional:
    - {name: LOG_LEVEL}
  example_file: .env.example
invariants:
  - id: no-star
    kind: no_wildcard_imports
    severity: warning
    paths: ['app/**/*.py']
"""


def test_yaml_11_coercions_do_not_change_meaning(tmp_path: Path) -> None:
    c = load_contract_text(TEXT, root=tmp_path)
    assert c.product.name == "no"
    assert c.product.version == "1.10"
    assert c.product.owners == ("2024-01-01", "on")


def test_contract_is_typed_and_frozen(tmp_path: Path) -> None:
    c = load_contract_text(TEXT, root=tmp_path)
    assert c.entrypoint.path == "app/main.py"
    assert c.env.secret_names == frozenset({"SECRET_KEY"})
    assert [v.name for v in c.env.declared] == ["SECRET_KEY", "LOG_LEVEL"]
    inv = c.invariants[0]
    assert (inv.id, inv.kind, inv.severity, inv.paths) == (
        "no-star",
        "no_wildcard_imports",
        Severity.WARNING,
        ("app/**/*.py",),
    )
    assert inv.line == 16
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.product = c.product  # type: ignore[misc]


def test_root_defaults_to_parent_of_product_dir(tmp_path: Path) -> None:
    path = tmp_path / "product" / "truth.yaml"
    path.parent.mkdir()
    path.write_text(TEXT, encoding="utf-8")
    c = load_contract(path)
    assert c.root == tmp_path.resolve()
    assert len(c.sha256) == 64


def test_interpolation_is_refused_outside_smoke(tmp_path: Path) -> None:
    with pytest.raises(ContractError) as err:
        load_contract_text(TEXT.replace("app/main.py", "${APP}"), root=tmp_path)
    assert err.value.problems[0].path == ("entrypoint", "path")


def test_interpolation_is_found_deep_in_lists_and_allowed_only_under_smoke(
    tmp_path: Path,
) -> None:
    smoke = "smoke:\n  base_url: ${BASE}\n  scenarios:\n    - {id: S0, kind: health}\n"
    text = TEXT.replace("'app/**/*.py'", "'${SRC}/**/*.py'") + smoke
    with pytest.raises(ContractError) as err:
        load_contract_text(text, root=tmp_path)
    assert [p.path for p in err.value.problems] == [("invariants", 0, "paths", 0)]
    assert load_contract_text(TEXT + smoke, root=tmp_path).smoke is not None


def test_schema_is_valid_draft_2020_12_and_every_property_is_described() -> None:
    schema = contract_schema()
    Draft202012Validator.check_schema(schema)
    missing: list[str] = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            for name, sub in (node.get("properties") or {}).items():
                if isinstance(sub, dict) and "description" not in sub and "$ref" not in sub:
                    missing.append(f"{where}.{name}")
            for key, sub in node.items():
                if key != "if":  # a condition on 'kind', not a documented property
                    walk(sub, f"{where}.{key}")
        elif isinstance(node, list):
            for i, sub in enumerate(node):
                walk(sub, f"{where}[{i}]")

    walk(schema, "#")
    assert missing == []


def test_schema_command_prints_the_schema() -> None:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_validate_command_accepts_a_good_contract(tmp_path: Path) -> None:
    path = tmp_path / "truth.yaml"
    path.write_text(TEXT, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "valid contract for 'no'" in result.stdout
