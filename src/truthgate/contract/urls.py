"""Is a text an http(s) URL a request can go to? One answer for validation and run time.

``validate`` checks every URL of the contract that holds no ``${...}`` template with it,
and the smoke runner checks every URL once rendered (``--base-url``, targets, a step's
``url:``), so a URL the HTTP client would choke on (port 99999, a broken IPv6 literal) is
a located contract error or a usage error (exit 2), never a traceback. Stdlib only.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def url_problem(url: str) -> str:
    """Why ``url`` is not a usable http(s) URL ('' when it is)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # raises ValueError when out of 0..65535 or not a number
    except ValueError as exc:
        return f"{url!r} is not a valid URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return f"{url!r} is not an http(s) URL"
    host = parts.hostname or ""
    if not host:
        return f"{url!r} has no host"
    if port == 0:
        return f"{url!r} has port 0"
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if netloc.startswith("["):
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            return f"{url!r} has an invalid IPv6 address [{host}]"
    elif any(c in host for c in " <>\\^`{|}"):
        return f"{url!r} has an invalid host {host!r}"
    return ""


def is_http_url(value: object) -> bool:
    """Format check: a string without templates must be a usable http(s) URL."""
    if not isinstance(value, str) or "${" in value:
        return True
    return not url_problem(value)
