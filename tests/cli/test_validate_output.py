"""``truthgate validate`` never lets a contract's text drive the terminal."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from truthgate.cli.console import escape_nonprintable
from truthgate.cli.main import app


@pytest.mark.parametrize(("name", "shown"), [
    ("shop", "shop"),
    ("caf\u00e9 \u2603", "caf\u00e9 \u2603"),  # printable non-ASCII stays readable
    ("\x1b[2J\x1b[31mpwned", "\\x1b[2J\\x1b[31mpwned"),  # clear screen, recolour
    ("a\u202eb", "a\\u202eb"),  # bidi override: would reverse what follows
    ("two\nlines\r", "two\\x0alines\\x0d"),  # a newline cannot forge an output line
    ("back\\x1b", "back\\\\x1b"),  # a typed backslash stays distinguishable from an escape
])
def test_escape_nonprintable(name: str, shown: str) -> None:
    assert escape_nonprintable(name) == shown


def test_validate_escapes_the_product_name(tmp_path: Path) -> None:
    contract = tmp_path / "product" / "truth.yaml"
    contract.parent.mkdir()
    # A bidi override is valid in a name (it is not a control character) but shown escaped.
    contract.write_text('version: 1\nproduct: {name: "evil\\u202etxt.exe"}\n'
                        "entrypoint: {path: app.py}\ninvariants: []\n")
    result = CliRunner().invoke(app, ["validate", str(contract)])
    assert result.exit_code == 0, result.output
    assert "\u202e" not in result.stdout
    assert "valid contract for 'evil\\u202etxt.exe'" in result.stdout
    assert result.stdout.count("\n") == 1


def test_validate_refuses_control_characters_without_echoing_them(tmp_path: Path) -> None:
    contract = tmp_path / "product" / "truth.yaml"
    contract.parent.mkdir()
    # YAML double-quoted escapes put a real ESC and BEL into the name.
    contract.write_text('version: 1\nproduct: {name: "\\e[2J\\e]0;owned\\a evil"}\n'
                        "entrypoint: {path: app.py}\ninvariants: []\n")
    result = CliRunner().invoke(app, ["validate", str(contract)])
    assert result.exit_code == 2, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert "must not contain control characters" in result.output
