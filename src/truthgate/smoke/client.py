"""Sending one request safely: capped bodies, bounded redirects, classified transport errors.

Everything that touches a socket lives here. ``send`` either returns a :class:`Response`
or raises :class:`TransportFailure` carrying an ``error_class`` and a sentence in words.
Safety rules it enforces:

- the response body is read raw and decompressed by hand with a size limit, so a huge body
  or a gzip bomb costs at most ``max_body`` bytes of memory (``body-too-large``);
- redirects are followed manually, at most ``max_redirects`` of them; a redirect to
  another origin (scheme, host, port) drops the body and every header that may carry a
  credential (:func:`carries_credential`: the request's credential headers, any header
  holding a known secret value, any name that looks like one), and a request that writes
  is never re-sent to another origin (``unsafe-redirect``);
- ``guard`` (the run's production rails) is awaited before every hop with the method and
  URL that hop really uses, so a redirect cannot carry a write to production;
- each hop has a hard total timeout on top of httpx's connect/read/write timeouts, so a
  server dripping one byte a second cannot hold a step forever.
"""

from __future__ import annotations

import asyncio
import errno
import re
import ssl
import sys
import time
import zlib
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

if "httpx" not in sys.modules:
    # Importing httpx also imports its command-line client (httpx._main), which pulls in
    # rich's syntax highlighting and pygments when they are installed: ~0.5 s of CPU at
    # start-up for code a smoke run never uses. Marked absent for the duration of the
    # import, httpx falls back to its stub ``main``; afterwards the real module can still
    # be imported by whoever wants it. (The other smoke modules take httpx from here.)
    sys.modules["httpx._main"] = None  # type: ignore[assignment]
    try:
        import httpx as httpx
    finally:
        del sys.modules["httpx._main"]
else:
    import httpx as httpx

_T = TypeVar("_T")
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})  # RFC 9110: no side effects
ALWAYS_CREDENTIALS = frozenset({"authorization", "cookie", "proxy-authorization",
                                "x-api-key"})
# Header names that look like they carry a credential, whatever the contract calls them.
_CREDENTIAL_NAME = re.compile(
    r"auth|token|key|secret|session|cookie|passw|credential|signature|csrf|xsrf", re.I)
Guard = Callable[[str, str], Awaitable[None]]


@dataclass(frozen=True)
class Prepared:
    """A fully rendered request, ready to go on the wire."""

    method: str
    url: str
    headers: tuple[tuple[str, str], ...] = ()
    content: bytes | None = None
    timeout_s: float = 10.0
    follow_redirects: bool = True
    # Never sent to another origin: the auth block's header, every masked header and every
    # header whose value holds a known secret (filled by ``execute.prepare``).
    credential_headers: frozenset[str] = ALWAYS_CREDENTIALS
    truncate_body: bool = False  # past max_body: keep the first max_body bytes, no error


@dataclass(frozen=True)
class Response:
    """What came back from the last hop, body decoded and capped."""

    url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    elapsed_ms: float
    redirects: tuple[str, ...] = ()
    truncated: bool = False  # the body is the first max_body bytes of a longer one


class TransportFailure(Exception):
    """No usable response: ``error_class`` names the fault, ``message`` says it in words."""

    def __init__(self, error_class: str, message: str) -> None:
        super().__init__(message)
        self.error_class = error_class
        self.message = message


def tls_context(verify: bool) -> ssl.SSLContext:
    """The SSL context of https:// requests, as httpx builds it (CA bundle: certifi)."""
    return httpx.create_ssl_context(verify=verify, trust_env=False)


