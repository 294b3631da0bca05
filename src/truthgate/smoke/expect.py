"""Judging a response against an :class:`~truthgate.smoke.model.Expect`.

Each unmet expectation becomes one sentence saying what was expected and what came back,
e.g. ``status: expected 200, got 503``. The sentences are masked by the caller.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from truthgate.contract.linregex import search as re_search
from truthgate.redact import scrub
from truthgate.smoke.jpath import MISS, search
from truthgate.smoke.kinds.base import MISSING
from truthgate.smoke.model import Expect, JsonCheck

_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def short(value: Any, limit: int = 120) -> str:
    """A compact JSON rendering for failure messages, masked before it is cut.

    Cutting first would leave a prefix of a secret that no mask recognises any more.
    """
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        text = repr(value)
    text = scrub(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_json(body: str) -> Any:
    """The body as JSON, or MISSING."""
    try:
        return json.loads(body)
    except ValueError:
        return MISSING


def _same(a: Any, b: Any) -> bool:
    """JSON equality: 1 == 1.0, but true is not 1 (Python's bool is an int)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def _check_json(check: JsonCheck, data: Any) -> str | None:
    """One JMESPath check; None when it holds."""
    got = search(check.query, data)
    where = f"json {check.query!r}"
    if got is MISS:
        return f"{where}: the query cannot be evaluated on this body"
    if check.op == "equals":
        ok = _same(got, check.value)
        return None if ok else f"{where}: expected {short(check.value)}, got {short(got)}"
    if check.op == "contains":
        ok = isinstance(got, (list, str)) and (
            check.value in got if isinstance(got, list) else str(check.value) in got)
        return None if ok else f"{where}: expected to contain {short(check.value)}, " \
                               f"got {short(got)}"
    if check.op == "type":
        ok = _TYPES[str(check.value)](got)
        return None if ok else f"{where}: expected a {check.value}, got {short(got)}"
    if check.op == "regex":
        text = got if isinstance(got, str) else short(got, 10_000)
        return None if re_search(str(check.value), text) else (
            f"{where}: expected to match /{check.value}/, got {short(got)}")
    # exists
    present = got is not None
    if present == bool(check.value):
        return None
    return f"{where}: expected {'a value' if check.value else 'nothing'}, got {short(got)}"


def _header(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    low = name.lower()
    return next((v for k, v in headers if k.lower() == low), None)


_VALIDATORS: dict[int, tuple[Any, Any]] = {}  # id(schema) -> (schema, validator)


def _validator(schema: Any) -> Any:
    """A JSON Schema validator for ``schema``, built once per schema object.

    jsonschema is imported here, not at module load: a run whose steps declare no schema
    never pays for it (with referencing and attrs, a large share of smoke's start-up).
    """
    hit = _VALIDATORS.get(id(schema))
    if hit is not None and hit[0] is schema:
        return hit[1]
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    if len(_VALIDATORS) < 4096:  # schemas come from the contract: a bounded set
        _VALIDATORS[id(schema)] = (schema, validator)
    return validator


def evaluate(expect: Expect, *, status: int, headers: tuple[tuple[str, str], ...],
             body: str, data: Any, elapsed_ms: float, budget_ms: float | None,
             schema: Any) -> list[str]:
    """Every unmet expectation, in a stable order (status first)."""
    out: list[str] = []
    if expect.status is not None and not expect.status.matches(status):
        out.append(f"status: expected {expect.status}, got {status}")
    limit = expect.max_ms if expect.max_ms is not None else budget_ms
    if limit is not None and elapsed_ms > limit:
        out.append(f"latency: {elapsed_ms:.0f} ms, over the {limit:g} ms budget")
    h = expect.headers
    out += [f"header {n}: expected present, absent" for n in h.present
            if _header(headers, n) is None]
    out += [f"header {n}: expected absent, got {_header(headers, n)!r}" for n in h.absent
            if _header(headers, n) is not None]
    for n, want in h.equals:
        got = _header(headers, n)
        if got != want:
            out.append(f"header {n}: expected {want!r}, got {got!r}")
    for n, pat in h.regex:
        got = _header(headers, n)
        if got is None or not re_search(pat, got):
            out.append(f"header {n}: expected to match /{pat}/, got {got!r}")
    needs_json = schema is not None or expect.json
    if needs_json and data is MISSING:
        out.append(f"body: expected JSON, got {short(body, 200)}")
    elif needs_json:
        if schema is not None:
            v = _validator(schema)
            for err in sorted(v.iter_errors(data), key=lambda e: list(e.absolute_path))[:5]:
                path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}"
                               for p in err.absolute_path) or "(root)"
                out.append(f"body schema: at {path}: {scrub(err.message)[:200]}")
        out += [f for c in expect.json if (f := _check_json(c, data)) is not None]
    out += [f"body: expected to contain {s!r}" for s in expect.body_contains if s not in body]
    out += [f"body: expected not to contain {s!r}" for s in expect.body_not_contains
            if s in body]
    out += [f"body: expected to match /{p}/" for p in expect.body_regex
            if not re_search(p, body)]
    out += [f"body: expected not to match /{p}/" for p in expect.body_not_regex
            if re_search(p, body)]
    return out
