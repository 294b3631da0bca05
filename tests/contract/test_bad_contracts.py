"""Data-driven bad contracts: each must give exit 2 and one exact, located first problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from truthgate.cli.main import app

VALID = """\
version: 1
product:
  name: shop
entrypoint:
  path: main.py
env:
  required:
    - name: SECRET_KEY
      secret: true
invariants:
  - id: no-star
    kind: no_wildcard_imports
"""


def _replace(old: str, new: str) -> str:
    assert old in VALID
    return VALID.replace(old, new)


# (case id, contract text, expected first line of stderr)
CASES: list[tuple[str, str, str]] = [
    (
        "control-character-in-product-name",
        _replace("  name: shop", '  name: "shop\\e[2J"'),
        "truth.yaml:3:9: product.name: 'shop\\x1b[2J': must not contain control characters",
    ),
    (
        "yaml-syntax",
        _replace("  name: shop", "  name: 'shop"),
        "truth.yaml:3:9: invalid YAML: while scanning a quoted scalar: found unexpected end of stream",
    ),
    (
        "tab-indent",
        _replace("  name: shop", "\tname: shop"),
        "truth.yaml:3:1: tab character used for indentation",
    ),
    (
        "duplicate-key",
        _replace("  name: shop", "  name: shop\n  name: shop2"),
        "truth.yaml:4:3: product.name: duplicate key 'name' (first defined on line 3)",
    ),
    (
        "unknown-key-suggestion",
        _replace("  path: main.py", "  path: main.py\n  comand: x"),
        "truth.yaml:6:3: entrypoint.comand: unknown key 'comand'; did you mean 'command'?",
    ),
    (
        "wrong-type",
        _replace("  name: shop", "  name: shop\n  owners: alice"),
        "truth.yaml:4:11: product.owners: expected array, got string 'alice'",
    ),
    (
        "missing-section",
        VALID.replace("entrypoint:\n  path: main.py\n", ""),
        "truth.yaml:1:1: missing required key 'entrypoint'",
    ),
    (
        "path-escapes-root",
        _replace("path: main.py", "path: ../main.py"),
        "truth.yaml:5:9: entrypoint.path: path '../main.py' escapes the repository root",
    ),
    (
        "absolute-path",
        _replace("path: main.py", "path: /etc/passwd"),
        "truth.yaml:5:9: entrypoint.path: path '/etc/passwd' escapes the repository root",
    ),
    (
        "oversized",
        VALID + "#" + "x" * (1 << 20) + "\n",
        "truth.yaml: contract is larger than 1024 KiB",
    ),
    (
        "alias-bomb",
        "version: 1\na: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
        "truth.yaml:1:1: the contract expands to more than 100000 nodes (alias bomb?)",
    ),
    ("empty-file", "", "truth.yaml:1:1: the contract is empty"),
    ("comments-only", "# nothing yet\n", "truth.yaml:1:1: the contract is empty"),
    (
        "non-mapping-root",
        "- version: 1\n",
        "truth.yaml:1:1: the contract must be a mapping of sections, got list",
    ),
    (
        "bad-regex",
        VALID
        + "observability:\n  forbidden_log_patterns:\n    - name: tb\n      regex: '(unclosed'\n",
        "truth.yaml:16:14: observability.forbidden_log_patterns[0].regex: invalid regular expression "
        "'(unclosed': missing ), unterminated subpattern at position 0",
    ),
    (
        "unknown-kind",
        _replace("kind: no_wildcard_imports", "kind: no_wildcard_import"),
        "truth.yaml:12:11: invariants[0].kind: 'no_wildcard_import' is not one of",
    ),
    (
        "wrong-version",
        _replace("version: 1", "version: 2"),
        "truth.yaml:1:10: version: must be 1, got 2",
    ),
    (
        "yes-is-not-boolean",
        _replace("secret: true", "secret: yes"),
        "truth.yaml:9:15: env.required[0].secret: expected boolean, got string 'yes'",
    ),
    (
        "duplicate-invariant-id",
        VALID + "  - id: no-star\n    kind: no_wildcard_imports\n",
        "truth.yaml:13:9: invariants[1].id: duplicate invariant id 'no-star' "
        "(first used by invariants[0])",
    ),
    (
        "interpolation-outside-smoke",
        _replace("name: shop", "name: ${SHOP}"),
        "truth.yaml:3:9: product.name: ${...} interpolation is only allowed in the smoke section",
    ),
    (
        "merge-key",
        VALID + "base: &b {x: 1}\nother:\n  <<: *b\n",
        "truth.yaml:15:3: other: YAML merge keys ('<<') are not supported",
    ),
    (
        "two-documents",
        VALID + "---\nversion: 1\n",
        "truth.yaml:14:1: the contract holds more than one YAML document",
    ),
    (
        "python-tag",
        _replace("name: shop", "name: !!python/object/apply:os.system ['true']"),
        "truth.yaml:3:9: product.name: unsupported YAML tag",
    ),
    (
        "unknown-invariant-param",
        VALID + "    paths: ['**/*.py']\n    exclud: ['x/**']\n",
        "truth.yaml:14:5: invariants[0].exclud: unknown key 'exclud'; did you mean 'exclude'?",
    ),
    (
        "env-var-missing-name",
        _replace("    - name: SECRET_KEY\n      secret: true", "    - secret: true"),
        "truth.yaml:8:7: env.required[0]: missing required key 'name'",
    ),
    (
        "bad-env-name",
        _replace("name: SECRET_KEY", "name: SECRET-KEY"),
        "truth.yaml:8:13: env.required[0].name: 'SECRET-KEY' does not match",
    ),
    (
        "duplicate-scenario-id",
        VALID
        + "smoke:\n  scenarios:\n    - {id: S0, kind: health}\n    - {id: S0, kind: health}\n",
        "truth.yaml:16:12: smoke.scenarios[1].id: duplicate scenario id 'S0' "
        "(first used by smoke.scenarios[0])",
    ),
    (
        "bad-severity",
        VALID + "    severity: fatal\n",
        "truth.yaml:13:15: invariants[0].severity: 'fatal' is not one of [error, warning, info]",
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_contract_is_located_and_exits_2(tmp_path: Path, text: str, expected: str) -> None:
    contract = tmp_path / "product" / "truth.yaml"
    contract.parent.mkdir()
    contract.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(contract)])
    assert result.exit_code == 2, result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith(str(contract)), first
    assert first[len(str(contract)) - len("truth.yaml") :].startswith(expected), first
    assert "Traceback" not in result.output


def test_at_least_twenty_distinct_cases() -> None:
    assert len({c[0] for c in CASES}) >= 20


def test_every_problem_is_reported_at_once_with_excerpt_and_help(tmp_path: Path) -> None:
    contract = tmp_path / "truth.yaml"
    contract.write_text(
        VALID.replace("  path: main.py", "  path: main.py\n  comand: x").replace(
            "secret: true", "secret: on"
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["validate", str(contract)])
    err = result.stderr
    assert result.exit_code == 2
    assert "2 problems in" in err
    assert "   6 |   comand: x\n         ^^^^^^" in err
    assert "help: write true or false" in err


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        (b"version: 1\nproduct: {name: \xff\xfe}\n", "non-utf8"),
        (b"version: 1\x00\x00\n", "binary"),
    ],
)
def test_undecodable_contract_files(tmp_path: Path, raw: bytes, name: str) -> None:
    contract = tmp_path / "truth.yaml"
    contract.write_bytes(raw)
    result = CliRunner().invoke(app, ["validate", str(contract)])
    assert result.exit_code == 2
    assert ("not valid UTF-8" if name == "non-utf8" else "binary file") in result.stderr


def test_missing_contract_file(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "nope.yaml: no such file" in result.stderr
    assert "truthgate init" in result.stderr
