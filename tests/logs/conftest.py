"""Markers used by the log-gate tests."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # Registered here so the marker is known even before pyproject declares it.
    config.addinivalue_line("markers", "slow: takes seconds (a large generated input)")
