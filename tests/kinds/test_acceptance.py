"""Acceptance: whole tmp repositories through ``run_verify`` with every kind of this team on.

(a) reproduces the Flask service of audit 000; (b) the FastAPI service of audit 001. Each
yields exactly the known defects, one finding per defect, and nothing else.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from truthgate.contract.model import (
    Contract,
    Entrypoint,
    Env,
    EnvVar,
    InvariantSpec,
    Kb,
    Legacy,
    Product,
)
from truthgate.model import Outcome
from truthgate.verify.engine import run_verify
from truthgate.verify.kinds import get_kind

from .conftest import write_files

NINE = (
    "single_entrypoint", "forbidden_entrypoints", "env_contract", "no_hardcoded_secrets",
    "no_cors_wildcard", "no_dev_server", "no_runtime_schema_create", "http_timeouts",
    "no_secret_logging",
)

FLASK_REPO = {
    "app.py": """
        import logging
        import os

        from flask import Flask
        from flask_socketio import SocketIO
        from flask_sqlalchemy import SQLAlchemy

        log = logging.getLogger(__name__)
        app = Flask(__name__)
        app.secret_key = os.environ.get("SESSION_SECRET", "dev-secret-key")
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
        db = SQLAlchemy(app)
        socketio = SocketIO(app, cors_allowed_origins="*")

        with app.app_context():
            import models  # noqa: F401
            db.create_all()
            log.info("tables ready, token_count=%d", 0)
        """,
    "models.py": """
        from app import db

        class User(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            password_hash = db.Column(db.String(128))
        """,
    "routes.py": """
        import requests
        from flask import request
        from app import app, log

        @app.post("/login")
        def login():
            password = request.form["password"]
            log.info("login attempt for %s", request.form["email"])
            r = requests.get("https://partner.example.com/api", timeout=10)
            return {"ok": bool(password), "status": r.status_code}
        """,
    "run_server.py": """
        from app import app
        import routes  # noqa: F401

        if __name__ == "__main__":
            app.run(host="0.0.0.0", port=5000)
        """,
    "scripts/intelligence_loop.py": """
        import time
        import requests

        if __name__ == "__main__":
            while True:
                requests.get("https://feeds.example.com", timeout=30)
                time.sleep(300)
        """,
    "migrations/versions/001_init.py": "def upgrade():\n    db.create_all()\n",
    "tests/test_app.py": """
        from app import app
        SECRET_KEY = "test-only"
        def test_index():
            app.run
        """,
    "Procfile": "web: python run_server.py\n",
    ".env.example": "DATABASE_URL=postgresql://localhost/pulse\nSESSION_SECRET=changeme\n",
}

FASTAPI_REPO = {
    "backend/__init__.py": "",
    "backend/main.py": """
        import os

        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware

        from backend import routes

        SECRET_KEY = os.getenv("SECRET_KEY", "change-me")
        ALGORITHM = "HS256"
        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"])
        app.include_router(routes.router)
        """,
    "backend/routes.py": """
        import logging

        from fastapi import APIRouter

        from backend.main import ALGORITHM, SECRET_KEY

        logger = logging.getLogger(__name__)
        router = APIRouter()

        @router.get("/token")
        def token(user_id: str):
            logger.info("issuing token for %s", user_id)
            return {"alg": ALGORITHM, "signed": len(SECRET_KEY) > 0}
        """,
    "Dockerfile": 'FROM python:3.12\nCMD ["uvicorn", "backend.main:app", "--host", "0.0.0.0"]\n',
    ".env.example": "SECRET_KEY=<generate-me>\nDATABASE_URL=\n",
}


def _contract(root: Path, kinds: tuple[str, ...], entrypoint: Entrypoint, env: Env) -> Contract:
    specs = tuple(
        InvariantSpec(id=k.replace("_", "-"), kind=k, params=get_kind(k).parse_params({}))
        for k in kinds
    )
    return Contract(version=1, product=Product("x"), entrypoint=entrypoint, env=env, kb=Kb(),
                    legacy=Legacy(), invariants=specs, root=root)


def _found(report):
    return sorted(
        (f.kind, f.location.path, f.location.line, f.message) for f in report.findings
    )


GETENV_DEFAULT = 'os.environ.get("SESSION_SECRET", "dev-secret-key")'
# The same defect as the audit's, written the other common way.
OR_FALLBACK = 'os.environ.get("SESSION_SECRET") or "dev-secret-key"'


@pytest.mark.parametrize("secret_read", [GETENV_DEFAULT, OR_FALLBACK])
def test_flask_service_yields_exactly_the_audit_defects(tmp_path, secret_read):
    files = dict(FLASK_REPO)
    files["app.py"] = files["app.py"].replace(GETENV_DEFAULT, secret_read)
    assert secret_read in files["app.py"]
    write_files(tmp_path, files)
    env = Env(
        required=(EnvVar("DATABASE_URL"), EnvVar("SESSION_SECRET", secret=True)),
        example_file=".env.example",
    )
    entry = Entrypoint("run_server.py", command="python run_server.py")
    report = run_verify(_contract(tmp_path, NINE, entry, env), use_cache=False)

    assert _found(report) == [
        ("env_contract", "app.py", 10, "secret env var SESSION_SECRET has a hard-coded default"),
        ("no_cors_wildcard", "app.py", 13, "cors_allowed_origins='*' allows every origin"),
        ("no_dev_server", "run_server.py", 5,
         "app.run() starts the development server in the blessed entrypoint's main guard"),
        ("no_runtime_schema_create", "app.py", 17,
         "db.create_all() creates the database schema at run time"),
    ]
    outcomes = {r.kind: r.outcome for r in report.invariants}
    failing = {"env_contract", "no_cors_wildcard", "no_dev_server", "no_runtime_schema_create"}
    assert outcomes == {k: Outcome.FAIL if k in failing else Outcome.PASS for k in NINE}


@pytest.mark.parametrize("secret_read", [GETENV_DEFAULT, OR_FALLBACK])
def test_flask_secret_fallback_reported_by_no_hardcoded_secrets_alone(tmp_path, secret_read):
    # Without env_contract the same defect is still caught, by no_hardcoded_secrets.
    files = dict(FLASK_REPO)
    files["app.py"] = files["app.py"].replace(GETENV_DEFAULT, secret_read)
    write_files(tmp_path, files)
    kinds = tuple(k for k in NINE if k != "env_contract")
    entry = Entrypoint("run_server.py", command="python run_server.py")
    report = run_verify(_contract(tmp_path, kinds, entry, Env()), use_cache=False)
    secrets = [f for f in report.findings if f.kind == "no_hardcoded_secrets"]
    assert [(f.location.path, f.location.line, f.message) for f in secrets] == [
        ("app.py", 10, "secret env var SESSION_SECRET falls back to a hard-coded value"),
    ]


def test_fastapi_service_yields_exactly_the_audit_defects(tmp_path):
    write_files(tmp_path, FASTAPI_REPO)
    env = Env(
        required=(EnvVar("SECRET_KEY", secret=True),),
        optional=(EnvVar("DATABASE_URL"),),
        example_file=".env.example",
    )
    entry = Entrypoint("backend/main.py", command="uvicorn backend.main:app")
    kinds = (*NINE, "no_import_cycles")
    report = run_verify(_contract(tmp_path, kinds, entry, env), use_cache=False)

    found = _found(report)
    cycles = [f for f in found if f[0] == "no_import_cycles"]
    assert len(cycles) == 1 and cycles[0][3].startswith("import cycle:")
    assert [f for f in found if f[0] != "no_import_cycles"] == [
        ("env_contract", "backend/main.py", 8,
         "secret env var SECRET_KEY has a hard-coded default"),
        ("no_cors_wildcard", "backend/main.py", 11, "allow_origins=['*'] allows every origin"),
    ]
    assert all(r.outcome in (Outcome.PASS, Outcome.FAIL) for r in report.invariants)


@pytest.mark.parametrize("secret", [False, True])
def test_flask_secret_target_fallback_is_one_finding(tmp_path, secret):
    # Only the target says "secret": no_hardcoded_secrets reports it, unless the contract
    # declares FLASK_KEY secret, when env_contract owns it. Never both.
    files = dict(FLASK_REPO)
    files["app.py"] = files["app.py"].replace(GETENV_DEFAULT, 'os.getenv("FLASK_KEY") or "dev"')
    write_files(tmp_path, files)
    env = Env(
        required=(EnvVar("DATABASE_URL"),),
        optional=(EnvVar("SESSION_SECRET", secret=True), EnvVar("FLASK_KEY", secret=secret)),
        example_file=".env.example",
    )
    entry = Entrypoint("run_server.py", command="python run_server.py")
    report = run_verify(_contract(tmp_path, NINE, entry, env), use_cache=False)
    expected = (
        ("env_contract", "app.py", 10, "secret env var FLASK_KEY has a hard-coded default")
        if secret else
        ("no_hardcoded_secrets", "app.py", 10, "hard-coded fallback for app.secret_key: the "
         "literal is used when the variable is unset or empty")
    )
    # A declared secret the example file omits is a finding whatever its requiredness
    # (issue 15): reported where the code reads it.
    omitted = [("env_contract", "app.py", 10, "optional secret env var FLASK_KEY is read here "
                "(app.py:10) but missing from .env.example")] if secret else []
    assert _found(report) == sorted([
        expected, *omitted,
        ("no_cors_wildcard", "app.py", 13, "cors_allowed_origins='*' allows every origin"),
        ("no_dev_server", "run_server.py", 5,
         "app.run() starts the development server in the blessed entrypoint's main guard"),
        ("no_runtime_schema_create", "app.py", 17,
         "db.create_all() creates the database schema at run time"),
    ])
