"""Issue 18: every contract the schema describes runs (property-based, through the CLI).

Contracts are generated from ``truthgate schema`` itself (``schema_gen.py``), written to a
small repository, and given to ``validate``, ``verify`` and ``smoke`` (against a local
server process). Whatever the contract says: no traceback, no internal error, exit codes
0, 1 or 2 only, and ``validate`` and the run commands agree on whether it is valid.
Command invariants are not run (no ``--allow-commands``): generated argv never executes.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from truthgate.app import contract_schema
from truthgate.cli.main import app

from .hostile_server import Server, hostile
from .schema_gen import strategy

SCHEMA = contract_schema()


def _leaning(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema, drawn towards contracts that do something: at least one invariant, and a
    smoke section with a base URL and at least one scenario (still only valid contracts)."""
    lean = copy.deepcopy(schema)
    lean["properties"]["invariants"]["minItems"] = 1
    lean["required"] = [*lean["required"], "smoke"]
    smoke = lean["$defs"]["smoke"]
    smoke["required"] = ["base_url", "scenarios"]
    smoke["properties"]["scenarios"]["minItems"] = 1
    return lean


LEAN = _leaning(SCHEMA)
EXAMPLES = 400 if os.environ.get("TRUTHGATE_SWEEP") else 50
REPO = {
    "app.py": "import os\nfrom src.m import f\n\nprint(os.getenv('PORT', '8000'), f())\n",
    "src/__init__.py": "",
    "src/m.py": "def f():\n    return 1\n",
    "README.md": "# app\n\n## Rollback\nredeploy\n",
    "kb/runbook.md": "# Runbook\n\n## Rollback\n",
    "requirements.txt": "httpx==0.27.0\n",
    ".gitignore": ".env\n*a*a*a*a*a*a*a*a*a*ab\n",
    ".env.example": "PORT=8000\n",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with hostile("ok", tmp_path_factory.mktemp("server")) as srv:
        yield srv


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("repo")
    for name, text in REPO.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (root / "product").mkdir()
    return root


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    out = result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception), out[-3000:])
    assert "Traceback" not in out and "internal error" not in out, out[-3000:]
    assert result.exit_code in (0, 1, 2), (result.exit_code, out[-3000:])
    return result.exit_code, out


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(doc=st.one_of(strategy(SCHEMA, SCHEMA), strategy(LEAN, LEAN)), pick=st.integers(0, 2))
def test_contracts_from_the_schema_run_without_a_traceback(
        doc: dict[str, object], pick: int, repo: Path, server: Server) -> None:
    text = json.dumps(doc, ensure_ascii=False).replace("http://SERVER",
                                                       server.url).replace("SERVER", server.url)
    path = repo / "product" / "truth.yaml"
    path.write_text(text, encoding="utf-8")
    contract = str(path)
    valid, _ = cli("validate", contract)
    verified, _ = cli("verify", "-c", contract, "--no-cache", "-j", "1")
    assert (verified == 2) == (valid == 2)
    args = ["smoke", "-c", contract, "--timeout", "2", "--deadline", "20"]
    if pick == 0:
        args += ["-u", server.url]
    elif pick == 1:
        args += ["--allow-unsafe"]
    smoked, _ = cli(*args)
    if valid == 2:
        assert smoked == 2
    event(f"exit codes: validate {valid}, verify {verified}, smoke {smoked}")


def test_a_non_ascii_header_value_is_a_step_error_not_an_internal_one(
        repo: Path, server: Server) -> None:
    # Found by the property above: smoke ended in "internal error" (UnicodeEncodeError).
    path = repo / "product" / "truth.yaml"
    path.write_text(json.dumps({
        "version": 1, "product": {"name": "h"}, "entrypoint": {"path": "app.py"},
        "invariants": [], "smoke": {"base_url": server.url, "scenarios": [
            {"id": "H", "steps": [{"request": {"path": "/", "headers": {"X-Name": "é"}}}]}]},
    }, ensure_ascii=False), encoding="utf-8")
    code, out = cli("smoke", "-c", str(path))
    assert code == 1
    assert "invalid-header" in out and "X-Name" in out
