"""``fast_ack`` (S3): a webhook-style endpoint acknowledges within budget (500 ms default).

The same check as ``responsive`` with webhook defaults: POST, and a budget that is there
to catch handlers doing their work before answering. Example::

    - id: S3
      kind: fast_ack
      unsafe: true
      params:
        request: {path: /webhook, json: {update_id: 1}}
        budget_ms: 500
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from truthgate.smoke.kinds.base import ScenarioKind
from truthgate.smoke.kinds.responsive import ResponsiveParams, expand, parser, schema

_parse_post = parser("POST")


def parse(raw: Mapping[str, Any]) -> ResponsiveParams:
    """Like ``responsive`` but POST by default and a 500 ms budget when none is given."""
    params: ResponsiveParams = _parse_post({"budget_ms": 500, **raw})
    return params


_SCHEMA = schema("POST")
SCHEMA: dict[str, Any] = {"properties": _SCHEMA["properties"], "required": ["request"]}

KIND = ScenarioKind(
    name="fast_ack",
    summary="A webhook-style endpoint acknowledges within its budget (500 ms by default).",
    params_schema=SCHEMA, parse_params=parse, expand=expand,
    example="kind: fast_ack\nparams: {request: {path: /webhook, json: {}}, budget_ms: 500}",
)
