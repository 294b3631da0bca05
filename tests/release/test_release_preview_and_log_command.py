"""A release smokes a preview target with its unsafe scenarios, and reads its logs from a
command. The real CLI, a temporary git repository, a real service on 127.0.0.1."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from smoke.service import serve
from typer.testing import CliRunner

from truthgate.cli.main import app
from truthgate.cycles.ledger import list_cycles

CONTRACT = """\
version: 1
product: {{name: shop}}
entrypoint: {{path: app/main.py}}
verify: {{cache: false}}
invariants:
  - {{id: no-star, kind: no_wildcard_imports}}
smoke:
  targets:
    preview: {{base_url: "{url}", preview: true}}
    staging: {{base_url: "{url}"}}
  scenarios:
    - {{id: S0, name: health, kind: health, params: {{path: /health}}}}
    - {{id: S2, name: writes, kind: health, unsafe: true, params: {{path: /health}}}}
observability:
  forbidden_log_patterns:
    - {{name: traceback, regex: "Traceback", max: 0}}
release:
  checklist:
    - {{name: smoke, run: smoke, target: {target}}}
    - {{name: logs, run: logs, source_command: {command}{optional}}}
"""


@pytest.fixture()
def url() -> Iterator[str]:
    with serve() as (base, _state):
        yield base


def make_repo(tmp_path: Path, url: str, *, target: str = "preview",
              code: str = "print('GET /health 200')", optional: bool = False) -> Path:
    root = tmp_path / "repo"
    (root / "app").mkdir(parents=True, exist_ok=True)
    (root / "product").mkdir(exist_ok=True)
    (root / "app" / "main.py").write_text("print('hello')\n")
    command = json.dumps(shlex.join([sys.executable, "-c", code]))
    (root / "product" / "truth.yaml").write_text(CONTRACT.format(
        url=url, target=target, command=command,
        optional=", optional: true" if optional else ""))
    for args in (["init", "-q", "-b", "main"], ["add", "."],
                 ["-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "-m", "i"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return root


def release(root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["release", "--contract",
                                      str(root / "product" / "truth.yaml")])
    return result.exit_code, result.output


def last_cycle_scenarios(root: Path) -> dict[str, str]:
    cycle = list_cycles(root / "reports" / "cycles").cycles[-1]
    return {s.id: s.outcome.value for s in cycle.report.scenarios}


def test_a_preview_target_runs_the_unsafe_scenarios(tmp_path: Path, url: str) -> None:
    root = make_repo(tmp_path, url)
    code, out = release(root)
    assert code == 0, out
    assert "unsafe scenarios included (preview target)" in out
    assert last_cycle_scenarios(root) == {"S0": "pass", "S2": "pass"}
    cycle = list_cycles(root / "reports" / "cycles").cycles[-1]
    assert any(n.startswith(f"log: `{sys.executable} -c") for n in cycle.report.notes)


def test_any_other_target_skips_them(tmp_path: Path, url: str) -> None:
    root = make_repo(tmp_path, url, target="staging")
    code, out = release(root)
    assert code == 0, out
    assert last_cycle_scenarios(root) == {"S0": "pass", "S2": "skipped"}


def test_the_log_command_is_gated_and_a_failing_one_cannot_run(tmp_path: Path,
                                                                url: str) -> None:
    root = make_repo(tmp_path / "a", url, code="print('Traceback (most recent call last):')")
    code, out = release(root)
    assert code == 1 and "release RED at step 'logs': 1 fail" in out
    cycle = list_cycles(root / "reports" / "cycles").cycles[-1]
    failed = [i for i in cycle.report.invariants if i.outcome.value == "fail"]
    assert [i.id for i in failed][:1] == ["log:traceback"]
    assert failed[0].findings[0].location is not None
    assert failed[0].findings[0].location.path.startswith("`")  # the command, not a temp file
    root = make_repo(tmp_path / "b", url, code="import sys; sys.exit(3)")
    code, out = release(root)
    assert code == 1 and "cannot run: log command exited 3" in out
    root = make_repo(tmp_path / "c", url, code="import sys; sys.exit(3)", optional=True)
    code, out = release(root)
    assert code == 0 and "optional step not run: log command exited 3" in out


def test_preview_and_production_exclude_each_other(tmp_path: Path) -> None:
    root = make_repo(tmp_path, "http://127.0.0.1:9")
    path = root / "product" / "truth.yaml"
    path.write_text(path.read_text().replace("preview: true", "preview: true, production: true"))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2 and "both preview and production" in result.output
