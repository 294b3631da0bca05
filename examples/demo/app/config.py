"""Settings, read from the environment once at start-up (the only module that reads env)."""

from __future__ import annotations

import os
from dataclasses import dataclass

MODES = ("ACTIVE", "PASSIVE")


@dataclass(frozen=True)
class Settings:
    admin_token: str
    allowed_origins: tuple[str, ...]
    mode: str
    notify_url: str
    host: str
    port: int


def load_settings() -> Settings:
    """Build the settings; a missing DEMO_ADMIN_TOKEN stops the process at start-up.

    The admin token has no default on purpose: a fallback value would be a credential
    shipped in the source, and the service would quietly run with it.
    """
    origins = os.environ.get("DEMO_ALLOWED_ORIGINS", "http://localhost:3000")
    mode = os.environ.get("DEMO_MODE", "ACTIVE").upper()
    if mode not in MODES:
        raise SystemExit(f"DEMO_MODE must be one of {MODES}, not {mode!r}")
    return Settings(
        admin_token=os.environ["DEMO_ADMIN_TOKEN"],
        allowed_origins=tuple(o.strip() for o in origins.split(",") if o.strip()),
        mode=mode,
        notify_url=os.environ.get("DEMO_NOTIFY_URL", ""),
        # All interfaces inside the container (the platform's router fronts it).
        host=os.environ.get("HOST", "0.0.0.0"),
        port=int(os.environ.get("PORT", "8000")),
    )
