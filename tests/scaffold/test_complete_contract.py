"""init writes a complete contract: modeline, smoke S0, log patterns, release, needed checks,
and kb stubs that required_files reports until they are filled."""

from __future__ import annotations

from pathlib import Path

import pytest

from truthgate.contract import load_contract
from truthgate.model import Outcome
from truthgate.scaffold.init import scaffold
from truthgate.verify.engine import run_verify


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


FASTAPI = {
    "app/__init__.py": "",
    "app/main.py": "import os\nfrom fastapi import FastAPI\napp = FastAPI()\n"
    "SECRET_KEY = os.environ['SECRET_KEY']\n\n@app.get('/healthz')\ndef health():\n"
    "    return {'ok': True}\n",
    "Procfile": "web: uvicorn app.main:app\n",
    "requirements.txt": "fastapi==0.115.0\n",
    ".env.example": "SECRET_KEY=\n",
    ".gitignore": ".env\n__pycache__/\n",
}


def _init(root: Path, files: dict[str, str]) -> str:
    _write(root, files)
    scaffold(root, install="pip install truthgate")
    return (root / "product" / "truth.yaml").read_text()


def test_complete_contract(tmp_path: Path) -> None:
    text = _init(tmp_path, FASTAPI)
    assert text.startswith("# yaml-language-server: $schema=https://truthgate.dev/schema/")
    contract = load_contract(tmp_path / "product" / "truth.yaml")
    (s0,) = contract.smoke.scenarios
    assert (s0.id, s0.kind) == ("S0", "health") and "/healthz" in text
    assert [p.name for p in contract.observability.forbidden_log_patterns] == ["traceback"]
    assert [s.run for s in contract.release.checklist] == ["verify", "smoke", "logs", "dod"]
    kinds = {i.kind for i in contract.invariants}
    assert {"pinned_dependencies", "no_secret_logging", "gitignore_covers"} <= kinds


@pytest.mark.parametrize("route", ["'/health'", "'/api/health-check/'", "\"/ping\""])
def test_health_routes(tmp_path: Path, route: str) -> None:
    files = {**FASTAPI, "app/main.py": f"from fastapi import FastAPI\napp = FastAPI()\n"
             f"@app.get({route})\ndef h():\n    return 1\n"}
    text = _init(tmp_path, files)
    assert "kind: health, params: {path: \"/" in text


def test_look_alikes_are_no_health_route(tmp_path: Path) -> None:
    # a health word in a string that is no route, a test's route, a route that only
    # contains the word: no S0, a commented suggestion instead
    files = {**FASTAPI,
             "app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n"
             "HEALTH_MSG = '/health is fine'\n@app.get('/users')\ndef u():\n    return 1\n",
             "tests/test_api.py": "@app.get('/health')\ndef h():\n    return 1\n"}
    text = _init(tmp_path, files)
    assert load_contract(tmp_path / "product" / "truth.yaml").smoke is None
    assert "# init saw no health route" in text


def test_no_manifest_no_secret_means_those_checks_stay_off(tmp_path: Path) -> None:
    text = _init(tmp_path, {"app.py": "print(1)\n", "Procfile": "web: python app.py\n"})
    assert "pinned_dependencies" not in text and "no_secret_logging" not in text


def test_kb_stubs_are_reported_until_filled(tmp_path: Path) -> None:
    _init(tmp_path, FASTAPI)
    contract = load_contract(tmp_path / "product" / "truth.yaml")
    report = run_verify(contract, select=["kb-present"], use_cache=False)
    (r,) = report.invariants
    assert r.outcome is Outcome.FAIL
    assert sorted(f.location.path for f in r.findings if f.location) == [
        "kb/architecture.md", "kb/project.md"]
    assert "still the stub 'truthgate init' wrote" in r.findings[0].message
    for name in ("architecture", "project"):
        path = tmp_path / "kb" / f"{name}.md"
        filled = "\n".join(ln for ln in path.read_text().splitlines()
                           if "truthgate:stub" not in ln)
        path.write_text(filled + "\n")
    (r,) = run_verify(contract, select=["kb-present"], use_cache=False).invariants
    assert r.outcome is Outcome.PASS


def test_progress_on_big_trees_only(tmp_path: Path) -> None:
    from truthgate.scaffold.discover import PROGRESS_MIN_FILES, discover

    seen: list[tuple[int, int]] = []
    _write(tmp_path, {"app.py": "x = 1\n"})
    discover(tmp_path, lambda done, total: seen.append((done, total)))
    assert seen == []  # a small tree stays silent
    for i in range(PROGRESS_MIN_FILES):
        (tmp_path / f"f{i}.txt").write_text("")
    discover(tmp_path, lambda done, total: seen.append((done, total)))
    total = PROGRESS_MIN_FILES + 1
    assert seen[0] == (0, total) and seen[-1] == (total, total) and len(seen) >= 3


def test_terminal_progress_only_on_a_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    import io
    import sys

    from truthgate.cli.console import terminal_progress

    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert terminal_progress("init: reading") is None

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = Tty()
    monkeypatch.setattr(sys, "stderr", tty)
    show = terminal_progress("init: reading")
    assert show is not None
    show(500, 4300)
    show(4300, 4300)
    assert tty.getvalue() == "\rinit: reading 500/4300 files\rinit: reading 4300/4300 files\n"