def preload_network() -> None:
    """Import what httpcore imports on its first connection (the anyio backend).

    Done before a run starts timing requests, so the first requests of concurrent
    scenarios do not wait on module imports executing inside the event loop.
    """
    import anyio._backends._asyncio  # noqa: F401
    import httpcore._backends.anyio  # noqa: F401


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and its causes/contexts (httpx wraps the OS-level error)."""
    seen: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in seen and len(seen) < 10:
        seen.append(cur)
        cur = cur.__cause__ or cur.__context__
    return seen


def classify(exc: BaseException, url: str) -> TransportFailure:
    """Map an exception raised while talking to ``url`` to a classified failure."""
    chain = _chain(exc)
    text = " | ".join(str(e) for e in chain if str(e))
    host = urlsplit(url).netloc or url

    def has(*types: type[BaseException]) -> bool:
        return any(isinstance(e, types) for e in chain)

    def errnos(*codes: int) -> bool:
        return any(isinstance(e, OSError) and e.errno in codes for e in chain)

    if has(ssl.SSLError) or "SSL" in text or "CERTIFICATE" in text:
        reason = next((str(e) for e in chain if isinstance(e, ssl.SSLError)), text)
        return TransportFailure("tls", f"the TLS handshake with {host} failed ({reason})")
    if has(httpx.TimeoutException, asyncio.TimeoutError, TimeoutError):
        return TransportFailure("timeout", f"{host} did not answer within the timeout")
    dns_words = ("Name or service not known", "nodename nor servname", "getaddrinfo",
                 "No address associated", "Temporary failure in name resolution")
    import socket  # local: only needed on this rare path

    if has(socket.gaierror) or any(w in text for w in dns_words):
        return TransportFailure("dns", f"the host name in {host} could not be resolved")
    if has(ConnectionRefusedError) or errnos(errno.ECONNREFUSED) or "refused" in text:
        return TransportFailure("connect-refused",
                                f"{host} refused the connection (nothing listens there)")
    if has(ConnectionResetError) or errnos(errno.ECONNRESET) or "reset by peer" in text:
        return TransportFailure("reset", f"{host} reset the connection")
    if isinstance(exc, httpx.RemoteProtocolError):
        if "without sending" in text or "disconnected" in text.lower():
            return TransportFailure("disconnected",
                                    f"{host} closed the connection without answering")
        return TransportFailure("protocol", f"{host} answered with invalid HTTP ({text})")
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return TransportFailure("invalid-url", f"cannot send to {url!r}: {text}")
    if isinstance(exc, httpx.DecodingError):
        return TransportFailure("protocol", f"{host} sent a body that cannot be decoded")
    if has(OSError, httpx.NetworkError):
        if errnos(errno.EHOSTUNREACH, errno.ENETUNREACH):
            return TransportFailure("unreachable", f"{host} is unreachable ({text})")
        return TransportFailure("network", f"talking to {host} failed ({text})")
    return TransportFailure("transport", f"talking to {host} failed: "
                                         f"{type(exc).__name__}: {text}")


class _Decoder:
    """Incremental, size-capped Content-Encoding decoder (gzip / deflate / identity)."""

    def __init__(self, encoding: str, cap: int, truncate: bool = False) -> None:
        enc = encoding.strip().lower()
        self.cap = cap
        self.truncate = truncate
        self.full = False  # truncating and the cap is reached
        self.out = bytearray()
        self.z: zlib._Decompress | None = None  # noqa: SLF001 - the stdlib's own type
        if enc in ("gzip", "x-gzip"):
            self.z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif enc == "deflate":
            self.z = zlib.decompressobj()
        # Anything else (identity, br, an unknown coding) is kept as sent: still capped.

    def feed(self, chunk: bytes) -> None:
        if self.z is None:
            self.out += chunk
        else:
            try:
                # max_length bounds the output of this call: a bomb stops at cap + 1 bytes.
                self.out += self.z.decompress(chunk, self.cap + 1 - len(self.out))
            except zlib.error as exc:
                raise TransportFailure("protocol", f"the body's compression is corrupt "
                                                   f"({exc})") from None
        if len(self.out) > self.cap:
            if self.truncate:
                del self.out[self.cap:]
                self.full = True
                return
            raise TransportFailure("body-too-large",
                                   f"the response body exceeds the {self.cap}-byte cap")


_DECODED = frozenset({"", "identity", "gzip", "x-gzip", "deflate"})


def _refuse_unrequested(coding: str, headers: list[tuple[str, str]], host: str) -> None:
    """A Content-Encoding the request did not offer and truthgate cannot decode is named.

    Without this, a brotli body would be judged as bytes (a JSON parse error quoting
    them). A coding the contract's own Accept-Encoding asked for is kept as sent.
    """
    names = [c.strip().lower() for c in coding.split(",") if c.strip()]
    strange = [c for c in names if c not in _DECODED]
    if not strange:
        return
    offered = next((v for k, v in headers if k.lower() == "accept-encoding"), "")
    asked = {o.split(";")[0].strip().lower() for o in offered.split(",")}
    missing = [c for c in strange if c not in asked and "*" not in asked]
    if missing:
        raise TransportFailure(
            "encoding", f"{host} answered with Content-Encoding: {', '.join(missing)}, "
                        f"which the request did not ask for (Accept-Encoding: "
                        f"{offered or 'none'}); truthgate cannot read that body")


async def _one_hop(client: httpx.AsyncClient, method: str, url: str,
                   headers: list[tuple[str, str]], content: bytes | None,
                   max_body: int, truncate: bool = False) -> tuple[httpx.Response, bytes, bool]:
    """One request/response, body read raw and decoded under the cap.

    With ``truncate`` a longer body is cut at the cap (the third value says so).
    """
    try:
        request = client.build_request(method, url, headers=headers, content=content)
    except UnicodeEncodeError as exc:
        # A header value from the contract (or rendered from the environment) that is not
        # ASCII: HTTP cannot carry it as written. A step error, never an internal one.
        bad = next((n for n, v in headers if not v.isascii()), "?")
        raise TransportFailure("invalid-header", f"header {bad!r} has a non-ASCII value "
                                                 f"({exc.reason}); encode it first") from None
    resp = await client.send(request, stream=True, follow_redirects=False)
    try:
        length = resp.headers.get("content-length", "")
        if length.isdigit() and int(length) > max_body and not truncate and not (
                resp.headers.get("content-encoding")):
            raise TransportFailure("body-too-large", f"the response announces {length} "
                                                     f"bytes, over the {max_body}-byte cap")
        coding = resp.headers.get("content-encoding", "")
        _refuse_unrequested(coding, headers, urlsplit(url).netloc)
        decoder = _Decoder(coding, max_body, truncate)
        raw_total = 0
        async for chunk in resp.aiter_raw():
            room = max_body - raw_total
            raw_total += len(chunk)
            if raw_total > max_body:
                if not truncate:
                    raise TransportFailure("body-too-large",
                                           f"the response body exceeds the {max_body}-byte cap")
                decoder.feed(chunk[:room])
                return resp, bytes(decoder.out), True
            decoder.feed(chunk)
            if decoder.full:
                return resp, bytes(decoder.out), True
        return resp, bytes(decoder.out), False
    finally:
        await resp.aclose()


async def _within(hop: Coroutine[Any, Any, _T], seconds: float) -> _T:
    """``await hop``, cancelled with TimeoutError after ``seconds``.

    ``asyncio.timeout`` (3.11+) cancels in place; ``wait_for`` runs the hop as a task of
    its own, a few event-loop turns more per request.
    """
    if sys.version_info >= (3, 11):
        async with asyncio.timeout(seconds):
            return await hop
    return await asyncio.wait_for(hop, seconds)


def carries_credential(req: Prepared, name: str) -> bool:
    """May header ``name`` of ``req`` hold a credential? (Then it stays on its origin.)"""
    low = name.lower()
    return (low in ALWAYS_CREDENTIALS or low in req.credential_headers
            or _CREDENTIAL_NAME.search(low) is not None)


def _shown(url: str) -> str:
    """scheme://host:port of ``url``, without userinfo."""
    scheme, netloc = _origin(url)
    return f"{scheme}://{netloc}"


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), (parts.netloc.rsplit("@", 1)[-1]).lower()


