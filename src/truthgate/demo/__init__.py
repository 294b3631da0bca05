"""The bundled demo service: the live target of ``truthgate demo`` and of the smoke tests.

``create_app`` builds the raw ASGI app; ``serve_demo`` (in ``truthgate.demo.server``) runs
it on a free loopback port. ``serve_demo`` is resolved lazily so that
``python -m truthgate.demo.server`` does not import its own module twice.
"""

from __future__ import annotations

from typing import Any

from truthgate.demo.app import DemoApp, create_app
from truthgate.demo.faults import FAULT_DESCRIPTIONS, FAULTS, parse_faults

__all__ = ["FAULTS", "FAULT_DESCRIPTIONS", "DemoApp", "create_app", "parse_faults", "serve_demo"]


def __getattr__(name: str) -> Any:
    if name == "serve_demo":
        from truthgate.demo.server import serve_demo

        return serve_demo
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
