"""Production targets: which requests may reach them. Compared by address, never by spelling.

Two guards, both from issue 9 and issue 18:

- :func:`is_production` decides whether a base URL is a production target. The safety rail
  "unsafe scenarios never run against production" must not be bypassed by typing the
  production URL differently: another letter case, a path below it, a trailing dot, an
  explicit default port, ``localhost`` for ``127.0.0.1``, or the other spellings the C
  resolver accepts for an IPv4 address (``127.1``, ``2130706433``, ``0x7f.0.0.1``,
  ``017700000001``, ``0``) and IPv6 forms (``[::1]``, ``[::ffff:127.0.0.1]``). Two URLs
  are the same target when their normalised (host, port) are equal; the path is ignored
  (everything under a production origin is production) and so is the scheme (``http``
  and ``https`` on one host and port are one socket).
- :class:`Rails` is checked by ``client.send`` before **every hop** of every request (the
  first and each redirect), against the URL the hop really goes to: a request that writes
  (a method other than GET/HEAD/OPTIONS, or a route the contract marks ``unsafe: true``)
  is refused when that URL is a production target, whatever the flags and whatever the
  scenario says about itself. A host name is also resolved, and its addresses compared
  with the production targets' addresses, so a name pointing at production is production.
- :class:`Rails` also confines every hop to the hosts the run knows: loopback (every
  spelling), the hosts of the contract's ``smoke.base_url`` and ``targets:``, and the base
  URL given on the command line. A step's absolute ``url:`` or a redirect to any other host
  is refused (``undeclared-host``) before a byte is sent: a contract from a pull request
  cannot make the CI machine request an address it does not name where a reviewer reads it
  (cloud metadata, an internal service). Hosts compare by spelling (canonical form), not by
  resolution; the port is free (a redirect from http to https stays allowed).
"""

from __future__ import annotations

import asyncio
import ipaddress
import posixpath
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from truthgate.smoke.client import SAFE_METHODS, TransportFailure, httpx

_DEFAULT_PORTS = {"http": 80, "https": 443}
_LOOPBACK = "loopback"  # every spelling of this machine is one host
_INET_ATON = re.compile(r"[0-9a-fA-Fx.]+")  # what inet_aton may read as an IPv4 address
_RESOLVE_TIMEOUT_S = 5.0


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
    return scheme, canonical_host(host), port


def canonical_host(host: str) -> str:
    """One spelling per host: every loopback form is ``loopback``, IPs in their short form."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return _LOOPBACK
    address = _ip(host)
    if address is None:
        return host
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback or address.is_unspecified:
        return _LOOPBACK
    return str(address)


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """``host`` read as an address the way the resolver reads it (inet_aton for IPv4)."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if _INET_ATON.fullmatch(host) and any(c.isdigit() for c in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _endpoint(url: str) -> tuple[str, int] | None:
    found = origin(url)
    return None if found is None else (found[1], found[2])


def is_production(url: str, production_urls: Iterable[str]) -> bool:
    """True when ``url`` has the (host, port) of any of ``production_urls``."""
    mine = _endpoint(url)
    if mine is None:
        return False
    return any(_endpoint(p) == mine for p in production_urls)


def _segments(path: str) -> str:
    """A URL path compared as a server would route it: decoded, dot segments resolved."""
    path = re.sub(r"/+", "/", "/" + unquote(path or "/").lower())
    return posixpath.normpath(path).rstrip("/") or "/"


@dataclass(frozen=True)
class UnsafeRoute:
    """A route the contract marks ``unsafe: true``: its method and its path pattern."""

    method: str
    path: str
    pattern: re.Pattern[str]

    @classmethod
    def of(cls, method: str, path: str) -> UnsafeRoute:
        parts = [("[^/]+" if re.fullmatch(r"\{[^/{}]*\}", p) else re.escape(p))
                 for p in _segments(path).split("/")]
        # Anything below the base URL's own path prefix: /api/generate is /generate.
        return cls(method.upper(), path, re.compile(r"(?:/.*)?" + "/".join(parts)))

    def matches(self, method: str, path: str) -> bool:
        method = method.upper()
        same = method == self.method or (method == "HEAD" and self.method == "GET")
        return same and self.pattern.fullmatch(_segments(path)) is not None


