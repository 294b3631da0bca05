"""`verify --select/--ignore` with an id the contract does not have is a usage error."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from truthgate.cli.main import app

CONTRACT = """version: 1
product: {name: p}
entrypoint: {path: app.py}
invariants:
  - {id: python-syntax, kind: python_syntax}
  - {id: no-wildcard-imports, kind: no_wildcard_imports}
"""


def _repo(tmp_path: Path) -> Path:
    (tmp_path / "product").mkdir()
    (tmp_path / "product" / "truth.yaml").write_text(CONTRACT, encoding="utf-8")
    (tmp_path / "app.py").write_text("x = 1\n", encoding="utf-8")
    return tmp_path / "product" / "truth.yaml"


def test_a_typo_in_select_exits_2_with_a_suggestion(tmp_path: Path) -> None:
    contract = _repo(tmp_path)
    result = CliRunner().invoke(
        app, ["verify", "-c", str(contract), "--select", "python-sytax", "--no-cache"]
    )
    assert result.exit_code == 2, result.output
    assert "--select names 'python-sytax'" in result.stderr
    assert "did you mean 'python-syntax'?" in result.stderr
    assert "PASSED" not in result.stdout


def test_a_typo_in_ignore_exits_2(tmp_path: Path) -> None:
    contract = _repo(tmp_path)
    result = CliRunner().invoke(
        app, ["verify", "-c", str(contract), "--ignore", "no-wildcard", "--no-cache"]
    )
    assert result.exit_code == 2
    assert "did you mean 'no-wildcard-imports'?" in result.stderr


def test_known_ids_still_run(tmp_path: Path) -> None:
    contract = _repo(tmp_path)
    result = CliRunner().invoke(
        app, ["verify", "-c", str(contract), "--select", "python-syntax", "--no-cache"]
    )
    assert result.exit_code == 0, result.output
    assert "1 invariant" in result.stdout
