"""no_hardcoded_secrets: literals, fallbacks, URL credentials, and their look-alikes."""

from __future__ import annotations

from truthgate.contract.model import Env, EnvVar, InvariantSpec
from truthgate.verify.kinds import get_kind

from .conftest import check_kind, make_contract, write_files


def test_hardcoded_secrets(run_kind):
    files = {
        "app.py": """
            import os
            from flask import Flask
            app = Flask(__name__)
            app.secret_key = "s3cr3t-value"
            app.config["SECRET_KEY"] = "another"
            JWT_SECRET = "jwt"
            DB_PASSWORD = "hunter2"
            GITHUB_TOKEN = "ghp_abc"
            api_key = "k-123"
            app.config.update(SECRET_KEY="inline")
            SESSION = os.environ.get("SESSION_SECRET", "dev-secret")
            DB_URL = "postgresql://plainview:plainview_password@localhost:5432/plainview"
            """,
        "config.py": """
            import os
            from pydantic_settings import BaseSettings
            class Settings(BaseSettings):
                signing_key: str = "abc"
            postgres_url: str = os.getenv(
                "POSTGRES_URL",
                "postgresql+asyncpg://plainview:plainview_password@localhost:5432/plainview",
            )
            """,
    }
    assert run_kind("no_hardcoded_secrets", files) == [
        ("app.py", 4, "hard-coded secret assigned to app.secret_key"),
        ("app.py", 5, "hard-coded secret assigned to app.config[SECRET_KEY]"),
        ("app.py", 6, "hard-coded secret assigned to JWT_SECRET"),
        ("app.py", 7, "hard-coded secret assigned to DB_PASSWORD"),
        ("app.py", 8, "hard-coded secret assigned to GITHUB_TOKEN"),
        ("app.py", 9, "hard-coded secret assigned to api_key"),
        ("app.py", 10, "hard-coded secret passed as SECRET_KEY= to app.config.update()"),
        ("app.py", 11, "secret env var SESSION_SECRET falls back to a hard-coded value"),
        ("app.py", 12, "connection URL embeds the password of user 'plainview'"),
        ("config.py", 4, "hard-coded secret assigned to signing_key"),
        ("config.py", 7, "connection URL embeds the password of user 'plainview'"),
    ]


def test_hardcoded_secret_lookalikes_are_fine(run_kind):
    files = {
        "app.py": """
            import os
            SECRET_KEY = os.environ["SECRET_KEY"]
            API_KEY = os.getenv("API_KEY")
            DB_PASSWORD = os.getenv("DB_PASSWORD", "")
            LOG_LEVEL = os.getenv("LOG_LEVEL", "info")
            TOKEN_URL = "/auth/token"
            password_reset_url = "/reset"
            token_count = "3"
            cache_key = "users"
            PASSWORD = "password"
            AWS_ACCESS_KEY_ID = "AKIA-not-secret-id"
            DATABASE_URL = "postgresql://user:${DB_PASSWORD}@db/app"
            OTHER_URL = "postgresql://user@db/app"
            def login(password=""):
                return password
            """,
        "tests/test_app.py": 'SECRET_KEY = "test-key"\nDB = "postgresql://u:p@h/d"\n',
    }
    assert run_kind("no_hardcoded_secrets", files) == []


def test_allow_values_and_declared_secret_names(run_kind):
    files = {
        "app.py": """
            STRIPE = "sk_live_1"
            SECRET_KEY = "changeme"
            stripe_api = "x"
            """,
    }
    env = Env(required=(EnvVar("STRIPE_API", secret=True),))
    got = run_kind("no_hardcoded_secrets", files, {"allow_values": ["", "changeme"]}, env=env)
    assert got == [("app.py", 3, "hard-coded secret assigned to stripe_api")]


def test_fallback_deferred_to_env_contract(run_kind):
    # The same defect is reported once: by env_contract, when it is enabled and the var is
    # declared secret.
    files = {"app.py": 'import os\nKEY = os.getenv("SECRET_KEY", "change-me")\n'}
    env = Env(required=(EnvVar("SECRET_KEY", secret=True),))
    params = get_kind("env_contract").parse_params({})
    env_spec = InvariantSpec("env", "env_contract", params=params)
    assert run_kind("no_hardcoded_secrets", files, env=env, extra=(env_spec,)) == []
    assert run_kind("no_hardcoded_secrets", files, {"defer_to_env_contract": False}, env=env,
                    extra=(env_spec,)) == [
        ("app.py", 2, "secret env var SECRET_KEY falls back to a hard-coded value"),
    ]
    assert run_kind("no_hardcoded_secrets", files, env=env) == [
        ("app.py", 2, "secret env var SECRET_KEY falls back to a hard-coded value"),
    ]


