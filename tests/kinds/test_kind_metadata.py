"""Every kind of this team: complete metadata, and its example loads as a real contract."""

from __future__ import annotations

import textwrap

import pytest

from truthgate.contract.loader import load_contract_text
from truthgate.verify.kinds import get_kind
from truthgate.verify.kinds._secrets import is_placeholder, is_secret_name, url_credentials

NINE = (
    "single_entrypoint", "forbidden_entrypoints", "env_contract", "no_hardcoded_secrets",
    "no_cors_wildcard", "no_dev_server", "no_runtime_schema_create", "http_timeouts",
    "no_secret_logging",
)


@pytest.mark.parametrize("name", NINE)
def test_kind_metadata_is_complete(name):
    kind = get_kind(name)
    assert kind.summary and kind.why and kind.hint and kind.example
    props = kind.params_schema["properties"]
    assert props, "every kind here has parameters"
    assert all(p.get("description") for p in props.values())
    defaults = kind.parse_params({})
    with pytest.raises(AttributeError):  # frozen Params
        setattr(defaults, next(iter(defaults.__dataclass_fields__)), None)


@pytest.mark.parametrize("name", NINE)
def test_kind_example_loads_in_a_contract(tmp_path, name):
    kind = get_kind(name)
    text = (
        "version: 1\nproduct: {name: x}\nentrypoint: {path: app.py}\ninvariants:\n"
        + textwrap.indent(kind.example, "  ")
    )
    contract = load_contract_text(text, root=tmp_path)
    (spec,) = contract.invariants
    assert spec.kind == name
    assert type(spec.params) is type(kind.parse_params({}))


def test_bad_params_are_rejected():
    with pytest.raises(ValueError, match="unknown libraries"):
        get_kind("http_timeouts").parse_params({"libraries": ["urllib3"]})
    with pytest.raises(ValueError, match="list of strings"):
        get_kind("no_runtime_schema_create").parse_params({"calls": "create_all"})


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("SECRET_KEY", True), ("app.secret_key", True), ("jwtSecret", True),
        ("DB_PASSWORD", True), ("db_password2", True), ("GITHUB_TOKEN", True),
        ("api_key", True), ("apiKey", True), ("AWS_SECRET_ACCESS_KEY", True),
        ("token_count", False), ("password_reset_url", False), ("cache_key", False),
        ("AWS_ACCESS_KEY_ID", False), ("tokens", False), ("password_hash", False),
        ("TOKEN_URL", False), ("keyboard", False), ("secretary", False),
    ],
)
def test_secret_names_match_on_word_segments(name, secret):
    assert is_secret_name(name) is secret


def test_declared_names_placeholders_and_url_credentials():
    assert is_secret_name("STRIPE", declared={"stripe"})
    assert [is_placeholder(v) for v in ("", "changeme", "<token>", "your-key", "xxx", "${X}")] \
        == [True] * 6
    assert not is_placeholder("dev-secret") and not is_placeholder("sk_live_51H")
    assert url_credentials("postgresql://u:pw@h/db") == ("u", "pw")
    assert url_credentials("postgresql://u:${PW}@h/db") is None
    assert url_credentials("postgresql://u@h/db") is None
    assert url_credentials("https://example.com/a@b") is None
