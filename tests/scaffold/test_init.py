"""`truthgate init` on sample Flask and FastAPI repositories."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from truthgate.cli.main import app
from truthgate.contract import load_contract


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


FLASK = {
    "app.py": "import os\nfrom flask import Flask\napp = Flask(__name__)\n"
    "app.secret_key = os.environ['SESSION_SECRET']\n"
    "DB = os.getenv('DATABASE_URL')\n",
    "run_server.py": "from app import app\n\nif __name__ == '__main__':\n    app.run()\n",
    "scripts/seed.py": "if __name__ == '__main__':\n    print('seed')\n",
    "Procfile": "web: gunicorn app:app\n",
    ".env.example": "SESSION_SECRET=\nDATABASE_URL=postgresql://localhost/db\nSENTRY_DSN=\n",
}

FASTAPI = {
    "backend/__init__.py": "",
    "backend/main.py": "import os\nfrom fastapi import FastAPI\n"
    "SECRET_KEY = os.getenv('SECRET_KEY')\napp = FastAPI()\n",
    "backend/settings.py": "from pydantic_settings import BaseSettings\n\n"
    "class Settings(BaseSettings):\n    redis_url: str = 'redis://x'\n",
    "Dockerfile": 'FROM python:3.11\nCMD ["uvicorn", "backend.main:app", "--host", "0.0.0.0"]\n',
}


def test_init_flask_repo_names_the_procfile_entrypoint_and_env(tmp_path: Path) -> None:
    _write(tmp_path, FLASK)
    result = CliRunner().invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    contract = load_contract(tmp_path / "product" / "truth.yaml")
    assert contract.entrypoint.path == "app.py"
    assert contract.entrypoint.command == "gunicorn app:app"
    # A second runner is reported by single-entrypoint, suggested for forbidden, never forbidden.
    assert contract.entrypoint.forbidden == ()
    assert '# forbidden: ["run_server.py"]' in (tmp_path / "product" / "truth.yaml").read_text()
    # Required: read so that a missing value fails; os.getenv() copes with None.
    assert {v.name for v in contract.env.required} == {"SESSION_SECRET"}
    assert {v.name for v in contract.env.optional} == {"DATABASE_URL", "SENTRY_DSN"}
    assert contract.env.secret_names == frozenset({"SESSION_SECRET"})
    assert contract.env.example_file == ".env.example"
    assert (tmp_path / "kb" / "architecture.md").is_file()
    assert (tmp_path / ".github" / "workflows" / "truth_gate.yml").is_file()


def test_init_fastapi_repo_follows_the_dockerfile(tmp_path: Path) -> None:
    _write(tmp_path, FASTAPI)
    result = CliRunner().invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    contract = load_contract(tmp_path / "product" / "truth.yaml")
    assert contract.entrypoint.path == "backend/main.py"
    assert contract.entrypoint.command == "uvicorn backend.main:app --host 0.0.0.0"
    assert {v.name for v in contract.env.required} == set()
    assert {v.name for v in contract.env.optional} == {"SECRET_KEY", "REDIS_URL"}
    assert "SECRET_KEY" in contract.env.secret_names


def test_init_never_overwrites_without_force(tmp_path: Path) -> None:
    _write(tmp_path, {**FLASK, "product/truth.yaml": "# mine\n"})
    result = CliRunner().invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 0
    assert "kept  product/truth.yaml" in result.stdout
    assert (tmp_path / "product" / "truth.yaml").read_text() == "# mine\n"
    result = CliRunner().invoke(app, ["init", str(tmp_path), "--force"])
    assert "wrote product/truth.yaml" in result.stdout
    load_contract(tmp_path / "product" / "truth.yaml")


def test_init_on_a_missing_directory_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["init", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "is not a directory" in result.stderr
