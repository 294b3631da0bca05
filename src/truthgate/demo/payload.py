"""Validation of untrusted JSON bodies: every bad input becomes a typed 4xx, never a crash."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


class BadInput(Exception):
    """A client error with the status and machine-readable code to answer it with."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class WebhookUpdate:
    update_id: int
    message: str


def nesting_depth(text: str) -> int:
    """The deepest ``[``/``{`` nesting in JSON text, ignoring brackets inside strings.

    Checked before ``json.loads`` because the parser recurses: a few thousand ``[`` would
    raise RecursionError deep inside it, and refusing early is cheaper than parsing anyway.
    """
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def parse_json_body(body: bytes, media_type: str, max_depth: int) -> Any:
    """Decode a JSON request body, mapping each way it can be wrong to its status."""
    if media_type not in ("application/json",) and not media_type.endswith("+json"):
        raise BadInput(415, "unsupported_media_type", "Content-Type must be application/json")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        detail = f"body is not valid UTF-8 at byte {exc.start}"
        raise BadInput(400, "invalid_utf8", detail) from None
    if not text.strip():
        raise BadInput(400, "invalid_json", "body is empty")
    if nesting_depth(text) > max_depth:
        raise BadInput(422, "too_deep", f"JSON nesting deeper than {max_depth}")
    try:
        return json.loads(text)
    except ValueError as exc:  # JSONDecodeError, and huge-int conversion limits
        raise BadInput(400, "invalid_json", f"invalid JSON: {exc}") from None


def _is_int(value: Any) -> bool:
    # bool is a subclass of int in Python but `true` is not an update id.
    return isinstance(value, int) and not isinstance(value, bool)


def parse_update(data: Any) -> WebhookUpdate:
    """A webhook update: an object with an integer ``update_id`` and a string ``message``."""
    if not isinstance(data, dict):
        raise BadInput(422, "invalid_type", "body must be a JSON object")
    missing = [k for k in ("update_id", "message") if k not in data]
    if missing:
        raise BadInput(422, "missing_field", f"missing field(s): {', '.join(missing)}")
    if not _is_int(data["update_id"]):
        raise BadInput(422, "invalid_type", "update_id must be an integer")
    if not -(2**63) <= data["update_id"] < 2**63:
        raise BadInput(422, "out_of_range", "update_id must fit in 64 bits")
    if not isinstance(data["message"], str):
        raise BadInput(422, "invalid_type", "message must be a string")
    return WebhookUpdate(update_id=data["update_id"], message=data["message"])
