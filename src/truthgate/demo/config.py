"""Settings of the demo service, given in Python or read once from the environment."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from truthgate.demo.faults import COLD_START_DELAY_S, faults_from_env, parse_faults

DEFAULT_ORIGINS = ("http://localhost:3000",)
MODES = ("ACTIVE", "PASSIVE")
DEMO_VERSION = "1.0.0"


@dataclass(frozen=True)
class DemoConfig:
    """Everything that shapes one demo app instance; frozen so a running app cannot drift."""

    faults: frozenset[str] = frozenset()
    startup_delay_s: float = 0.0
    admin_token: str = ""  # '' means no token is configured: admin endpoints fail closed
    allowed_origins: tuple[str, ...] = DEFAULT_ORIGINS
    mode: str = "ACTIVE"
    rate_limit_per_s: float = 20.0
    max_body_bytes: int = 64 * 1024
    max_depth: int = 32
    version: str = DEMO_VERSION

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {self.mode!r}")
        if self.startup_delay_s < 0 or self.rate_limit_per_s <= 0:
            raise ValueError("startup_delay_s must be >= 0 and rate_limit_per_s > 0")

    @property
    def readiness_delay_s(self) -> float:
        """Seconds after start before health reports ready; the cold_start fault stretches it."""
        if "cold_start" in self.faults:
            return max(self.startup_delay_s, COLD_START_DELAY_S)
        return self.startup_delay_s

    def has(self, fault: str) -> bool:
        return fault in self.faults


def parse_origins(value: str) -> tuple[str, ...]:
    """A comma list of origins, trailing slashes dropped because browsers never send them."""
    return tuple(o.strip().rstrip("/") for o in value.split(",") if o.strip())


def make_config(
    faults: str | Iterable[str] | None = None,
    *,
    startup_delay_s: float = 0.0,
    admin_token: str | None = None,
    allowed_origins: str | Iterable[str] | None = None,
    mode: str = "ACTIVE",
    rate_limit_per_s: float = 20.0,
) -> DemoConfig:
    """Build a config from Python arguments; ``None`` falls back to the environment.

    The admin token and the allowed origins default to ``DEMO_ADMIN_TOKEN`` and
    ``DEMO_ALLOWED_ORIGINS`` so a test and a subprocess configure the service the same way.
    """
    if isinstance(allowed_origins, str):
        origins = parse_origins(allowed_origins)
    elif allowed_origins is None:
        origins = parse_origins(os.environ.get("DEMO_ALLOWED_ORIGINS", "")) or DEFAULT_ORIGINS
    else:
        origins = tuple(o.rstrip("/") for o in allowed_origins)
    token = os.environ.get("DEMO_ADMIN_TOKEN", "") if admin_token is None else admin_token
    return DemoConfig(
        faults=parse_faults(faults),
        startup_delay_s=startup_delay_s,
        admin_token=token,
        allowed_origins=origins,
        mode=mode.upper(),
        rate_limit_per_s=rate_limit_per_s,
    )


def config_from_env(environ: Mapping[str, str] | None = None) -> DemoConfig:
    """The config a subprocess or ``uvicorn truthgate.demo.app:app`` gets from its env."""
    env = os.environ if environ is None else environ
    return DemoConfig(
        faults=faults_from_env(env),
        startup_delay_s=float(env.get("DEMO_STARTUP_DELAY_S", "0") or 0),
        admin_token=env.get("DEMO_ADMIN_TOKEN", ""),
        allowed_origins=parse_origins(env.get("DEMO_ALLOWED_ORIGINS", "")) or DEFAULT_ORIGINS,
        mode=(env.get("DEMO_MODE", "ACTIVE") or "ACTIVE").upper(),
        rate_limit_per_s=float(env.get("DEMO_RATE_LIMIT_PER_S", "20") or 20),
    )
