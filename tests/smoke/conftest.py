"""Fixtures for the smoke tests: a real service on 127.0.0.1 and contract builders."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from truthgate.contract.model import Contract, Entrypoint, Env, EnvVar, Kb, Legacy, Mode, Product
from truthgate.smoke.spec import parse_smoke, smoke_schema

from .service import State, serve


def make_contract(smoke: str | dict[str, Any], *, secrets: tuple[str, ...] = (),
                  modes: tuple[Mode, ...] = (), root: Path = Path(".")) -> Contract:
    """A minimal contract whose smoke section is ``smoke`` (YAML text or a mapping),
    validated against the smoke schema first so every test also exercises the schema."""
    raw = yaml.safe_load(smoke) if isinstance(smoke, str) else smoke
    jsonschema.Draft202012Validator(smoke_schema()).validate(raw)
    return Contract(
        version=1, product=Product(name="demo"), entrypoint=Entrypoint(path="app.py"),
        env=Env(required=tuple(EnvVar(n, secret=True) for n in secrets)), kb=Kb(),
        legacy=Legacy(), invariants=(), modes=modes, smoke=parse_smoke(raw), root=root,
    )


@pytest.fixture
def service() -> Iterator[tuple[str, State]]:
    """The healthy service; tests flip ``state.faults`` to break one promise."""
    with serve() as pair:
        yield pair


@pytest.fixture(scope="session")
def tls_context(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    """A server-side TLS context with a fresh self-signed certificate for 127.0.0.1."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl CLI not available to make a self-signed certificate")
    d: Path = tmp_path_factory.mktemp("tls")
    proc = subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(d / "k.pem"), "-out", str(d / "c.pem")],
        capture_output=True, check=False)
    if proc.returncode != 0:
        pytest.skip(f"openssl could not make a certificate: {proc.stderr[:200]!r}")
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(d / "c.pem", d / "k.pem")
    return ctx
