"""init's workflow runs truthgate on the project's Python."""

from __future__ import annotations

from pathlib import Path

import pytest

from truthgate.scaffold.init import scaffold, workflow_python


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _python_in_workflow(root: Path) -> str:
    text = (root / ".github" / "workflows" / "truth_gate.yml").read_text()
    (line,) = [ln for ln in text.splitlines() if "python-version:" in ln]
    return line.split(":", 1)[1].strip().strip('"')


@pytest.mark.parametrize(("files", "python"), [
    ({"pyproject.toml": '[project]\nname = "x"\nrequires-python = ">=3.14"\n'}, "3.14"),
    ({".python-version": "3.13.2\n"}, "3.13"),
    ({"Dockerfile": "FROM python:3.12-slim\nCMD [\"python\", \"app.py\"]\n"}, "3.12"),
    ({"backend/Dockerfile": "FROM python:3.13-alpine\n"}, "3.13"),
    ({"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.11"\n'}, "3.11"),
    ({"runtime.txt": "python-3.8.10\n"}, "3.10"),  # truthgate needs 3.10 at least
    ({"app.py": "print(1)\n"}, "3.12"),  # nothing stated: a current Python
])
def test_workflow_uses_the_projects_python(tmp_path: Path, files: dict[str, str],
                                           python: str) -> None:
    _write(tmp_path, {"app.py": "x = 1\n", **files})
    scaffold(tmp_path, install="pip install truthgate")
    assert _python_in_workflow(tmp_path) == python


def test_workflow_python_floor() -> None:
    assert workflow_python("") == "3.12"
    assert workflow_python("3.9") == "3.10"
    assert workflow_python("3.14") == "3.14"
