"""JSON-Schema validation of the loaded YAML, turned into located, helpful problems."""

from __future__ import annotations

import math
import posixpath
import re
from collections.abc import Sequence
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators

from truthgate.contract.problems import ContractProblem, KeyPath, suggest
from truthgate.contract.urls import is_http_url, url_problem
from truthgate.contract.yamlload import LoadedYaml, Mark

_FORMATS = FormatChecker(formats=())


def _is_integer(_checker: object, value: object) -> bool:
    # JSON Schema counts 5.0 as an integer; the runtime (deque, range, sleep) does not.
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(_checker: object, value: object) -> bool:
    # nan and inf pass every minimum/maximum comparison or break the code that uses them.
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


# The validator truthgate uses: what "integer" and "number" mean is what the runtime takes.
Validator = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine_many(
        {"integer": _is_integer, "number": _is_number}),
)


@_FORMATS.checks("http-url")
def _is_http_url(value: object) -> bool:
    return is_http_url(value)


def is_inside_root(value: object) -> bool:
    """True when a contract path is relative and cannot climb out of the repository root."""
    if not isinstance(value, str):
        return True
    if not value or value.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", value):
        return False
    norm = posixpath.normpath(value.replace("\\", "/"))
    return norm != ".." and not norm.startswith("../")


@_FORMATS.checks("repo-path")
def _is_repo_path(value: object) -> bool:
    return is_inside_root(value)


@_FORMATS.checks("repo-glob")
def _is_repo_glob(value: object) -> bool:
    return is_inside_root(value)


@_FORMATS.checks("linear-regex", raises=ValueError)
def _is_linear_regex(value: object) -> bool:
    if isinstance(value, str):
        from truthgate.contract.linregex import compile_linear

        compile_linear(value)
    return True


@_FORMATS.checks("regex", raises=re.error)
def _is_regex(value: object) -> bool:
    if isinstance(value, str):
        re.compile(value)
    return True