def test_or_fallbacks_to_a_literal_are_hardcoded_secrets(run_kind):
    files = {
        "app.py": """
            import os
            from os import environ
            from flask import Flask
            app = Flask(__name__)
            SECRET_KEY = os.environ.get("SECRET_KEY") or "dev-secret"
            app.secret_key = os.getenv("FLASK_SECRET") or "changeme-in-prod"
            app.config["JWT_SECRET"] = environ.get("JWT_SECRET") or "x9f2c1"
            DB_PASSWORD = os.getenv("DB_PASSWORD", None) or "hunter2"
            API_TOKEN = os.environ["API_TOKEN"] or "tok-1"
            SIGNING_KEY = os.getenv("SIGNING_KEY") or os.getenv("OLD_SIGNING_KEY") or "k"
            """,
    }
    assert run_kind("no_hardcoded_secrets", files) == [
        ("app.py", 5, "secret env var SECRET_KEY falls back to a hard-coded value"),
        ("app.py", 6, "secret env var FLASK_SECRET falls back to a hard-coded value"),
        ("app.py", 7, "secret env var JWT_SECRET falls back to a hard-coded value"),
        ("app.py", 8, "secret env var DB_PASSWORD falls back to a hard-coded value"),
        ("app.py", 9, "secret env var API_TOKEN falls back to a hard-coded value"),
        ("app.py", 10, "secret env var SIGNING_KEY falls back to a hard-coded value"),
        ("app.py", 10, "secret env var OLD_SIGNING_KEY falls back to a hard-coded value"),
    ]


def test_or_fallback_lookalikes_are_fine(run_kind):
    files = {
        "app.py": """
            import os
            from flask import request
            LOG_LEVEL = os.environ.get("LOG_LEVEL") or "INFO"
            SECRET_KEY = os.environ.get("SECRET_KEY") or ""
            token = request.headers.get("X-Token") or "anonymous"
            secret = settings.get("SECRET_KEY") or "dev-key"
            password = value or "dev-key"
            api_token = os.getenv("API_TOKEN") and "enabled"
            session_secret = os.getenv("SESSION_SECRET") or 1 or "unreachable"
            signing_key = os.getenv("SIGNING_KEY") or _require("SIGNING_KEY")

            def _require(name):
                raise RuntimeError(f"{name} must be set")

            JWT_SECRET = os.environ.get("JWT_SECRET")
            if not JWT_SECRET:
                raise RuntimeError("JWT_SECRET must be set")
            """,
        "tests/conftest.py": 'import os\nSECRET_KEY = os.getenv("SECRET_KEY") or "test"\n',
    }
    assert run_kind("no_hardcoded_secrets", files) == []


def test_or_fallback_deferred_to_env_contract(run_kind):
    files = {"app.py": 'import os\nKEY = os.getenv("SECRET_KEY") or "change-me"\n'}
    env = Env(required=(EnvVar("SECRET_KEY", secret=True),))
    env_spec = InvariantSpec("env", "env_contract", params=get_kind("env_contract").parse_params({}))
    assert run_kind("no_hardcoded_secrets", files, env=env, extra=(env_spec,)) == []
    assert run_kind("env_contract", files, env=env) == [
        ("app.py", 2, "secret env var SECRET_KEY has a hard-coded default"),
    ]


FALLBACK = "the literal is used when the variable is unset or empty"


def test_secret_target_with_a_literal_fallback(run_kind):
    # The env var's name gives nothing away; the assignment target does.
    files = {
        "app.py": """
            import os
            from flask import Flask
            app = Flask(__name__)
            app.secret_key = os.getenv("FLASK_KEY") or "dev"
            app.config["SECRET_KEY"] = os.environ.get("APP_SESSION") or "not-so-secret"
            JWT_SECRET = settings.get("jwt") or "changeme-please"
            SECRET_KEY = os.getenv("FLASK_KEY", "dev-key")
            app.secret_key = os.getenv("K") if os.getenv("K") else "dev"
            API_TOKEN = getattr(settings, "API", "tok-dev")
            class Config:
                signing_key = os.environ.get("SIGN") or "k-dev"
            def create_app():
                app.config["JWT_SECRET_KEY"] = cfg["jwt"] or "jwt-dev"
                session_token = os.getenv("SESSION") or "tok"
            """,
    }
    assert run_kind("no_hardcoded_secrets", files) == [
        ("app.py", 4, f"hard-coded fallback for app.secret_key: {FALLBACK}"),
        ("app.py", 5, f"hard-coded fallback for app.config[SECRET_KEY]: {FALLBACK}"),
        ("app.py", 6, f"hard-coded fallback for JWT_SECRET: {FALLBACK}"),
        ("app.py", 7, f"hard-coded fallback for SECRET_KEY: {FALLBACK}"),
        ("app.py", 8, f"hard-coded fallback for app.secret_key: {FALLBACK}"),
        ("app.py", 9, f"hard-coded fallback for API_TOKEN: {FALLBACK}"),
        ("app.py", 11, f"hard-coded fallback for signing_key: {FALLBACK}"),
        ("app.py", 13, f"hard-coded fallback for app.config[JWT_SECRET_KEY]: {FALLBACK}"),
        ("app.py", 14, f"hard-coded fallback for session_token: {FALLBACK}"),
    ]


