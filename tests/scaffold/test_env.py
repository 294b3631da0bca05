"""init's env section: required only without a default, secrets by verify's rule, tests out,
every common example-file name read."""

from __future__ import annotations

from pathlib import Path

import pytest

from truthgate.scaffold.discover import discover, is_secret_name
from truthgate.scaffold.init import render_contract
from truthgate.verify.kinds._secrets import is_secret_name as verify_is_secret_name


def _repo(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


CONFIG = """\
import os
from os import environ
from pydantic_settings import BaseSettings

DB = os.environ["DATABASE_URL"]
KEY = environ["SIGNING_SECRET"]
LEVEL = os.getenv("LOG_LEVEL", "INFO")
MAIL = os.environ.get("MAIL_SERVER")
PORT = int(os.environ.get("PORT") or 8000)
if "SENTRY_DSN" in os.environ:
    DSN = os.environ["SENTRY_DSN"]
try:
    REGION = os.environ["AWS_REGION"]
except KeyError:
    REGION = "eu"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")

class Settings(BaseSettings):
    PROJECT_NAME: str
    ACCESS_TOKEN_EXPIRE_MINUTES: int = 60
    POSTGRES_PASSWORD: str = ""
"""


def test_required_only_when_a_missing_value_fails(tmp_path: Path) -> None:
    found = discover(_repo(tmp_path, {"app/config.py": CONFIG, "app/main.py": "app = 1\n"}))
    assert set(found.env_in_code) == {"DATABASE_URL", "SIGNING_SECRET", "PROJECT_NAME"}
    assert set(found.env_optional_in_code) == {
        "LOG_LEVEL", "MAIL_SERVER", "PORT", "SENTRY_DSN", "AWS_REGION",
        "DJANGO_SETTINGS_MODULE", "ACCESS_TOKEN_EXPIRE_MINUTES", "POSTGRES_PASSWORD",
    }
    text = render_contract(found)
    assert '{name: "SIGNING_SECRET", secret: true}' in text
    assert '{name: "POSTGRES_PASSWORD", secret: true}' in text
    assert '{name: "ACCESS_TOKEN_EXPIRE_MINUTES"}' in text
    assert '{name: "DATABASE_URL"}' in text


def test_env_reads_in_tests_are_not_the_products(tmp_path: Path) -> None:
    found = discover(_repo(tmp_path, {
        "app.py": "import os\nX = os.environ['APP_X']\n",
        "tests/test_app.py": "import os\nY = os.environ['TEST_ONLY']\n",
        "test_root.py": "import os\nZ = os.environ['ROOT_TEST_ONLY']\n",
        "tests.py": "import os\nW = os.environ['TESTS_PY_ONLY']\n",
        "app/tests/conftest.py": "import os\nV = os.environ['CONFTEST_ONLY']\n",
        "contest.py": "import os\nC = os.environ['CONTEST_VAR']\n",  # a look-alike name
    }))
    assert found.env_names == ("APP_X", "CONTEST_VAR")


@pytest.mark.parametrize("name", ["ACCESS_TOKEN_EXPIRE_MINUTES", "EMAIL_RESET_TOKEN_EXPIRE_HOURS",
                                  "DATABASE_URL", "SENTRY_DSN", "PASSWORD_RESET_URL",
                                  "CACHE_KEY_PREFIX", "TOKEN_COUNT"])
def test_not_secret_names(name: str) -> None:
    assert not is_secret_name(name)


@pytest.mark.parametrize("name", ["SECRET_KEY", "DJANGO_SECRET_KEY", "POSTGRES_PASSWORD",
                                  "GITHUB_SECRET", "AWS_SECRET_ACCESS_KEY", "API_TOKEN",
                                  "STRIPE_API_KEY", "SMTP_PASSWORD"])
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize("name", ["ACCESS_TOKEN_EXPIRE_MINUTES", "SECRET_KEY", "DB_DSN",
                                  "jwtSecret", "MS_TRANSLATOR_KEY"])
def test_one_rule_with_verify(name: str) -> None:
    assert is_secret_name(name) == verify_is_secret_name(name)


@pytest.mark.parametrize("example", [
    ".env.example", ".env.sample", "env.sample", ".env.template", "example.env", ".env.dist",
    "env.example", ".env.defaults", ".env.prod-sample", ".env.local.example",
])
def test_every_common_example_name_is_read(tmp_path: Path, example: str) -> None:
    found = discover(_repo(tmp_path, {
        "app.py": "import os\nX = os.environ['APP_X']\n", example: "APP_X=\nFROM_EXAMPLE=1\n",
    }))
    assert found.example_file == example
    assert "FROM_EXAMPLE" in found.env_names and "FROM_EXAMPLE" not in found.env_in_code


def test_the_product_example_beats_a_db_or_dev_one(tmp_path: Path) -> None:
    found = discover(_repo(tmp_path, {
        "app.py": "x = 1\n", ".env.prod.db-sample": "POSTGRES_USER=u\n",
        ".env.dev-sample": "DEBUG=1\n", ".env.prod-sample": "DEBUG=0\n",
    }))
    assert found.example_file == ".env.prod-sample"


@pytest.mark.parametrize("name", [".env", ".env.local", "environment.py", "envs.md"])
def test_a_real_env_file_is_no_example(tmp_path: Path, name: str) -> None:
    found = discover(_repo(tmp_path, {"app.py": "x = 1\n", name: "A=1\n"}))
    assert found.example_file == ""


def test_settings_inheriting_a_base_from_another_module(tmp_path: Path) -> None:
    found = discover(_repo(tmp_path, {
        "app/core/settings/base.py": "from pydantic import BaseSettings\n\n"
        "class BaseAppSettings(BaseSettings):\n    app_env: str = 'prod'\n",
        "app/core/settings/app.py": "from app.core.settings.base import BaseAppSettings\n\n"
        "class AppSettings(BaseAppSettings):\n    debug: bool = False\n"
        "    database_url: str\n    secret_key: str\n    _private: int\n",
        "app/core/settings/prod.py": "from app.core.settings.app import AppSettings\n\n"
        "class ProdAppSettings(AppSettings):\n    class Config:\n        env_file = 'prod.env'\n",
        "app/other.py": "class Settings:\n    not_env: str\n",  # no BaseSettings ancestor
        "app/prefixed.py": "from pydantic_settings import BaseSettings, SettingsConfigDict\n\n"
        "class Mail(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='MAIL_')\n"
        "    host: str\n",
        "tests/settings.py": "from app.core.settings.app import AppSettings\n\n"
        "class TestSettings(AppSettings):\n    test_only: str\n",
        "app/main.py": "app = 1\n",
    }))
    assert set(found.env_in_code) == {"DATABASE_URL", "SECRET_KEY", "MAIL_HOST"}
    assert {"APP_ENV", "DEBUG"} <= set(found.env_optional_in_code)
    assert "NOT_ENV" not in found.env_names and "TEST_ONLY" not in found.env_names


def test_an_example_file_beside_the_service(tmp_path: Path) -> None:
    found = discover(_repo(tmp_path, {
        "backend/Dockerfile": 'FROM python\nCMD ["uvicorn", "app.main:app"]\n',
        "backend/app/main.py": "import os\nK = os.environ['API_SECRET']\n",
        "backend/.env.example": "API_SECRET=\n",
        "frontend/.env.example": "VITE_URL=\n",  # another service's
    }))
    assert found.example_file == "backend/.env.example"
    assert "VITE_URL" not in found.env_names


def test_the_root_example_file_comes_first(tmp_path: Path) -> None:
    found = discover(_repo(tmp_path, {
        "backend/app/main.py": "x = 1\n" + "if __name__ == '__main__':\n    pass\n",
        "backend/.env.example": "A=\n", ".env.sample": "B=\n",
    }))
    assert found.example_file == ".env.sample"
