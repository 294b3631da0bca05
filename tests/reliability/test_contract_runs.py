"""Issue 18: every contract that validates runs; what the runtime cannot take is refused first.

Through the CLI, each case is exit 2 with a located message or a usage error, never a
traceback; a ledger that cannot be written is an exit-2 message with no cycle left behind.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from truthgate.cli.main import app

from .hostile_server import hostile

BASE = """\
version: 1
product: {name: runs}
entrypoint: {path: app.py}
invariants:
  - {id: lines, kind: max_file_lines, paths: ["*.py"], limit: 100}
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "product").mkdir(exist_ok=True)
    (tmp_path / "app.py").write_text("print('hi')\n", encoding="utf-8")
    path = tmp_path / "product" / "truth.yaml"
    path.write_text(BASE + text, encoding="utf-8")
    return path


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


LOGS = "observability:\n  forbidden_log_patterns:\n    - {name: e, regex: ERROR, %s}\n"
SMOKE = "smoke:\n  base_url: %s\n  scenarios:\n    - {id: H, kind: health}\n"
REFUSED = [
    ("max-float", LOGS % "max: 5.0", "expected integer"),
    ("max-2**63", LOGS % "max: 9223372036854775808", "maximum"),
    ("window-huge", LOGS % "window_seconds: 100000000000000000000", "maximum"),
    ("max-negative-huge", LOGS % "max: -9223372036854775809", "minimum"),
    ("timeout-nan", SMOKE % '"http://127.0.0.1:8"' + "  defaults: {timeout_s: .nan}\n",
     "expected number"),
    ("timeout-inf", SMOKE % '"http://127.0.0.1:8"' + "  defaults: {timeout_s: .inf}\n",
     "expected number"),
    ("timeout-1e300", SMOKE % '"http://127.0.0.1:8"' + "  defaults: {timeout_s: 1.0e+300}\n",
     "maximum"),
    ("port-99999", SMOKE % '"http://127.0.0.1:99999"', "Port out of range"),
    ("broken-ipv6", SMOKE % '"http://[::1:8000"', "Invalid IPv6"),
    ("bad-ipv6", SMOKE % '"http://[zz]:80/"', "IPv6"),
    ("no-host", SMOKE % '"http://:80"', "no host"),
    ("target-port", SMOKE % '"http://127.0.0.1:8"'
     + "  targets: {p: {base_url: 'https://x.example:70000'}}\n", "Port out of range"),
]


@pytest.mark.parametrize("name,text,words", REFUSED, ids=[r[0] for r in REFUSED])
def test_what_the_runtime_cannot_take_does_not_validate(tmp_path: Path, name: str,
                                                        text: str, words: str) -> None:
    contract = write(tmp_path, text)
    code, output = cli("validate", str(contract))
    assert code == 2, output
    assert words in output and "truth.yaml:" in output, output
    log = tmp_path / "app.log"
    log.write_text("ERROR one\n", encoding="utf-8")
    for command in (["logs", str(log)], ["smoke"], ["verify", "--no-cache"]):
        code, output = cli(*command, "-c", str(contract))
        assert code == 2, (command, output)


def test_templated_urls_are_left_to_run_time(tmp_path: Path) -> None:
    contract = write(tmp_path, SMOKE % '"${APP_URL:-http://127.0.0.1:1}"')
    assert cli("validate", str(contract))[0] == 0


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999", "http://[::1:8000", "http://[zz]/",
                                 "http://:80", "ftp://127.0.0.1/"])
def test_a_bad_base_url_typed_by_hand_is_a_usage_error(tmp_path: Path, url: str) -> None:
    contract = write(tmp_path, SMOKE % '"http://127.0.0.1:1"')
    code, output = cli("smoke", "-c", str(contract), "-u", url)
    assert code == 2 and "base URL" in output, output


def test_a_step_url_that_renders_broken_is_a_step_error(tmp_path: Path) -> None:
    text = ("smoke:\n  base_url: http://127.0.0.1:1\n  scenarios:\n"
            "    - id: U\n      steps:\n        - request: {url: '${BAD_URL}/x'}\n")
    contract = write(tmp_path, text)
    result = CliRunner().invoke(app, ["smoke", "-c", str(contract), "-f", "json"],
                                env={"BAD_URL": "http://127.0.0.1:99999"})
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    scenario = json.loads(result.output)["scenarios"][0]
    assert scenario["error_class"] == "invalid-url", scenario


def test_a_redirect_to_a_broken_url_is_a_protocol_error(tmp_path: Path) -> None:
    with hostile("redirect-to", tmp_path, arg="http://[::1:80/x") as srv:
        contract = write(tmp_path, SMOKE % f'"{srv.url}"')
        code, output = cli("smoke", "-c", str(contract), "-f", "json")
    assert code == 1
    scenario = json.loads(output)["scenarios"][0]
    assert scenario["error_class"] == "protocol" and "invalid" in scenario["error"].lower()


def _read_only(path: Path) -> bool:
    """Make ``path`` read-only even for root (chattr +i); True when it took."""
    path.chmod(0o555)
    probe = path / ".probe"
    try:
        probe.touch()
    except OSError:
        return True
    probe.unlink()
    if shutil.which("chattr") is None:
        return False
    subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    try:
        probe.touch()
    except OSError:
        return True
    probe.unlink()
    return False


@pytest.mark.parametrize("command", ["verify", "logs"])
def test_record_into_a_read_only_ledger_is_exit_2(tmp_path: Path, command: str) -> None:
    cycles = tmp_path / "cycles"
    cycles.mkdir()
    contract = write(tmp_path, "release: {cycles_dir: cycles}\n" + LOGS % "max: 0")
    log = tmp_path / "app.log"
    log.write_text("fine\n", encoding="utf-8")
    if not _read_only(cycles):
        pytest.skip("cannot make a directory read-only here (root without chattr +i)")
    try:
        args = ["verify", "--no-cache"] if command == "verify" else ["logs", str(log)]
        code, output = cli(*args, "-c", str(contract), "--record")
        left = sorted(p.name for p in cycles.iterdir())
    finally:
        subprocess.run(["chattr", "-i", str(cycles)], capture_output=True, check=False)
        cycles.chmod(0o755)
    assert code == 2, output
    assert "cannot record this" in output and "no cycle was written" in output, output
    assert left == []


def test_record_on_a_full_disk_is_exit_2_with_nothing_half_written(tmp_path: Path) -> None:
    """A file-size limit makes every write past 256 bytes fail with EFBIG, as a full disk does."""
    cycles = tmp_path / "cycles"
    contract = write(tmp_path, "release: {cycles_dir: cycles}\n")

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (256, 256))

    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "TRUTHGATE_NO_CONTRACT_CACHE": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "truthgate", "verify", "--no-cache", "--record",
         "-c", str(contract)],
        capture_output=True, text=True, env=env, preexec_fn=limit, timeout=120, check=False)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "cannot record this verify" in proc.stderr
    assert [p.name for p in cycles.iterdir()] == []
