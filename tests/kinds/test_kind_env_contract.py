"""env_contract: declarations, the example file, forbidden and secret vars."""

from __future__ import annotations

from truthgate.contract.model import Env, EnvVar

ENV = Env(
    required=(EnvVar("DATABASE_URL"), EnvVar("SECRET_KEY", secret=True)),
    optional=(EnvVar("LOG_LEVEL"), EnvVar("STRIPE_KEY", secret=True)),
    forbidden=(EnvVar("DEBUG_BYPASS_AUTH"),),
    example_file=".env.example",
    accessors=("config.env",),
)


def test_env_contract_code_findings(run_kind):
    files = {
        "app.py": """
            import os
            from os import environ
            from app import config
            from pydantic_settings import BaseSettings

            db = os.environ["DATABASE_URL"]
            key = os.getenv("SECRET_KEY", "dev-key")
            level = os.environ.get("LOG_LEVEL", "info")
            region = environ.get("AWS_REGION")
            bypass = os.getenv("DEBUG_BYPASS_AUTH")
            stripe = config.env("STRIPE_KEY", "sk_test_1")
            dynamic = os.getenv(name)

            class Settings(BaseSettings):
                secret_key: str = "change-me"
                redis_url: str = ""
            """,
        ".env.example": """
            # comment
            export DATABASE_URL=postgresql://localhost/app
            SECRET_KEY="<generate with openssl rand -hex 32>"
            STRIPE_KEY=changeme  # fill in
            """,
        "tests/test_env.py": 'import os\nos.getenv("PYTEST_ONLY")\n',
    }
    assert run_kind("env_contract", files, env=ENV) == [
        ("app.py", 7, "secret env var SECRET_KEY has a hard-coded default"),
        ("app.py", 9, "env var AWS_REGION is read but not declared in the contract"),
        ("app.py", 10, "forbidden env var DEBUG_BYPASS_AUTH is read"),
        ("app.py", 11, "secret env var STRIPE_KEY has a hard-coded default"),
        ("app.py", 15, "secret env var SECRET_KEY has a hard-coded default"),
        ("app.py", 16, "env var REDIS_URL is read but not declared in the contract"),
    ]


def test_env_contract_example_file_findings(run_kind):
    files = {
        "app.py": 'import os\nos.environ["DATABASE_URL"]\n',
        ".env.example": """
            DATABASE_URL=
            STRIPE_KEY=sk_live_51Habc
            DEBUG_BYPASS_AUTH=1
            """,
    }
    assert run_kind("env_contract", files, env=ENV) == [
        (".env.example", 0, "required env var SECRET_KEY is missing from .env.example"),
        (".env.example", 3, "forbidden env var DEBUG_BYPASS_AUTH appears in .env.example"),
        (".env.example", 2, "secret env var STRIPE_KEY has a real-looking value in .env.example"),
    ]


def test_env_contract_missing_example_and_ignore(run_kind):
    files = {"app.py": 'import os\nos.getenv("PYTHONPATH")\nos.getenv("SECRET_KEY", "")\n'}
    env = Env(required=(EnvVar("SECRET_KEY", secret=True),), example_file=".env.example")
    assert run_kind("env_contract", files, {"ignore": ["PYTHON*"]}, env=env) == [
        (".env.example", 0, "env example file .env.example does not exist"),
    ]


def test_env_contract_placeholders_and_non_secret_defaults_are_fine(run_kind):
    files = {
        "app.py": """
            import os
            os.getenv("LOG_LEVEL", "debug")
            os.getenv("SECRET_KEY")
            os.environ.get("DATABASE_URL", None)
            """,
        ".env.example": """
            DATABASE_URL=postgresql://localhost/app
            SECRET_KEY=your-secret-key
            STRIPE_KEY=xxx
            LOG_LEVEL=debug
            """,
    }
    assert run_kind("env_contract", files, env=ENV) == []


def test_env_contract_or_fallback_is_a_secret_default(run_kind):
    files = {
        "app.py": """
            import os
            db = os.environ["DATABASE_URL"]
            key = os.environ.get("SECRET_KEY") or "x9f3c0ffee"
            stripe = os.getenv("STRIPE_KEY", None) or "sk_test_1"
            """,
    }
    env = Env(required=ENV.required, optional=ENV.optional)
    assert run_kind("env_contract", files, env=env) == [
        ("app.py", 3, "secret env var SECRET_KEY has a hard-coded default"),
        ("app.py", 4, "secret env var STRIPE_KEY has a hard-coded default"),
    ]


def test_env_contract_or_fallback_lookalikes_are_fine(run_kind):
    files = {
        "app.py": """
            import os
            from flask import request
            level = os.environ.get("LOG_LEVEL") or "INFO"
            key = os.environ.get("SECRET_KEY") or ""
            user = request.headers.get("X-User") or "anonymous"
            stripe = os.getenv("STRIPE_KEY") or _missing("STRIPE_KEY")
            db = os.environ.get("DATABASE_URL")
            if not db:
                raise SystemExit("DATABASE_URL must be set")

            def _missing(name):
                raise RuntimeError(name)
            """,
    }
    env = Env(required=ENV.required, optional=ENV.optional)
    assert run_kind("env_contract", files, env=env) == []


def test_env_contract_conditional_on_the_same_var_is_a_secret_default(run_kind):
    # The same intent as os.getenv("SECRET_KEY", "dev"), spelled as a conditional.
    files = {
        "app.py": """
            import os
            key = os.environ["SECRET_KEY"] if "SECRET_KEY" in os.environ else "dev-key"
            stripe = os.getenv("STRIPE_KEY") if os.getenv("STRIPE_KEY") else "sk_test_1"
            again = "dev" if os.environ.get("SECRET_KEY") is None else os.environ["SECRET_KEY"]
            """,
    }
    env = Env(required=ENV.required, optional=ENV.optional)
    assert run_kind("env_contract", files, env=env) == [
        ("app.py", 2, "secret env var SECRET_KEY has a hard-coded default"),
        ("app.py", 3, "secret env var STRIPE_KEY has a hard-coded default"),
        ("app.py", 4, "secret env var SECRET_KEY has a hard-coded default"),
    ]


def test_env_contract_conditional_lookalikes_are_fine(run_kind):
    files = {
        "app.py": """
            import os
            DEBUG = os.getenv("LOG_LEVEL") == "debug"
            key = os.environ["SECRET_KEY"] if not DEBUG else "test-only-key"
            stripe = os.getenv("STRIPE_KEY") if os.getenv("STRIPE_KEY") else ""
            other = os.environ["SECRET_KEY"] if "LOG_LEVEL" in os.environ else "dev"
            level = os.getenv("LOG_LEVEL") if os.getenv("LOG_LEVEL") else "INFO"
            """,
    }
    env = Env(required=ENV.required, optional=ENV.optional)
    assert run_kind("env_contract", files, env=env) == []
