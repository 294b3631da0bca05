"""``auth_required``: the listed endpoints refuse requests without (valid) credentials.

Each request is sent with no credentials at all and, unless ``bogus_token: false``, with a
made-up bearer token; both must get 401/403 (or the declared ``status``). Any ``auth``
block in the listed requests is ignored: the point is to go without. Example::

    - id: AUTH
      kind: auth_required
      params:
        requests: [{path: /admin/stats}, {method: POST, path: /admin/reset}]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from truthgate.smoke.kinds.base import KindContext, Plan, ScenarioKind
from truthgate.smoke.model import Expect, Request, StatusMatch, Step
from truthgate.smoke.parse import parse_request, parse_status, request_label
from truthgate.smoke.schema import REQUEST, STATUS, s_bool, s_list

REFUSED = StatusMatch(codes=(401, 403))
BOGUS = "Bearer truthgate-invalid-token"


@dataclass(frozen=True)
class AuthRequiredParams:
    """The protected requests and the accepted refusal statuses."""

    requests: tuple[Request, ...]
    status: StatusMatch = REFUSED
    bogus_token: bool = True


SCHEMA: dict[str, Any] = {
    "properties": {
        "requests": s_list("Protected requests (their auth is stripped).", REQUEST, minItems=1),
        "status": STATUS,
        "bogus_token": s_bool("Also try an invalid bearer token; true by default."),
    },
    "required": ["requests"],
}


def parse(raw: Mapping[str, Any]) -> AuthRequiredParams:
    """Validated ``params`` -> AuthRequiredParams."""
    return AuthRequiredParams(
        requests=tuple(parse_request(r) for r in raw["requests"]),
        status=parse_status(raw.get("status")) or REFUSED,
        bogus_token=bool(raw.get("bogus_token", True)),
    )


def _strip(req: Request) -> Request:
    """The request without any credential it could carry."""
    keep = tuple(h for h in req.headers
                 if h[0].lower() not in ("authorization", "cookie", "x-api-key"))
    return replace(req, auth=None, headers=keep)


def expand(p: AuthRequiredParams, ctx: KindContext) -> Plan:
    """Two steps per request (anonymous, bogus token); the status expectation is the test."""
    steps = []
    for r in p.requests:
        bare = _strip(r)
        label = request_label(r)
        steps.append(Step(name=f"{label} without credentials", request=bare,
                          expect=Expect(status=p.status)))
        if p.bogus_token:
            steps.append(Step(
                name=f"{label} with an invalid token",
                request=replace(bare, headers=(*bare.headers, ("Authorization", BOGUS))),
                expect=Expect(status=p.status)))
    return Plan(steps=tuple(steps))


KIND = ScenarioKind(
    name="auth_required",
    summary="Listed endpoints refuse requests without valid credentials (401/403).",
    params_schema=SCHEMA, parse_params=parse, expand=expand,
    example="kind: auth_required\nparams: {requests: [{path: /admin/stats}]}",
)
