"""Shared test helpers: every test builds real files in tmp_path."""

from __future__ import annotations

import os

import pytest

# The use-case layer wires the invariant and scenario kinds into the contract loader (the
# contract package cannot import them: it is the floor). Every process truthgate runs in
# imports it before loading a contract; tests that call the loader directly do so here.
import truthgate.app  # noqa: F401


@pytest.fixture(autouse=True)
def _no_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests compare plain text; colour depends on the terminal running them.
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    os.environ.pop("CI_TRUTHGATE_RECORD", None)
    # CI=true changes defaults (verify/smoke/logs record a cycle into the repository, which
    # changes what the next run walks): tests that want it set it themselves, so the suite
    # behaves the same on a laptop and in CI.
    monkeypatch.delenv("CI", raising=False)


@pytest.fixture(autouse=True)
def _fresh_redaction_boundary() -> None:
    # A command teaches the process-wide redactor its secrets; each test starts with none,
    # as each real process does, so no test is masked by another test's secrets.
    from truthgate import redact

    redact.install(redact.Redactor())


def pytest_configure(config: pytest.Config) -> None:
    # The contract validation cache lives in the user's cache directory: give the test run
    # its own, so tests neither read marks left by earlier runs nor litter ~/.cache.
    import tempfile

    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="truthgate-test-cache-")
