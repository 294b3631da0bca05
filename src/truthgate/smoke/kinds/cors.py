"""``cors``: a foreign Origin is not reflected, and ``*`` never comes with credentials.

Sends a simple request and (unless ``preflight: false``) an OPTIONS preflight from
``origin``. Optionally checks that an ``allowed_origin`` *is* granted, so a policy that
refuses everyone does not pass by accident. When the contract declares an allowed origin,
the policy is a list of origins: ``Access-Control-Allow-Origin: *`` then fails on every
answer, with or without credentials (``*`` grants the foreign origin too). Example::

    - id: CORS
      kind: cors
      params: {path: /api/items, allowed_origin: "https://app.example.com"}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from truthgate.smoke.kinds.base import KindContext, Plan, ScenarioKind, StepRun, Verdict
from truthgate.smoke.model import Request, Step
from truthgate.smoke.schema import HTTP_METHODS, s_bool, s_str, s_tpl

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"


@dataclass(frozen=True)
class CorsParams:
    """The endpoint, the hostile origin and optionally an origin that must be allowed."""

    path: str = "/"
    method: str = "GET"
    origin: str = "https://evil.truthgate.invalid"
    allowed_origin: str = ""
    preflight: bool = True


SCHEMA: dict[str, Any] = {
    "properties": {
        "path": s_tpl("Endpoint to probe; '/' by default."),
        "method": s_str("Method of the simple request and of the preflight.",
                        enum=HTTP_METHODS),
        "origin": s_tpl("A foreign origin that must not be granted."),
        "allowed_origin": s_tpl("An origin the policy must grant (optional)."),
        "preflight": s_bool("Also send an OPTIONS preflight; true by default."),
    },
}


def parse(raw: Mapping[str, Any]) -> CorsParams:
    """Validated ``params`` -> CorsParams."""
    return CorsParams(
        path=str(raw.get("path", "/")),
        method=str(raw.get("method", "GET")).upper(),
        origin=str(raw.get("origin", CorsParams.origin)),
        allowed_origin=str(raw.get("allowed_origin", "")),
        preflight=bool(raw.get("preflight", True)),
    )


def _judge(run: StepRun, origin: str, declared: str = "") -> list[str]:
    """What is wrong with one answer's CORS headers (``declared``: the allowed origin)."""
    out = []
    allow = (run.header(ACAO) or "").strip()
    creds = (run.header(ACAC) or "").strip().lower() == "true"
    if allow == origin or (allow and allow != "*" and allow.lower() == origin.lower()):
        out.append(f"{run.name}: foreign origin {origin} is reflected in {ACAO}")
    if allow == "*" and creds:
        out.append(f"{run.name}: {ACAO}: * is combined with {ACAC}: true")
    elif allow == "*" and declared:
        out.append(f"{run.name}: {ACAO}: * grants every origin, but the contract allows "
                   f"only {declared}")
    if allow == "null" and creds:
        out.append(f"{run.name}: {ACAO}: null is combined with credentials")
    return out


def expand(p: CorsParams, ctx: KindContext) -> Plan:
    """Simple request + preflight from the foreign origin [+ the allowed origin]."""
    steps = [Step(name=f"{p.method} from foreign origin",
                  request=Request(method=p.method, path=p.path, headers=(("Origin", p.origin),)))]
    if p.preflight:
        pre = (("Origin", p.origin), ("Access-Control-Request-Method", p.method),
               ("Access-Control-Request-Headers", "authorization,content-type"))
        steps.append(Step(name="preflight from foreign origin",
                          request=Request(method="OPTIONS", path=p.path, headers=pre)))
    if p.allowed_origin:
        steps.append(Step(name="allowed origin",
                          request=Request(method=p.method, path=p.path,
                                          headers=(("Origin", p.allowed_origin),))))

    def check(runs: tuple[StepRun, ...]) -> Verdict:
        failures = []
        for r in runs:
            if r.name == "allowed origin":
                if (r.header(ACAO) or "").strip() != p.allowed_origin:
                    failures.append(f"allowed origin {p.allowed_origin} is not granted by "
                                    f"name ({ACAO}: {r.header(ACAO)!r})")
            else:
                failures += _judge(r, p.origin, p.allowed_origin)
        return Verdict(failures=tuple(failures))

    return Plan(steps=tuple(steps), check=check)


KIND = ScenarioKind(
    name="cors",
    summary="A foreign Origin is not reflected, '*' is never combined with credentials, "
            "and never answers when the contract declares the allowed origin.",
    params_schema=SCHEMA, parse_params=parse, expand=expand,
    example="kind: cors\nparams: {path: /api/items}",
)
