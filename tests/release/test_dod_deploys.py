"""The definition of done counts green *deploys*: end to end through the real CLI.

A real service on 127.0.0.1 reports its version on /health; ``truthgate smoke --record``
records which deployment it smoked; ``report list/show/trend`` and ``release`` count one
green run per deployment, and only smoke runs (plus a clean log window when the contract
declares log patterns). A temporary git repository, real git, real tags.
"""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from truthgate.cli.main import app
from truthgate.cycles.ledger import list_cycles


@dataclass
class Deploy:
    version: str = "1.0.0"
    broken: bool = False  # /health answers 500
    field: bool = True  # /health names its version


class _Handler(BaseHTTPRequestHandler):
    deploy: Deploy

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        body: dict[str, Any] = {"status": "ok"}
        if self.deploy.field:
            body["version"] = self.deploy.version
        data = json.dumps(body).encode()
        self.send_response(500 if self.deploy.broken else 200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture()
def service() -> Iterator[tuple[str, Deploy]]:
    deploy = Deploy()
    handler = type("Handler", (_Handler,), {"deploy": deploy})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", deploy
    finally:
        server.shutdown()
        server.server_close()


CONTRACT = """\
version: 1
product: {{name: shop, version: "1.0"}}
entrypoint: {{path: app/main.py}}
verify: {{cache: false}}
invariants:
  - {{id: no-star, kind: no_wildcard_imports}}
smoke:
  base_url: {url}
  scenarios:
    - {{id: S0, name: health, kind: health, params: {{path: /health}}}}
{extra}release:
  checklist:
    - {{name: static checks, run: verify}}
    - {{name: definition of done, run: dod}}
  definition_of_done:
    consecutive_green: 3
    of: smoke
    distinct: deployment
    deployment_field: version
"""

LOGS = """\
observability:
  forbidden_log_patterns:
    - {name: traceback, regex: "Traceback \\\\(most recent call last\\\\)", max: 0}
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture()
def repo_factory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("CI", raising=False)
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Release Captain")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "captain@example.com")

    def make(url: str, extra: str = "") -> Path:
        root = tmp_path / "repo"
        (root / "app").mkdir(parents=True)
        (root / "product").mkdir()
        (root / "app" / "main.py").write_text("print('hello')\n")
        (root / "product" / "truth.yaml").write_text(CONTRACT.format(url=url, extra=extra))
        (root / ".gitignore").write_text("reports/\n")
        git(root, "init", "-q", "-b", "main")
        git(root, "add", ".")
        git(root, "commit", "-q", "-m", "initial")
        return root

    return make


def tg(repo: Path, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, [*args, "--contract", str(repo / "product" / "truth.yaml")], input=stdin)
    return result.exit_code, result.output


def smoke(repo: Path, *extra: str) -> int:
    code, out = tg(repo, "smoke", "--record", *extra)
    assert code in (0, 1), out
    return code


def report_list(repo: Path) -> str:
    code, out = tg(repo, "report", "list")
    assert code == 0, out
    return out.splitlines()[-1]


def test_repeats_other_kinds_and_red_runs(repo_factory: Any,
                                          service: tuple[str, Deploy]) -> None:
    url, deploy = service
    repo = repo_factory(url)
    assert smoke(repo) == 0
    assert smoke(repo) == 0  # the same deployment again: a repeat
    for _ in range(3):  # other kinds never count
        assert tg(repo, "verify", "--record")[0] == 0
    assert report_list(repo) == (
        "definition of done: 1 of 3 green deploys — not met; "
        "1 green repeat(s) against the same deployment not counted")
    cycles = list_cycles(repo / "reports" / "cycles").cycles
    assert [c.report.context.deployment for c in cycles[:2]] == ["1.0.0", "1.0.0"]

    deploy.version = "1.0.1"
    deploy.broken = True
    assert smoke(repo) == 1
    assert report_list(repo) == ("definition of done: 0 of 3 green deploys — not met; "
                                 "last red: cycle 6, S0")
    deploy.broken = False
    assert smoke(repo) == 0  # the same deployment, green now: it counts (the red reset)
    deploy.version = "1.0.2"
    assert smoke(repo) == 0
    code, out = tg(repo, "release", "--tag", "v1.0.2")
    assert code == 1
    assert "2 of 3 green deploys — not met; last red: cycle 6, S0" in out
    assert git(repo, "tag", "-l") == ""
    code, trend = tg(repo, "report", "trend")
    assert trend.splitlines()[-1].startswith("definition of done: 2 of 3 green deploys")

    deploy.version = "1.0.3"
    assert smoke(repo, "--deployment-id", "build-77") == 0  # named outright: wins
    assert list_cycles(repo / "reports" / "cycles").cycles[-1].report.context.deployment == (
        "build-77")
    code, out = tg(repo, "report", "show", "latest")
    assert "3 of 3 green deploys — met" in out and "`build-77`" in out
    code, out = tg(repo, "release", "--tag", "v1.0.3")
    assert code == 0, out
    assert git(repo, "tag", "-l").split() == ["v1.0.3"]


def test_a_run_without_a_deployment_is_no_deploy(repo_factory: Any,
                                                 service: tuple[str, Deploy]) -> None:
    url, deploy = service
    repo = repo_factory(url)
    deploy.field = False
    assert smoke(repo) == 0  # green: the scenarios passed; but which deploy was it?
    cycle = list_cycles(repo / "reports" / "cycles").cycles[-1]
    assert cycle.report.context.deployment == ""
    assert any("has no scalar field 'version'" in n for n in cycle.report.notes)
    assert report_list(repo) == (
        "definition of done: 0 of 3 green deploys — not met; 1 green run(s) with no "
        "deployment id (set definition_of_done.deployment_field or pass smoke "
        "--deployment-id) not counted")


def test_a_clean_log_window_is_part_of_done(repo_factory: Any,
                                            service: tuple[str, Deploy]) -> None:
    url, deploy = service
    repo = repo_factory(url, LOGS)
    clean, dirty = "GET /health 200\n", "Traceback (most recent call last):\n  boom\n"
    assert tg(repo, "logs", "--record", "-", stdin=clean)[0] == 0  # before the streak
    for version in ("1", "2", "3"):
        deploy.version = version
        assert smoke(repo) == 0
    assert report_list(repo) == ("definition of done: 3 of 3 green deploys — not met; "
                                 "log window: no green logs cycle since cycle 2")
    assert tg(repo, "logs", "--record", "-", stdin=dirty)[0] == 1
    assert report_list(repo) == ("definition of done: 0 of 3 green deploys — not met; "
                                 "last red: cycle 5 (logs), log:traceback")
    for version in ("4", "5", "6"):
        deploy.version = version
        assert smoke(repo) == 0
        assert tg(repo, "logs", "--record", "-", stdin=clean)[0] == 0
    assert report_list(repo) == "definition of done: 3 of 3 green deploys — met"
    assert tg(repo, "release")[0] == 0


def validate(path: Path) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["validate", str(path)])
    return result.exit_code, result.output


def test_contract_forms(repo_factory: Any, tmp_path: Path) -> None:
    repo = repo_factory("http://127.0.0.1:9")
    path = repo / "product" / "truth.yaml"
    assert validate(path)[0] == 0
    text = path.read_text()
    path.write_text(text.replace("consecutive_green: 3", "consecutive_green: 3\n"
                                 "    consecutive_green_cycles: 3"))
    code, out = validate(path)
    assert code == 2 and "not both" in out
    path.write_text(text.replace("of: smoke", "of: verify"))
    code, out = validate(path)
    assert code == 2 and "distinct: deployment needs of: smoke" in out
    path.write_text(text.replace("distinct: deployment", "distinct: every"))
    code, out = validate(path)
    assert code == 2 and "distinct" in out
