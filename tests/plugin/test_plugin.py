"""The pytest plugin in real pytest processes: one item per invariant and per scenario.

Each test writes a small repository with a contract, runs ``python -m pytest`` in it with
the plugin loaded (by its ``pytest11`` entry point, or with ``-p truthgate.pytest_plugin``
before the entry point is installed), and reads the per-item outcomes back from the JUnit XML pytest writes.
"""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
import textwrap
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

CONTRACT = textwrap.dedent("""
    version: 1
    product: {name: plugged}
    entrypoint: {path: app.py}
    invariants:
      - {id: has-app, kind: required_files, files: [app.py]}
      - {id: has-readme, kind: required_files, files: [README.md]}
    smoke:
      base_url: http://127.0.0.1:9
      scenarios:
        - id: UP
          name: health answers
          kind: health
          params: {path: /health, budget_ms: 30000}
        - id: BROKEN
          name: the broken page answers 200
          steps:
            - name: get it
              request: {path: /broken}
              expect: {status: 200}
        - id: WRITE
          name: a write, unsafe
          unsafe: true
          steps:
            - name: post
              request: {method: POST, path: /health}
              expect: {status: 200}
""")


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
        ok = self.path == "/health"
        body = json.dumps({"status": "ok"} if ok else {"error": "broken"}).encode()
        self.send_response(200 if ok else 500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:  # keep the test output clean
        pass


@pytest.fixture
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "product").mkdir()
    (tmp_path / "product" / "truth.yaml").write_text(CONTRACT)
    (tmp_path / "app.py").write_text("print('plugged')\n")
    (tmp_path / "test_own.py").write_text("def test_own():\n    assert True\n")
    (tmp_path / "test_idle.py").write_text(textwrap.dedent("""
        import sys

        def test_idle():
            # The plugin, idle, must not have imported the engines.
            assert "truthgate.contract" not in sys.modules
            assert "truthgate.app" not in sys.modules
    """))
    return tmp_path


def _entry_point_installed() -> bool:
    eps = importlib.metadata.entry_points(group="pytest11")
    return any(ep.value == "truthgate.pytest_plugin" for ep in eps)


# Once the pytest11 entry point is installed pytest loads the plugin itself, and naming it
# again with -p would register the same module twice (pluggy refuses that).
LOAD = [] if _entry_point_installed() else ["-p", "truthgate.pytest_plugin"]


def run_pytest(repo: Path, *args: str) -> tuple[int, dict[str, str], str]:
    """(exit code, {test name: passed|failed|skipped}, output) of pytest in ``repo``."""
    junit = repo / "junit.xml"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *LOAD, "-p", "no:cacheprovider",
         f"--junitxml={junit}", "-rA", *args],
        cwd=repo, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1"})
    outcomes = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        kinds = {child.tag for child in case}
        outcomes[case.get("name", "")] = ("failed" if kinds & {"failure", "error"}
                                          else "skipped" if "skipped" in kinds else "passed")
    return done.returncode, outcomes, done.stdout + done.stderr


def test_without_options_the_plugin_collects_nothing(repo: Path) -> None:
    code, outcomes, out = run_pytest(repo)
    assert code == 0, out
    assert outcomes == {"test_own": "passed", "test_idle": "passed"}


def test_truth_verify_gives_one_item_per_invariant(repo: Path) -> None:
    code, outcomes, out = run_pytest(repo, "--truth-verify", "-k", "verify")
    assert code == 1, out
    assert outcomes == {"verify[has-app]": "passed", "verify[has-readme]": "failed"}
    assert "required file README.md does not exist" in out
    assert "product/truth.yaml::verify[has-readme]" in out


def test_truth_smoke_runs_each_scenario_against_a_real_server(repo: Path, server: str) -> None:
    # xunit1: the JUnit family that records each item's file and line.
    code, outcomes, out = run_pytest(repo, "--truth-smoke", server, "-k", "smoke",
                                     "-o", "junit_family=xunit1")
    assert code == 1, out
    assert outcomes == {"smoke[UP]": "passed", "smoke[BROKEN]": "failed",
                        "smoke[WRITE]": "skipped"}, out
    assert "BROKEN (the broken page answers 200) failed" in out
    assert "500" in out
    # Each scenario item is reported at its entry in the contract (JUnit lines are 0-based).
    lines = {case.get("name"): case.get("line")
             for case in ET.parse(repo / "junit.xml").getroot().iter("testcase")}
    assert lines["smoke[BROKEN]"] == str(CONTRACT.splitlines().index("    - id: BROKEN"))
    assert lines["smoke[UP]"] == str(CONTRACT.splitlines().index("    - id: UP"))


def test_a_broken_contract_is_one_failing_item(repo: Path) -> None:
    (repo / "product" / "truth.yaml").write_text("version: 1\nproduct: {}\n")
    code, outcomes, out = run_pytest(repo, "--truth-verify", "test_own.py")
    assert code == 1, out
    assert outcomes["contract"] == "failed" and outcomes["test_own"] == "passed"


def test_an_unreachable_deployment_fails_every_scenario_with_the_cause(repo: Path) -> None:
    code, outcomes, out = run_pytest(repo, "--truth-smoke", "http://127.0.0.1:9",
                                     "--truth-contract", str(repo / "product" / "truth.yaml"),
                                     "-k", "UP or BROKEN")
    assert code == 1, out
    assert outcomes == {"smoke[UP]": "failed", "smoke[BROKEN]": "failed"}