def test_secret_target_fallback_is_reported_at_the_assignment_with_a_start_up_hint(tmp_path):
    write_files(tmp_path, {"app.py": 'import os\nif True:\n    SECRET_KEY = os.getenv("K") or "d"\n'})
    [v] = check_kind(make_contract(tmp_path, "no_hardcoded_secrets"), "no_hardcoded_secrets")
    assert (v.line, v.col, v.key) == (3, 5, "fallback:SECRET_KEY")
    assert "fail at start-up when it is unset" in v.hint
    assert '"d"' not in v.message  # the secret's value never appears in a message


def test_secret_target_fallback_lookalikes_are_fine(run_kind):
    files = {
        "app.py": """
            import os
            from flask import request
            app.secret_key = os.environ["FLASK_KEY"]
            SECRET_KEY = os.getenv("K") or None
            API_KEY = os.getenv("K") or ""
            LOG_LEVEL = os.getenv("X") or "INFO"
            secret_key_path = os.getenv("P") or "/etc/key.pem"
            SECRET_KEY_FILE = os.environ.get("F", "/run/secrets/key")
            app.secret_key = load_key() or fallback_var
            PASSWORD = os.getenv("PW") or "password"
            JWT_SECRET = os.getenv("J") or 1 or "unreachable"
            app.secret_key = os.getenv("K") or _require("K")
            DB_PASSWORD = os.getenv("DB_PW", "")
            TOKEN = "first" or os.getenv("T")
            SECRET = "a" if DEBUG else "b"

            def handler():
                token = request.headers.get("X-Token") or "anonymous"
                password = form.get("password", "guest")
                return token, password
            """,
        "tests/conftest.py": 'import os\napp.secret_key = os.getenv("K") or "test"\n',
    }
    assert run_kind("no_hardcoded_secrets", files) == []


def test_secret_target_fallback_placeholders_follow_allow_values(run_kind):
    files = {"app.py": 'import os\napp.secret_key = os.getenv("FLASK_KEY") or "changeme"\n'}
    assert run_kind("no_hardcoded_secrets", files) == [
        ("app.py", 2, f"hard-coded fallback for app.secret_key: {FALLBACK}"),
    ]
    assert run_kind("no_hardcoded_secrets", files, {"allow_values": ["", "changeme"]}) == []


def test_secret_target_and_secret_env_var_are_reported_once(run_kind):
    # Both the target and the env var look secret: the env read's finding stands alone.
    files = {
        "app.py": """
            import os
            SECRET_KEY = os.getenv("SECRET_KEY") or "dev"
            app.secret_key = os.environ.get("SESSION_SECRET", "dev-secret-key")
            JWT_SECRET = os.getenv("OLD_JWT_SECRET") or os.getenv("JWT_KEY") or "jwt-dev"
            """,
    }
    assert run_kind("no_hardcoded_secrets", files) == [
        ("app.py", 2, "secret env var SECRET_KEY falls back to a hard-coded value"),
        ("app.py", 3, "secret env var SESSION_SECRET falls back to a hard-coded value"),
        ("app.py", 4, "secret env var OLD_JWT_SECRET falls back to a hard-coded value"),
    ]


