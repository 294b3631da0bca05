"""Cross-cutting HTTP policy of the demo: CORS, security headers, admin auth, error leaks."""

from __future__ import annotations

import hmac
import secrets
import traceback

from truthgate.demo.config import DemoConfig
from truthgate.demo.http import SECURITY_HEADERS, Request, Response

ALLOWED_METHODS = "GET, POST, OPTIONS"
ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key"
PREFLIGHT_MAX_AGE_S = "600"


def apply(response: Response, request: Request, config: DemoConfig) -> None:
    """Add the CORS and security headers every response carries (unless a fault drops them)."""
    _apply_cors(response, request, config)
    if config.has("no_security_headers"):
        return
    for name, value in SECURITY_HEADERS:
        response.set_header(name, value)
    # Every answer is state that changes per request (health, counters): no cache may keep it.
    response.set_header("cache-control", "no-store")


def _apply_cors(response: Response, request: Request, config: DemoConfig) -> None:
    origin = request.header("origin")
    if config.has("cors_wildcard"):
        # The fault: reflect whatever asks (or '*') and allow credentials with it.
        response.set_header("access-control-allow-origin", origin or "*")
        response.set_header("access-control-allow-credentials", "true")
        return
    # The answer depends on Origin, so shared caches must key on it.
    response.set_header("vary", "Origin")
    if origin and origin.rstrip("/") in config.allowed_origins:
        response.set_header("access-control-allow-origin", origin)
        response.set_header("access-control-allow-credentials", "true")


def preflight(request: Request, config: DemoConfig) -> Response:
    """Answer OPTIONS: a CORS preflight from an allowed origin gets 204, a foreign one 403."""
    origin = request.header("origin")
    if not origin or not request.header("access-control-request-method"):
        plain = Response(status=204, content_type="text/plain")
        plain.set_header("allow", ALLOWED_METHODS)
        return plain
    allowed = origin.rstrip("/") in config.allowed_origins or config.has("cors_wildcard")
    if not allowed:
        return Response.error(403, "origin_not_allowed", "this origin may not call the API")
    ok = Response(status=204, content_type="text/plain")
    ok.set_header("access-control-allow-methods", ALLOWED_METHODS)
    ok.set_header("access-control-allow-headers", ALLOWED_HEADERS)
    ok.set_header("access-control-max-age", PREFLIGHT_MAX_AGE_S)
    return ok


def check_admin(request: Request, config: DemoConfig) -> Response | None:
    """None when the request carries the admin bearer token, else the refusal to send.

    401 when no credentials were presented, 403 when they are wrong. With no token
    configured every presented token is wrong: the admin surface fails closed.
    """
    if config.has("auth_open"):
        return None
    scheme, _, presented = request.header("authorization").partition(" ")
    presented = presented.strip()
    if scheme.lower() != "bearer" or not presented:
        refusal = Response.error(401, "unauthorized", "a bearer token is required")
        refusal.set_header("www-authenticate", 'Bearer realm="demo-admin"')
        return refusal
    expected = config.admin_token
    # compare_digest takes time independent of where the strings differ, so response
    # timing does not reveal how much of a guessed token was right.
    if not expected or not hmac.compare_digest(presented.encode(), expected.encode()):
        return Response.error(403, "forbidden", "the bearer token is not valid")
    return None


def crash_text(cause: Exception) -> str:
    """The 'crash' fault's 500 body: what a handler that let bad input blow up would send."""
    try:
        raise ValueError(f"unhandled bad input: {cause}") from cause
    except ValueError:
        return "Internal Server Error\n\n" + traceback.format_exc()


def leaky_error_text(exc: BaseException) -> str:
    """The 'error_leak' fault's 500 body: a traceback plus a secret-looking config dump.

    The fake credentials are generated per call so no secret literal lives in the source.
    """
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    fake_key = "sk_live_" + secrets.token_hex(12)
    fake_password = secrets.token_hex(8)
    return (
        "Internal Server Error\n\n"
        f"{trace}\n"
        f"settings: DATABASE_URL=postgres://app:{fake_password}@db.internal:5432/prod "
        f"api_key={fake_key} password={fake_password}\n"
    )
