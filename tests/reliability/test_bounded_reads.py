"""Issue 18: every file truthgate reads is regular, bounded, and (for schema_file) inside the repo.

A FIFO in place of a config or kb file used to hang verify forever (only ``.py`` names were
safe); a symlink to ``/dev/zero`` as the contract, a cycle file or a smoke ``schema_file``
was read until MemoryError, and ``schema_file`` read JSON from anywhere on the machine.
Each case runs the CLI in a child process with a timeout, so a hang fails the test
instead of stalling the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .hostile_server import hostile
from .trees import CONTRACT, healthy

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo") or not Path("/dev/zero").exists(),
                                reason="needs FIFOs and /dev/zero")

HANG_S = 120  # far beyond a normal run: only a hang reaches it


def truthgate(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "TRUTHGATE_NO_CONTRACT_CACHE": "1"}
    try:
        proc = subprocess.run([sys.executable, "-m", "truthgate", *args], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=HANG_S, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"truthgate {' '.join(args[:1])} hung (no answer in {HANG_S} s)")
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert "MemoryError" not in proc.stderr
    return proc


def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    healthy(root)
    (root / "kb").mkdir()
    (root / "kb" / "project.md").write_text("# Project\n", encoding="utf-8")
    contract = CONTRACT.replace("verify: {cache: false}\n",
                                "verify: {cache: false}\nkb:\n  files: [{path: kb/project.md}]\n")
    (root / "product" / "truth.yaml").write_text(contract, encoding="utf-8")
    return root


FIFO_AT = [".gitignore", ".env.example", "requirements.txt", "kb/project.md",
           "sub/.gitignore", "pyproject.toml", "Dockerfile"]


@pytest.mark.parametrize("name", FIFO_AT)
def test_a_fifo_in_place_of_a_text_file_does_not_hang_verify(tmp_path: Path, name: str) -> None:
    root = repo(tmp_path)
    target = root / name
    target.parent.mkdir(exist_ok=True)
    target.unlink(missing_ok=True)
    os.mkfifo(target)
    proc = truthgate("verify", "--no-cache", "-c", str(root / "product" / "truth.yaml"))
    assert proc.returncode in (0, 1), proc.stderr[-2000:]


def test_every_text_file_a_fifo_at_once(tmp_path: Path) -> None:
    root = repo(tmp_path)
    for name in (".gitignore", ".env.example", "requirements.txt", "kb/project.md"):
        (root / name).unlink()
        os.mkfifo(root / name)
    proc = truthgate("verify", "--no-cache", "-c", str(root / "product" / "truth.yaml"))
    assert proc.returncode == 1  # the required files are not readable text: a real verdict


@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_the_contract_is_never_read_unbounded(tmp_path: Path, special: str) -> None:
    root = repo(tmp_path)
    contract = root / "product" / "truth.yaml"
    contract.unlink()
    if special == "fifo":
        os.mkfifo(contract)
    else:
        contract.symlink_to(special)
    for command in (["validate", str(contract)], ["verify", "--no-cache", "-c", str(contract)]):
        proc = truthgate(*command)
        assert proc.returncode == 2, proc.stdout + proc.stderr
        assert "not a regular file" in proc.stdout + proc.stderr


def test_a_cycle_file_linked_to_dev_zero_is_skipped(tmp_path: Path) -> None:
    root = repo(tmp_path)
    contract = root / "product" / "truth.yaml"
    contract.write_text(contract.read_text(encoding="utf-8") + "release: {cycles_dir: cycles}\n",
                        encoding="utf-8")
    assert truthgate("verify", "--no-cache", "--record", "-c", str(contract)).returncode == 0
    (root / "cycles" / "0002.json").symlink_to("/dev/zero")
    os.mkfifo(root / "cycles" / "0003.json")
    listing = truthgate("report", "list", "-c", str(contract))
    assert listing.returncode == 0, listing.stderr
    assert "0002.json" in listing.stdout + listing.stderr  # noted as unreadable
    shown = truthgate("report", "show", "2", "-c", str(contract))
    assert shown.returncode == 2 and "not a regular file" in shown.stderr, shown.stderr


SCHEMA_STEP = """\
smoke:
  base_url: URL
  scenarios:
    - id: S
      steps:
        - request: {path: /health}
          expect: {status: 200, schema_file: SCHEMA}
"""


@pytest.mark.parametrize("how", ["dev-zero", "fifo", "outside", "inside"])
def test_schema_file_is_regular_bounded_and_inside_the_repository(tmp_path: Path,
                                                                  how: str) -> None:
    root = repo(tmp_path)
    schema = root / "schemas" / "health.json"
    schema.parent.mkdir()
    outside = tmp_path / "elsewhere.json"
    outside.write_text(json.dumps({"type": "object", "required": ["status"]}), encoding="utf-8")
    if how == "dev-zero":
        schema.symlink_to("/dev/zero")
    elif how == "fifo":
        os.mkfifo(schema)
    elif how == "outside":
        schema.symlink_to(outside)
    else:
        schema.write_text(outside.read_text(encoding="utf-8"), encoding="utf-8")
    contract = root / "product" / "truth.yaml"
    with hostile("ok", tmp_path) as srv:
        contract.write_text(CONTRACT + SCHEMA_STEP.replace("URL", srv.url)
                            .replace("SCHEMA", "schemas/health.json"), encoding="utf-8")
        proc = truthgate("smoke", "-c", str(contract), "-f", "json")
    scenario = json.loads(proc.stdout)["scenarios"][0]
    if how == "inside":
        assert proc.returncode == 0 and scenario["outcome"] == "pass", scenario
        return
    assert proc.returncode == 1
    assert scenario["error_class"] == "schema-file", scenario
    why = {"dev-zero": "outside the repository", "fifo": "not a regular file",
           "outside": "outside the repository"}[how]
    assert why in scenario["error"], scenario["error"]