async def send(client: httpx.AsyncClient, req: Prepared, *, max_body: int,
               max_redirects: int, guard: Guard | None = None) -> Response:
    """Send ``req`` (following redirects by hand); raise :class:`TransportFailure`.

    ``guard(method, url)`` runs before each hop and refuses it by raising.
    """
    method, url, content = req.method, req.url, req.content
    headers = list(req.headers)
    if not any(k.lower() == "accept-encoding" for k, _ in headers):
        # Only codings we can decode under a cap (httpx would also offer br/zstd).
        headers.append(("Accept-Encoding", "gzip, deflate"))
    hops: list[str] = []
    started = time.perf_counter()
    stale_retry = method in SAFE_METHODS  # at most once per request, see below
    while True:
        if guard is not None:
            await guard(method, url)
        try:
            resp, body, truncated = await _within(
                _one_hop(client, method, url, headers, content, max_body, req.truncate_body),
                req.timeout_s)
        except TransportFailure:
            raise
        except (httpx.HTTPError, httpx.InvalidURL, asyncio.TimeoutError, OSError,
                ssl.SSLError) as exc:
            failure = classify(exc, url)
            if failure.error_class == "disconnected" and stale_retry:
                # A kept-alive connection the server closed while idle (its keep-alive
                # timeout) fails exactly like this; a safe request that got no answer at
                # all is sent once more, on a new connection if the pool has to. A
                # server that really hangs up fails the second time too.
                stale_retry = False
                continue
            raise failure from None
        location = resp.headers.get("location")
        if not (req.follow_redirects and resp.status_code in REDIRECT_STATUSES and location):
            elapsed = (time.perf_counter() - started) * 1000
            return Response(url=url, status=resp.status_code,
                            headers=tuple(resp.headers.multi_items()), body=body,
                            elapsed_ms=elapsed, redirects=tuple(hops), truncated=truncated)
        if len(hops) >= max_redirects:
            raise TransportFailure("too-many-redirects",
                                   f"more than {max_redirects} redirects, last to {location}")
        try:
            nxt = urljoin(url, location)
            _origin(nxt)
        except ValueError:
            raise TransportFailure("protocol", f"{_shown(url)} redirected to an invalid "
                                               f"URL ({location[:200]!r})") from None
        if resp.status_code == 303 or (resp.status_code in (301, 302) and method == "POST"):
            method, content = ("HEAD" if method == "HEAD" else "GET"), None
            headers = [(k, v) for k, v in headers
                       if k.lower() not in ("content-type", "content-length")]
        if _origin(nxt) != _origin(url):
            if method not in SAFE_METHODS:
                # A write is never re-sent to another origin (307/308 keep method and body).
                raise TransportFailure(
                    "unsafe-redirect",
                    f"refused to follow a {resp.status_code} redirect to another origin "
                    f"({_shown(nxt)}): it would re-send {method} and its body there")
            # Never carry credentials or a body to another origin (scheme, host or port
            # changed).
            headers = [(k, v) for k, v in headers if not carries_credential(req, k)]
            content = None
        hops.append(nxt)
        url = nxt
