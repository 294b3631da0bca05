"""Outbound notifications (mode switches) to an optional ops webhook."""

from __future__ import annotations

import logging

import httpx

log = logging.getLogger("demo_relay.notify")

# An ops webhook that hangs must not hold a request handler: fail fast and move on.
NOTIFY_TIMEOUT_S = 2.0


async def notify(url: str, event: dict[str, str]) -> None:
    """POST ``event`` to ``url``; failures are logged, never raised to the caller."""
    if not url:
        return
    try:
        async with httpx.AsyncClient(timeout=NOTIFY_TIMEOUT_S) as client:
            response = await client.post(url, json=event)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        log.warning("notification failed: %s", type(exc).__name__)
