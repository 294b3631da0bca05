"""Contracts generated from truthgate's own JSON Schema (``truthgate schema``).

hypothesis-jsonschema does not read draft 2020-12 (``unevaluatedProperties``, ``if``/``then``
per kind), so this is a small interpreter of the subset the schema uses: ``$ref`` into
``$defs``, ``const``/``enum``, objects (required keys always, optional ones sometimes;
``allOf`` of ``if kind == X then {properties}`` branches picked by the drawn kind;
``oneOf``/``anyOf`` of required-only branches; ``dependentRequired``), arrays (at most 3
items), strings (formats and ``pattern`` honoured), bounded integers and numbers, booleans.
Values stay small so a run of each contract is quick; ``SERVER`` in a URL is replaced by
the test's local server.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

FORMATS: dict[str, list[str]] = {
    "http-url": ["http://SERVER", "http://SERVER/api", "http://127.0.0.1:9", "http://localhost:9"],
    "repo-path": ["app.py", "README.md", "kb/runbook.md", "requirements.txt", "src/m.py",
                  ".env.example", "missing.txt"],
    "repo-glob": ["*.py", "**/*.py", "src/**", "kb/*.md", "*a*a*a*a*a*a*a*a*a*ab", "build/"],
    "regex": ["ERROR", "(a+)+$", "x|y", "^\\s*import", "[0-9]+"],
    "linear-regex": ["ERROR", "(a+)+$", "ok", "^\\{", "status"],
}
_TEXT = st.text(alphabet="abcxyz_-. /{}$0:é", min_size=1, max_size=8)


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/$defs/"), ref
        schema = {**root["$defs"][ref.split("/")[-1]],
                  **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _integer(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    lo = schema.get("minimum", -3)
    if "exclusiveMinimum" in schema:
        lo = max(lo, int(schema["exclusiveMinimum"]) + 1)
    hi = schema.get("maximum", 10**6)
    candidates = sorted({v for v in (lo, lo + 1, 0, 1, 2, 3, 5, 30, 100, 404, 500)
                         if lo <= v <= hi} or {lo})
    return st.sampled_from(candidates)


def _number(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    lo = float(schema.get("minimum", schema.get("exclusiveMinimum", -3)))
    hi = float(schema.get("maximum", 10**6))
    candidates = [v for v in (0.0, 0.5, 1, 2.5, 3, 30.0, 1000) if lo <= v <= hi
                  and v != schema.get("exclusiveMinimum")]
    return st.sampled_from(candidates or [hi])


def strategy(schema: Any, root: dict[str, Any], depth: int = 0) -> st.SearchStrategy[Any]:
    """Values meant to validate against ``schema`` (root: the whole document)."""
    if not isinstance(schema, dict) or depth > 12:
        return st.just("x")
    schema = _resolve(schema, root)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if isinstance(kind, list):
        return st.one_of(*(strategy({**schema, "type": k}, root, depth) for k in kind))
    if kind == "object" or "properties" in schema:
        return _object(schema, root, depth)
    if kind == "array":
        lo = schema.get("minItems", 0)
        hi = max(lo, min(schema.get("maxItems", 3), 3))
        return st.lists(strategy(schema.get("items", {}), root, depth + 1),
                        min_size=lo, max_size=hi)
    if kind == "string":
        if schema.get("format") in FORMATS:
            return st.sampled_from(FORMATS[schema["format"]])
        if "pattern" in schema:
            if schema["pattern"] == "^[1-5]xx$":
                return st.sampled_from(["2xx", "4xx", "5xx"])
            if schema["pattern"] == "^/":
                return st.sampled_from(["/", "/health", "/api/x", "/{id}"])
            if schema["pattern"] == "^[^\\x00-\\x1f\\x7f]+$":
                return _TEXT  # printable text (from_regex would draw lone surrogates)
            return st.from_regex(schema["pattern"], fullmatch=True).filter(
                lambda s: 0 < len(s) <= 12)
        return _TEXT
    if kind == "integer":
        return _integer(schema)
    if kind == "number":
        return _number(schema)
    if kind == "boolean":
        return st.booleans()
    if "oneOf" in schema or "anyOf" in schema:
        branches = schema.get("oneOf") or schema.get("anyOf")
        return st.one_of(*(strategy(b, root, depth + 1) for b in branches))
    return st.sampled_from(["x", 1, True])


def _object(schema: dict[str, Any], root: dict[str, Any], depth: int) -> st.SearchStrategy[Any]:
    @st.composite
    def build(draw: st.DrawFn) -> dict[str, Any]:
        props = dict(schema.get("properties", {}))
        required = set(schema.get("required", ()))
        out: dict[str, Any] = {}
        if "kind" in props and "allOf" in schema:  # per-kind params: the drawn kind's branch
            out["kind"] = draw(strategy(props.pop("kind"), root, depth + 1))
            required.discard("kind")
            for branch in schema["allOf"]:
                when = branch.get("if", {}).get("properties", {}).get("kind", {})
                if when.get("const") == out["kind"] or out["kind"] in when.get("enum", ()):
                    then = _resolve(branch.get("then", {}), root)
                    props.update(then.get("properties", {}))
                    required |= set(then.get("required", ()))
        choices = schema.get("oneOf") or schema.get("anyOf")
        excluded: set[str] = set()
        if choices and all(set(c) <= {"required"} for c in choices):
            picked = draw(st.sampled_from(choices))
            required |= set(picked["required"])
            excluded = {k for c in choices for k in c["required"]} - set(picked["required"])
        for name in sorted(props):
            if name in excluded:
                continue
            if name in required or draw(st.integers(0, 3)) == 0:
                out[name] = draw(strategy(props[name], root, depth + 1))
        for key, needs in schema.get("dependentRequired", {}).items():
            if key in out:
                for name in needs:
                    if name not in out and name in props:
                        out[name] = draw(strategy(props[name], root, depth + 1))
        additional = schema.get("additionalProperties")
        if isinstance(additional, dict) and not props and draw(st.booleans()):
            out[draw(st.sampled_from(["a", "b_1", "X-Key"]))] = draw(
                strategy(additional, root, depth + 1))
        return out

    return build()
