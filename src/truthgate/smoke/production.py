"""Is a base URL a production target? Compared by origin, never by spelling.

The safety rail "unsafe scenarios never run against production" must not be bypassed by
typing the production URL differently: another letter case, a path below it, a trailing
dot, an explicit default port, or ``localhost`` for ``127.0.0.1``. Two URLs are the same
target when their normalised origins (scheme, host, port) are equal; the path is ignored,
because everything under a production origin is production.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

import httpx

_DEFAULT_PORTS = {"http": 80, "https": 443}
_LOOPBACK = "loopback"  # every spelling of this machine is one host


def origin(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) normalised for comparison; None when ``url`` is not a URL."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        return None
    scheme = parsed.scheme.lower()
    host = parsed.host.lower().rstrip(".")
    if not scheme or not host:
        return None
    port = parsed.port or _DEFAULT_PORTS.get(scheme, 0)
    return scheme, _canonical_host(host), port


def _canonical_host(host: str) -> str:
    if host == "localhost" or host.endswith(".localhost"):
        return _LOOPBACK
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host
    if address.is_loopback or address.is_unspecified:
        return _LOOPBACK
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        mapped = address.ipv4_mapped
        return _LOOPBACK if mapped.is_loopback else str(mapped)
    return str(address)


def is_production(url: str, production_urls: Iterable[str]) -> bool:
    """True when ``url`` has the origin of any of ``production_urls``."""
    mine = origin(url)
    if mine is None:
        return False
    return any(origin(p) == mine for p in production_urls)