@dataclass
class Rails:
    """What no request may do to a production target; checked at send time, per hop."""

    production_urls: tuple[str, ...] = ()
    unsafe_routes: tuple[UnsafeRoute, ...] = ()
    # Hosts a hop may go to besides loopback; None: any (engine tests that pass no list).
    allowed_hosts: frozenset[str] | None = None
    _endpoints: frozenset[tuple[str, int]] = field(init=False)
    _resolved: dict[tuple[str, int], frozenset[tuple[str, int]]] = field(
        init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._endpoints = frozenset(e for e in map(_endpoint, self.production_urls) if e)

    @classmethod
    def build(cls, production_urls: Iterable[str],
              routes: Iterable[tuple[str, str, bool]],
              declared_urls: Iterable[str] | None = None) -> Rails:
        """Rails from the production targets' URLs, the contract's (method, path, unsafe)
        and the URLs whose hosts requests may go to (with loopback; None: any host)."""
        allowed = None
        if declared_urls is not None:
            allowed = frozenset(o[1] for o in map(origin, declared_urls) if o is not None)
        return cls(tuple(production_urls),
                   tuple(UnsafeRoute.of(m, p) for m, p, unsafe in routes if unsafe), allowed)

    def declared(self, url: str) -> bool:
        """True when ``url``'s host is loopback or one the run declared."""
        if self.allowed_hosts is None:
            return True
        found = origin(url)
        if found is None:
            return True  # not a URL: the client refuses it with its own error
        return found[1] == _LOOPBACK or found[1] in self.allowed_hosts

    def writes(self, method: str, url: str) -> str:
        """Why a request writes ('' when it does not)."""
        if method.upper() not in SAFE_METHODS:
            return f"{method.upper()} writes"
        try:
            path = urlsplit(url).path
        except ValueError:
            path = url  # unparseable: match the routes against the whole text
        for route in self.unsafe_routes:
            if route.matches(method, path):
                return f"the contract marks {route.method} {route.path} unsafe"
        return ""

    async def _addresses(self, host: str, port: int) -> frozenset[tuple[str, int]]:
        """The (canonical address, port) pairs ``host`` resolves to (empty if it does not)."""
        key = (host, port)
        if key not in self._resolved:
            found: set[tuple[str, int]] = set()
            if host == _LOOPBACK or _ip(host) is not None:
                found.add((host, port))
            else:
                try:
                    infos = await asyncio.wait_for(asyncio.get_running_loop().getaddrinfo(
                        host, port, type=socket.SOCK_STREAM), _RESOLVE_TIMEOUT_S)
                    found.update((canonical_host(str(info[4][0])), port) for info in infos)
                except (OSError, asyncio.TimeoutError, UnicodeError):
                    pass
            self._resolved[key] = frozenset(found)
        return self._resolved[key]

    async def reaches_production(self, url: str) -> bool:
        """True when ``url`` goes to a production target (by spelling or by address)."""
        mine = _endpoint(url)
        if mine is None or not self._endpoints:
            return False
        if mine in self._endpoints:
            return True
        theirs: set[tuple[str, int]] = set()
        for endpoint in self._endpoints:
            theirs |= await self._addresses(*endpoint)
        return bool(await self._addresses(*mine) & theirs)

    async def check(self, method: str, url: str) -> None:
        """Raise :class:`TransportFailure` if ``method url`` goes to a host the run does not
        declare, or would write to production."""
        if not self.declared(url):
            raise TransportFailure(
                "undeclared-host",
                f"refused to send {method.upper()} to {_where(url)}: the host is neither "
                "loopback nor declared by the contract (smoke.base_url, smoke.targets) "
                "nor given with --base-url")
        if not self._endpoints:
            return  # no production target in this run: nothing to protect
        why = self.writes(method, url)
        if why and await self.reaches_production(url):
            raise TransportFailure(
                "production-refused",
                f"refused to send {method.upper()} to {_where(url)}: it is a production "
                f"target and the request writes ({why})")


def _where(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return "an invalid URL"
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"
