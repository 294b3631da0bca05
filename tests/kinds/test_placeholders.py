"""Placeholders: example-file values and URL passwords nobody would deploy are not secrets;
real-looking ones still are; the contract's env.placeholders adds the project's own."""

from __future__ import annotations

import pytest

from truthgate.contract.model import Env, EnvVar
from truthgate.verify.kinds._secrets import is_placeholder, url_credentials

PLACEHOLDERS = [
    "", "changeme", "change-me", "CHANGETHIS", "change_this", "change-this-in-production",
    "secret", "password", "xxx", "XXXXXXXX", "sk_test_xxxxxxxxxxxx", "<token>",
    "your-api-key-here", "your_secret_key", "put-your-key-here", "${POSTGRES_PASSWORD}",
    "{{ vault.token }}", "postgresql://u:<password>@h/db",
    "postgresql://postgres:${POSTGRES_PASSWORD}@db:5432/app", "postgresql://app:changethis@db/app",
    "redis://:xxxx@cache:6379/0", "'changeme'", '"<your key>"', "replace_me", "insecure-dev-key",
]
REAL = [
    "sk_live_51Habc", "dev-secret", "hunter2", "s3cr3t-Pa55", "9f8a7c6e5d4b3a2f1e0d",
    "postgresql://u:pw@h/db", "postgresql://postgres:Tr0ub4dor@db/app", "django-insecurity",
    "herewego", "yourself", "wxxy",
]


@pytest.mark.parametrize("value", PLACEHOLDERS)
def test_placeholders(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize("value", REAL)
def test_real_looking_values(value: str) -> None:
    assert not is_placeholder(value)


def test_the_projects_own_placeholders() -> None:
    assert not is_placeholder("dev-only-123")
    assert is_placeholder("dev-only-123", ["dev-only-*"])
    assert is_placeholder("DEV-ONLY-123", ["dev-only-*"])
    assert is_placeholder("postgresql://u:acme-fill@h/db", ["acme-fill"])
    assert not is_placeholder("postgresql://u:acme-real@h/db", ["acme-fill"])


@pytest.mark.parametrize("url", [
    "postgresql://u:<password>@h/db", "postgresql://u:${PW}@h/db", "mysql://u:changethis@h/db",
    "redis://:xxxx@h/0", "postgresql://u:your-password@h/db", "postgresql://u:{pw}@h/db",
])
def test_url_placeholders_are_no_credentials(url: str) -> None:
    assert url_credentials(url) is None


@pytest.mark.parametrize("url", [
    "postgresql://u:pw@h/db", "postgresql://u:password@h/db", "postgresql://u:secret@h/db",
    "amqp://guest:Gu3st!@mq//",
])
def test_url_credentials_in_code_are_still_found(url: str) -> None:
    assert url_credentials(url) is not None


def test_url_credentials_with_the_projects_placeholder() -> None:
    assert url_credentials("postgresql://u:acme-fill@h/db", ["acme-*"]) is None


ENV = Env(required=(EnvVar("SECRET_KEY", secret=True), EnvVar("DATABASE_URL", secret=True),
                    EnvVar("API_TOKEN", secret=True), EnvVar("STRIPE_KEY", secret=True)),
          example_file=".env.example")


def test_example_file_placeholders_on_a_real_file(run_kind):
    files = {
        "app.py": "import os\n",
        ".env.example": "SECRET_KEY=changethis\n"
                        "DATABASE_URL=postgresql://app:${POSTGRES_PASSWORD}@db:5432/app\n"
                        "API_TOKEN=<your token>\n"
                        "STRIPE_KEY=sk_live_51Habc\n",
    }
    assert run_kind("env_contract", files, env=ENV) == [
        (".env.example", 4, "secret env var STRIPE_KEY has a real-looking value in .env.example"),
    ]


def test_contract_placeholders_reach_the_example_check(run_kind):
    files = {"app.py": "import os\n",
             ".env.example": "SECRET_KEY=acme-fill-me\nDATABASE_URL=\nAPI_TOKEN=\n"
                             "STRIPE_KEY=acme-fill\n"}
    env = Env(required=ENV.required, example_file=".env.example", placeholders=("acme-fill*",))
    assert run_kind("env_contract", files, env=env) == []
    env = Env(required=ENV.required, example_file=".env.example")
    assert [m for _, _, m in run_kind("env_contract", files, env=env)] == [
        "secret env var SECRET_KEY has a real-looking value in .env.example",
        "secret env var STRIPE_KEY has a real-looking value in .env.example",
    ]


def test_url_placeholders_in_code(run_kind):
    files = {"settings.py": 'HELP = "postgresql://user:<password>@host/db"\n'
                            'DEV = "postgresql://app:changethis@localhost/app"\n'
                            'OWN = "postgresql://app:acme-fill@localhost/app"\n'
                            'REAL = "postgresql://app:Tr0ub4dor@db/app"\n'}
    got = run_kind("no_hardcoded_secrets", files, env=Env(placeholders=("acme-*",)))
    assert got == [("settings.py", 4, "connection URL embeds the password of user 'app'")]


def test_the_contract_field_loads(tmp_path):
    from truthgate.contract import load_contract

    (tmp_path / "product").mkdir()
    (tmp_path / "product" / "truth.yaml").write_text(
        "version: 1\nproduct: {name: p}\nentrypoint: {path: app.py}\n"
        "env: {placeholders: ['acme-fill*', 'TBD-BY-OPS']}\ninvariants: []\n", encoding="utf-8")
    contract = load_contract(tmp_path / "product" / "truth.yaml")
    assert contract.env.placeholders == ("acme-fill*", "TBD-BY-OPS")
