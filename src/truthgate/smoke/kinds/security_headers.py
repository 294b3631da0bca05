"""``security_headers``: responses carry the listed security headers (and not the banned ones).

Example::

    - id: SECH
      kind: security_headers
      params:
        path: /
        present: [X-Content-Type-Options, X-Frame-Options]
        equals: {X-Content-Type-Options: nosniff}
        absent: [X-Powered-By]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from truthgate.smoke.kinds.base import KindContext, Plan, ScenarioKind
from truthgate.smoke.model import Expect, HeaderExpect, Request, Step
from truthgate.smoke.parse import pairs
from truthgate.smoke.schema import s_list, s_map, s_tpl

DEFAULT_PRESENT = ("X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy")


@dataclass(frozen=True)
class SecurityHeadersParams:
    """Which headers must be present, equal to a value, or absent."""

    path: str = "/"
    present: tuple[str, ...] = DEFAULT_PRESENT
    equals: tuple[tuple[str, str], ...] = ()
    absent: tuple[str, ...] = ()


SCHEMA: dict[str, Any] = {
    "properties": {
        "path": s_tpl("Endpoint to inspect; '/' by default."),
        "present": s_list("Headers that must be present; X-Content-Type-Options, "
                          "X-Frame-Options and Referrer-Policy by default.", {"type": "string"}),
        "equals": s_map("Header -> exact value.", {"type": "string"}),
        "absent": s_list("Headers that must be absent (e.g. X-Powered-By).",
                         {"type": "string"}),
    },
}


def parse(raw: Mapping[str, Any]) -> SecurityHeadersParams:
    """Validated ``params`` -> SecurityHeadersParams."""
    return SecurityHeadersParams(
        path=str(raw.get("path", "/")),
        present=tuple(raw.get("present", DEFAULT_PRESENT)),
        equals=pairs(raw.get("equals")),
        absent=tuple(raw.get("absent", ())),
    )


def expand(p: SecurityHeadersParams, ctx: KindContext) -> Plan:
    """One GET whose header expectations are the whole check."""
    expect = Expect(headers=HeaderExpect(present=p.present, absent=p.absent, equals=p.equals))
    return Plan(steps=(Step(name=f"GET {p.path}", request=Request(path=p.path), expect=expect),))


KIND = ScenarioKind(
    name="security_headers",
    summary="Responses carry the listed security headers.",
    params_schema=SCHEMA, parse_params=parse, expand=expand,
    example="kind: security_headers\nparams: {present: [X-Content-Type-Options]}",
)
