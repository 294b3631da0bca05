"""http_timeouts: every outbound HTTP call has an explicit timeout.

``requests`` has no default timeout: a slow upstream hangs the worker forever. Findings:

* module-level calls ``requests.get/post/put/patch/delete/head/options/request`` without
  ``timeout=`` — aliases are resolved through the imports (``import requests as r``,
  ``from requests import get``), so ``r.get(url)`` is caught;
* method calls on a ``requests.Session()`` assigned to a name in the same file
  (``s = requests.Session()`` ... ``s.get(url)``), because a Session has no timeout setting;
* ``timeout=None``, which explicitly disables the timeout.

A call passing ``**kwargs`` may carry a timeout, so it is unknown and not a finding.

``libraries`` defaults to ``["requests"]``. ``httpx`` is opt-in because httpx already applies
a 5-second default timeout; when listed, its module-level calls and ``httpx.Client()`` /
``httpx.AsyncClient()`` constructors without ``timeout=`` are findings (a client's own methods
then inherit the client timeout). ``urllib`` adds ``urllib.request.urlopen`` (no default).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from truthgate.verify.facts import CallFact, FileFacts
from truthgate.verify.kinds import params as declared
from truthgate.verify.kinds._secrets import callee_tail, has_star_kwargs, kwarg, receiver
from truthgate.verify.kinds.base import CheckContext, InvariantKind, Violation
from truthgate.verify.kinds.params import param

VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})
LIBRARIES = ("requests", "httpx", "urllib")
_SESSIONS = frozenset({"requests.Session", "requests.session", "requests.sessions.Session"})
_CLIENTS = frozenset({"httpx.Client", "httpx.AsyncClient"})


@dataclass(frozen=True)
class Params:
    """Which HTTP libraries are held to explicit timeouts (declared once)."""

    libraries: tuple[str, ...] = param(
        "Libraries held to explicit timeouts; default ['requests'] (httpx has a 5 s default, "
        "so it is opt-in).", default=("requests",), items={"enum": list(LIBRARIES)})

    def __post_init__(self) -> None:
        unknown = [lib for lib in self.libraries if lib not in LIBRARIES]
        if unknown:  # the schema refuses them too; a hand-built Params must not slip by
            raise ValueError(f"http_timeouts: unknown libraries {unknown}; use {list(LIBRARIES)}")


def parse_params(raw: Mapping[str, Any]) -> Params:
    """Read ``libraries`` (a subset of requests, httpx, urllib)."""
    return declared.parse_params(Params, raw)


def _target(call: CallFact, libs: tuple[str, ...], sessions: frozenset[str]) -> str:
    """What the call is, when it is one whose timeout matters ('' otherwise)."""
    qual = call.qualname
    module, _, verb = qual.rpartition(".")
    if "requests" in libs and (module in ("requests", "requests.api") and verb in VERBS):
        return f"requests.{verb}()"
    if "requests" in libs and receiver(call) in sessions and callee_tail(call) in VERBS:
        return f"Session call {call.name}()"
    if "httpx" in libs and module == "httpx" and verb in VERBS | {"stream"}:
        return f"httpx.{verb}()"
    if "httpx" in libs and qual in _CLIENTS:
        return f"{qual}()"
    if "urllib" in libs and qual == "urllib.request.urlopen":
        return "urlopen()"
    return ""


def _sessions(facts: FileFacts) -> frozenset[str]:
    """Names assigned from ``requests.Session()`` in this file (same-line correlation)."""
    lines = {c.line for c in facts.calls if c.qualname in _SESSIONS}
    return frozenset(a.target for a in facts.assigns if a.line in lines)


def check(ctx: CheckContext, params: Params) -> Iterable[Violation]:
    """One violation per HTTP call without a usable timeout."""
    for facts in ctx.files:
        sessions = _sessions(facts)
        for call in facts.calls:
            what = _target(call, params.libraries, sessions)
            if not what or has_star_kwargs(call):
                continue
            present, value = kwarg(call, "timeout")
            if what == "urlopen()" and len(call.args) >= 3:
                continue  # urlopen(url, data, timeout) passes it positionally
            if present and value is not None:
                continue
            reason = "timeout=None disables the timeout" if present else "has no timeout="
            yield Violation(
                path=facts.path,
                message=f"{what} {reason}",
                line=call.line,
                col=call.col,
                end_line=call.end_line,
                end_col=call.end_col,
                key=call.qualname,
            )


KIND = InvariantKind(
    name="http_timeouts",
    summary="Outbound HTTP calls (requests, optionally httpx/urllib) pass an explicit timeout.",
    why=(
        "Without a timeout a slow or silent upstream blocks the request thread forever; under "
        "load every worker ends up stuck and the service stops answering."
    ),
    hint="Pass timeout=(connect, read) seconds, e.g. requests.get(url, timeout=(3, 10)).",
    params_schema=declared.params_schema(Params),
    parse_params=parse_params,
    check=check,
    default_paths=("**/*.py",),
    default_exclude=("tests/**", "**/tests/**"),
    example=(
        "- id: http-timeouts\n"
        "  kind: http_timeouts\n"
        "  libraries: [requests, httpx]\n"
    ),
)