def test_secret_target_fallback_and_env_contract_report_once(run_kind):
    # FLASK_KEY is a declared secret: env_contract owns its literal default, whatever form the
    # default takes -- the conditional on the same variable is one such form.
    files = {
        "app.py": """
            import os
            app.secret_key = os.getenv("FLASK_KEY") or "dev"
            app.config["SECRET_KEY"] = os.getenv("FLASK_KEY", "dev")
            SECRET_KEY = os.getenv("FLASK_KEY") if os.getenv("FLASK_KEY") else "dev"
            """,
    }
    env = Env(required=(EnvVar("FLASK_KEY", secret=True),))
    env_spec = InvariantSpec("env", "env_contract", params=get_kind("env_contract").parse_params({}))
    assert run_kind("env_contract", files, env=env) == [
        ("app.py", 2, "secret env var FLASK_KEY has a hard-coded default"),
        ("app.py", 3, "secret env var FLASK_KEY has a hard-coded default"),
        ("app.py", 4, "secret env var FLASK_KEY has a hard-coded default"),
    ]
    assert run_kind("no_hardcoded_secrets", files, env=env, extra=(env_spec,)) == []
    # Without env_contract the env reads are this kind's, reported once each.
    assert run_kind("no_hardcoded_secrets", files, env=env) == [
        ("app.py", 2, "secret env var FLASK_KEY falls back to a hard-coded value"),
        ("app.py", 3, "secret env var FLASK_KEY falls back to a hard-coded value"),
        ("app.py", 4, "secret env var FLASK_KEY falls back to a hard-coded value"),
    ]


KWARG = "the literal is used when the variable is unset or empty"


def test_secret_keyword_fed_a_config_read_with_a_literal_fallback(run_kind):
    # The env var's name gives nothing away; the keyword does, as an assignment target would.
    files = {
        "app.py": """
            import os
            import psycopg
            conn = psycopg.connect(password=os.getenv("DB_PW") or "dev")
            engine = create_engine(url, password=os.environ.get("X", "hunter2"))
            client = Client(api_key=settings.get("stripe") or "sk_test_1")
            jwt = encode(payload, secret=getattr(settings, "JWT", "jwt-dev"))
            db = connect(password=os.environ["PG"] if "PG" in os.environ else "pg-dev")
            """,
    }
    assert run_kind("no_hardcoded_secrets", files) == [
        ("app.py", 3, f"hard-coded fallback passed as password= to psycopg.connect(): {KWARG}"),
        ("app.py", 4, f"hard-coded fallback passed as password= to create_engine(): {KWARG}"),
        ("app.py", 5, f"hard-coded fallback passed as api_key= to Client(): {KWARG}"),
        ("app.py", 6, f"hard-coded fallback passed as secret= to encode(): {KWARG}"),
        ("app.py", 7, f"hard-coded fallback passed as password= to connect(): {KWARG}"),
    ]


def test_secret_keyword_fallback_lookalikes_are_fine(run_kind):
    files = {
        "app.py": """
            import os
            from flask import request
            a = connect(password=os.getenv("X"))
            b = connect(password=os.getenv("X") or "")
            c = connect(password=os.environ.get("X", ""))
            d = connect(timeout=os.getenv("T") or "30", user=os.getenv("U") or "app")
            e = connect(password=request.form.get("pw") or "guest")
            f = login(password=form.get("password", "guest"))
            g = connect(password=pw or "dev")
            h = open_key(secret_key_path=os.getenv("P") or "/etc/key.pem")
            i = connect(password=os.getenv("X") or "password")
            j = connect(password="a" if DEBUG else "b")
            """,
        "tests/conftest.py": 'import os\nconnect(password=os.getenv("X") or "test")\n',
    }
    assert run_kind("no_hardcoded_secrets", files) == []


def test_secret_keyword_fallback_is_reported_once(run_kind):
    # DB_PASSWORD itself looks secret: its env read's finding stands alone, and a declared
    # secret with env_contract enabled is left to env_contract.
    files = {"app.py": 'import os\nconnect(password=os.getenv("DB_PASSWORD") or "dev")\n'
                       'connect(password=os.getenv("PG_KEY_VALUE", "pg-dev"))\n'}
    assert run_kind("no_hardcoded_secrets", files) == [
        ("app.py", 3, f"hard-coded fallback passed as password= to connect(): {KWARG}"),
        ("app.py", 2, "secret env var DB_PASSWORD falls back to a hard-coded value"),
    ]
    env = Env(required=(EnvVar("PG_KEY_VALUE", secret=True), EnvVar("DB_PASSWORD", secret=True)))
    env_spec = InvariantSpec("env", "env_contract", params=get_kind("env_contract").parse_params({}))
    assert run_kind("no_hardcoded_secrets", files, env=env, extra=(env_spec,)) == []
    assert run_kind("no_hardcoded_secrets", files, {"allow_values": ["", "dev", "pg-dev"]}) == []