def _set_at(data: Any, path: KeyPath, value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def _coerce_plain_scalars(loaded: LoadedYaml, validator: Any) -> None:
    # A plain scalar such as `version: 1.10` or `name: no` that the schema wants as a string is
    # given back exactly as written, instead of 1.1 or an error about booleans.
    for _ in range(3):
        changed = False
        for err in validator.iter_errors(loaded.data):
            path = tuple(err.absolute_path)
            wants_string = err.validator == "type" and (
                err.validator_value == "string"
                or (isinstance(err.validator_value, list) and "string" in err.validator_value)
            )
            if wants_string and path in loaded.plain_text and path:
                _set_at(loaded.data, path, loaded.plain_text[path])
                changed = True
        if not changed:
            return


def validate_document(loaded: LoadedYaml, schema: dict[str, Any]) -> list[ContractProblem]:
    """Every schema violation of the document, located and explained."""
    validator = Validator(schema, format_checker=_FORMATS)
    _coerce_plain_scalars(loaded, validator)
    problems: dict[tuple[Any, ...], ContractProblem] = {}
    for err in validator.iter_errors(loaded.data):
        for p in _explain(err, loaded, schema):
            problems.setdefault((p.path, p.message), p)
    return list(problems.values())


def _mark_for(loaded: LoadedYaml, path: KeyPath, key: bool = False) -> Mark | None:
    if key and path in loaded.key_marks:
        return loaded.key_marks[path]
    while path:
        if path in loaded.marks:
            return loaded.marks[path]
        path = path[:-1]
    return loaded.marks.get(())


def _problem(
    loaded: LoadedYaml, path: KeyPath, message: str, help: str = "", key: bool = False
) -> ContractProblem:
    m = _mark_for(loaded, path, key=key)
    return ContractProblem(
        message=message,
        path=path,
        help=help,
        line=m.line if m else 0,
        col=m.col if m else 0,
        end_line=m.end_line if m else 0,
        end_col=m.end_col if m else 0,
    )


def _allowed_keys(
    err: ValidationError, loaded: LoadedYaml, root_schema: dict[str, Any]
) -> list[str]:
    schema = err.schema if isinstance(err.schema, dict) else {}
    keys = list(schema.get("properties", {}))
    instance = err.instance
    if err.validator == "unevaluatedProperties" and isinstance(instance, dict):
        # An invariant: its base keys plus the keys of its kind.
        kind = instance.get("kind")
        for branch in schema.get("allOf", []):
            if branch.get("if", {}).get("properties", {}).get("kind", {}).get("const") == kind:
                keys += list(branch["then"].get("properties", {}))
    return keys


def _explain(
    err: ValidationError, loaded: LoadedYaml, root_schema: dict[str, Any]
) -> list[ContractProblem]:
    path: KeyPath = tuple(err.absolute_path)
    kind = err.validator
    if kind in ("additionalProperties", "unevaluatedProperties") and isinstance(err.instance, dict):
        allowed = _allowed_keys(err, loaded, root_schema)
        props = set(allowed)
        out = []
        for key in err.instance:
            if key in props:
                continue
            guess = suggest(str(key), allowed)
            msg = f"unknown key '{key}'" + (f"; did you mean '{guess}'?" if guess else "")
            help = "allowed keys here: " + ", ".join(sorted(allowed)) if allowed else ""
            out.append(_problem(loaded, (*path, key), msg, help=help, key=True))
        return out
    if kind == "enum":
        choices = [str(c) for c in _as_list(err.validator_value)]
        guess = suggest(str(err.instance), choices)
        shown = choices if len(choices) <= 8 else [*choices[:8], "..."]
        msg = f"{err.instance!r} is not one of [{', '.join(shown)}]"
        if guess:
            msg += f"; did you mean '{guess}'?"
        return [_problem(loaded, path, msg)]
    if kind == "required":
        missing = [
            k
            for k in _as_list(err.validator_value)
            if isinstance(err.instance, dict) and k not in err.instance
        ]
        return [
            _problem(loaded, path, f"missing required key '{k}'", help=f"add '{k}:' here")
            for k in missing
        ]
    if kind == "type":
        want = err.validator_value
        wanted = " or ".join(want) if isinstance(want, list) else str(want)
        got = _type_name(err.instance)
        help = ""
        if wanted == "boolean" and isinstance(err.instance, str):
            help = "write true or false (YAML 1.2: 'yes', 'on' and 'no' are strings here)"
        elif wanted == "array":
            help = "use a YAML list: one '- item' per line, or [a, b]"
        return [_problem(loaded, path, f"expected {wanted}, got {got}", help=help)]
    if kind == "format":
        fmt = err.validator_value
        if fmt in ("repo-path", "repo-glob"):
            return [
                _problem(
                    loaded,
                    path,
                    f"path {err.instance!r} escapes the repository root",
                    help="use a path relative to the repository root, without '..'",
                )
            ]
        if fmt == "http-url":
            return [_problem(loaded, path, url_problem(str(err.instance)),
                             help="an http(s) URL with a host and a port in 1..65535")]
        if fmt in ("regex", "linear-regex"):
            detail = str(err.cause) if err.cause else "invalid"
            return [
                _problem(loaded, path, f"invalid regular expression {err.instance!r}: {detail}")
            ]
    if kind in ("anyOf", "oneOf") and err.context:
        best = _best(err.context)
        return _explain(best, loaded, root_schema)
    if kind == "pattern" and isinstance(err.schema, dict) and err.schema.get("x-pattern-message"):
        # A regex is no explanation: the schema says in words what the pattern forbids.
        return [_problem(loaded, path, f"{err.instance!r}: {err.schema['x-pattern-message']}")]
    if kind == "const":
        return [_problem(loaded, path, f"must be {err.validator_value!r}, got {err.instance!r}")]
    return [_problem(loaded, path, err.message)]


def _as_list(value: object) -> list[Any]:
    return list(value) if isinstance(value, (list, tuple)) else []


def _best(errors: Sequence[ValidationError]) -> ValidationError:
    # Prefer the error that went deepest into the instance: it is about the user's typo,
    # not about the branch that never applied.
    return max(errors, key=lambda e: (len(e.absolute_path), e.validator != "type"))


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"number {value}"
    if isinstance(value, str):
        return f"string {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__
