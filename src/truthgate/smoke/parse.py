"""Turn schema-validated raw mappings into the smoke dataclasses (requests, expectations, steps).

The input has already passed the schema, so these functions only convert; they never
re-validate. Kinds reuse them for the requests and expectations inside their params.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from truthgate.smoke.model import (
    Auth,
    Expect,
    HeaderExpect,
    JsonCheck,
    Poll,
    Request,
    StatusMatch,
    Step,
)

_CHECK_OPS = ("equals", "contains", "type", "regex", "exists")


def pairs(raw: Mapping[str, Any] | None) -> tuple[tuple[str, str], ...]:
    """A mapping as ordered (key, str(value)) pairs; booleans as 'true'/'false' like YAML."""
    if not raw:
        return ()
    out = []
    for k, v in raw.items():
        out.append((str(k), ("true" if v else "false") if isinstance(v, bool) else str(v)))
    return tuple(out)


def parse_status(raw: Any) -> StatusMatch | None:
    """200 / '2xx' / [200, '3xx'] -> StatusMatch; None stays None."""
    if raw is None:
        return None
    items = raw if isinstance(raw, list) else [raw]
    codes = tuple(int(i) for i in items if isinstance(i, int))
    classes = tuple(int(str(i)[0]) for i in items if isinstance(i, str))
    return StatusMatch(codes=codes, classes=classes)


def parse_auth(raw: Mapping[str, Any] | None) -> Auth | None:
    """The auth block, or None."""
    if not raw:
        return None
    return Auth(**{k: str(v) for k, v in raw.items()})


def parse_request(raw: Mapping[str, Any], *, method: str = "GET") -> Request:
    """A request block; ``method`` is the default when the block names none."""
    return Request(
        method=str(raw.get("method", method)).upper(),
        path=str(raw.get("path", "")),
        url=str(raw.get("url", "")),
        query=pairs(raw.get("query")),
        headers=pairs(raw.get("headers")),
        json=raw.get("json"),
        has_json="json" in raw,
        body=raw.get("body"),
        form=pairs(raw.get("form")),
        auth=parse_auth(raw.get("auth")),
        timeout_s=raw.get("timeout_s"),
        follow_redirects=bool(raw.get("follow_redirects", True)),
    )


def parse_json_check(raw: Mapping[str, Any]) -> JsonCheck:
    """One ``{query, <op>: value}`` item."""
    op = next(o for o in _CHECK_OPS if o in raw)
    return JsonCheck(query=str(raw["query"]), op=op, value=raw[op])


def parse_expect(raw: Mapping[str, Any] | None, *, status: StatusMatch | None = None) -> Expect:
    """An expect block; ``status`` is the default when the block names none."""
    raw = raw or {}
    h = raw.get("headers") or {}
    headers = HeaderExpect(
        present=tuple(h.get("present", ())),
        absent=tuple(h.get("absent", ())),
        equals=pairs(h.get("equals")),
        regex=pairs(h.get("regex")),
    )
    st = parse_status(raw.get("status"))
    return Expect(
        status=st if st is not None else status,
        max_ms=raw.get("max_ms"),
        headers=headers,
        json_schema=raw.get("json_schema"),
        schema_file=str(raw.get("schema_file", "")),
        json=tuple(parse_json_check(c) for c in raw.get("json", ())),
        body_contains=tuple(raw.get("body_contains", ())),
        body_not_contains=tuple(raw.get("body_not_contains", ())),
        body_regex=tuple(raw.get("body_regex", ())),
        body_not_regex=tuple(raw.get("body_not_regex", ())),
    )


def parse_poll(raw: Mapping[str, Any] | None) -> Poll | None:
    """A poll block, or None."""
    if raw is None:
        return None
    return Poll(**{k: raw[k] for k in ("until_s", "interval_ms", "max_attempts") if k in raw})


def request_label(req: Request) -> str:
    """'GET /health': the default name of a step."""
    return f"{req.method} {req.path or req.url}"


def parse_step(raw: Mapping[str, Any]) -> Step:
    """One step of a plain scenario."""
    req = parse_request(raw["request"])
    return Step(
        name=str(raw.get("name") or request_label(req)),
        request=req,
        expect=parse_expect(raw.get("expect")),
        capture=pairs(raw.get("capture")),
        poll=parse_poll(raw.get("poll")),
    )
