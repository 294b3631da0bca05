"""PLACEHOLDER (being replaced by the smoke work): the smoke section's schema and parser."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SMOKE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Live HTTP smoke scenarios (S0..S8) run by 'truthgate smoke'.",
}


def parse_smoke(raw: Mapping[str, Any]) -> Any:
    """Turn the validated raw smoke section into the typed SmokeSpec."""
    return dict(raw)
