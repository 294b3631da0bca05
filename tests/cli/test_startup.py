"""Start-up stays light: the CLI module and cheap commands load no engine.

No timing here (see kb/benchmarks.md for numbers): the test checks *what* is imported,
which is what start-up time follows from and what a refactor silently breaks.
"""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from truthgate.cli.main import app

# Engines and heavy libraries a command imports inside its body, never at start-up.
HEAVY = ("jsonschema", "yaml", "httpx", "rich", "pathspec", "truthgate.contract",
         "truthgate.cycles", "truthgate.reports", "truthgate.release", "truthgate.logs",
         "truthgate.verify", "truthgate.smoke", "truthgate.app", "truthgate.monorepo")


def loaded_after(code: str) -> list[str]:
    probe = (f"import sys\n{code}\nimport json\n"
             f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_importing_the_cli_loads_no_engine() -> None:
    assert loaded_after("import truthgate.cli.main") == []


def test_version_loads_no_engine() -> None:
    code = ("from truthgate.cli.main import app\n"
            "try:\n    app(['version'])\nexcept SystemExit:\n    pass")
    assert loaded_after(code) == []


def test_help_still_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("validate", "schema", "verify", "smoke", "demo", "init", "version",
                    "release", "logs", "matrix", "report"):
        assert f" {command} " in result.stdout, command
