"""JSON Schema fragments shared by the smoke section and the scenario kinds' params.

Rules every fragment follows (the contract loader relies on them): ``additionalProperties:
false`` on every object, a ``description`` on every property, ``"format": "regex"`` on
regular expressions, ``"format": "repo-path"`` on repository files, and ``"x-interpolate":
true`` on strings rendered at run time (``${VAR}``, ``${VAR:-default}``, ``${uuid}``,
``${now}``, ``${run_id}``, captured variables). No ``$ref``: the fragments are embedded
under the contract schema's ``$defs`` and reused as Python objects instead.
"""

from __future__ import annotations

import re
from typing import Any

Schema = dict[str, Any]

HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def s_str(description: str, **extra: Any) -> Schema:
    """A string property."""
    return {"type": "string", "description": description, **extra}


# A ``path:`` that is an absolute URL (``https://x/``, ``//x/``) would be appended to the
# base URL; refused at load (literal) and at run time (rendered, ``execute.prepare``).
ABSOLUTE_URL_REFUSED = r"^(?![A-Za-z][A-Za-z0-9+.-]*://|//)"
ABSOLUTE_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://|//")


def s_tpl(description: str, **extra: Any) -> Schema:
    """A string property rendered as a template at run time."""
    return {"type": "string", "description": description, "x-interpolate": True, **extra}


def s_num(description: str, minimum: float = 0, maximum: float | None = None) -> Schema:
    """A non-negative number property, optionally bounded above."""
    out: Schema = {"type": "number", "description": description, "minimum": minimum}
    if maximum is not None:
        out["maximum"] = maximum
    return out


def s_int(description: str, minimum: int = 0, maximum: int | None = None) -> Schema:
    """An integer property, optionally bounded above."""
    out: Schema = {"type": "integer", "description": description, "minimum": minimum}
    if maximum is not None:
        out["maximum"] = maximum
    return out


def s_bool(description: str) -> Schema:
    """A boolean property."""
    return {"type": "boolean", "description": description}


def s_list(description: str, items: Schema, **extra: Any) -> Schema:
    """An array property."""
    return {"type": "array", "description": description, "items": items, **extra}


def s_map(description: str, values: Schema) -> Schema:
    """An object with free keys (header names, variables) and typed values."""
    return {"type": "object", "description": description, "additionalProperties": values}


def s_obj(description: str, properties: Schema, required: list[str] | None = None,
          **extra: Any) -> Schema:
    """A closed object: only the listed properties are allowed."""
    out: Schema = {"type": "object", "description": description, "properties": properties,
                   "additionalProperties": False, **extra}
    if required:
        out["required"] = required
    return out


STATUS = {
    "description": "Accepted status: a code (200), a class ('2xx'), or a list of either.",
    "anyOf": [
        {"type": "integer", "minimum": 100, "maximum": 599},
        {"type": "string", "pattern": "^[1-5]xx$"},
        {"type": "array", "minItems": 1, "items": {"anyOf": [
            {"type": "integer", "minimum": 100, "maximum": 599},
            {"type": "string", "pattern": "^[1-5]xx$"}]}},
    ],
}

AUTH = s_obj(
    "Credentials read from environment variables at run time; pick one style.",
    {
        "bearer_env": s_str("Env var holding a bearer token: 'Authorization: Bearer <value>'."),
        "basic_user_env": s_str("Env var holding the HTTP Basic user name."),
        "basic_password_env": s_str("Env var holding the HTTP Basic password."),
        "header": s_str("Header name for an API-key style credential, e.g. 'X-Api-Key'."),
        "value_env": s_str("Env var holding the value of 'header'."),
    },
    oneOf=[{"required": ["bearer_env"]},
           {"required": ["basic_user_env", "basic_password_env"]},
           {"required": ["header", "value_env"]}],
)

REQUEST_PROPS: Schema = {
    "method": s_str("HTTP method; GET by default.", enum=HTTP_METHODS),
    "path": s_tpl("Path joined to the base URL, e.g. '/health'.",
                  pattern=ABSOLUTE_URL_REFUSED,
                  **{"x-pattern-message": "a path is joined to the base URL; an absolute "
                                          "URL belongs in 'url:'"}),
    "url": s_tpl("Absolute URL, used instead of base URL + path.", format="http-url"),
    "query": s_map("Query parameters.", {"type": ["string", "number", "boolean"],
                                         "x-interpolate": True}),
    "headers": s_map("Request headers (defaults.headers are added first).",
                     {"type": "string", "x-interpolate": True}),
    "json": {"description": "JSON body; strings inside are templates.", "x-interpolate": True},
    "body": s_tpl("Raw text body."),
    "form": s_map("Form fields (application/x-www-form-urlencoded).",
                  {"type": "string", "x-interpolate": True}),
    "auth": AUTH,
    "timeout_s": s_num("Timeout of this request in seconds (overrides defaults.timeout_s).",
                       maximum=600),
    "follow_redirects": s_bool("Follow redirects (capped, credentials dropped across hosts)."),
}

REQUEST = s_obj(
    "An HTTP request; give 'path' or 'url'.", REQUEST_PROPS,
    oneOf=[{"required": ["path"]}, {"required": ["url"]}],
    # Only one kind of body: the three are mutually exclusive.
    allOf=[{"not": {"required": ["json", "body"]}}, {"not": {"required": ["json", "form"]}},
           {"not": {"required": ["body", "form"]}}],
)

JSON_CHECK = s_obj(
    "A JMESPath query over the JSON body and one test of its result.",
    {
        "query": s_str("JMESPath expression, e.g. 'db.reachable' or 'items[0].id'."),
        "equals": {"description": "The result equals this value (deep equality)."},
        "contains": {"description": "The result (list or string) contains this value."},
        "type": s_str("The result's JSON type.",
                      enum=["string", "number", "integer", "boolean", "null", "array",
                            "object"]),
        "regex": s_str("The result, as a string, matches this regex (search; RE2 syntax, "
                       "matched in linear time).", format="linear-regex"),
        "exists": s_bool("True: the result is not null; false: it is null or absent."),
    },
    required=["query"],
    oneOf=[{"required": [k]} for k in ("equals", "contains", "type", "regex", "exists")],
)

HEADER_EXPECT = s_obj(
    "Response header expectations; names are case-insensitive.",
    {
        "present": s_list("Headers that must be present.", {"type": "string"}),
        "absent": s_list("Headers that must be absent.", {"type": "string"}),
        "equals": s_map("Header -> exact value.", {"type": "string"}),
        "regex": s_map("Header -> regex its value must match (search; RE2 syntax).",
                       {"type": "string", "format": "linear-regex"}),
    },
)

EXPECT = s_obj(
    "What the response must look like; omitted parts are not checked.",
    {
        "status": STATUS,
        "max_ms": s_num("Latency budget of the request in milliseconds."),
        "headers": HEADER_EXPECT,
        "json_schema": {"type": ["object", "boolean"],
                        "description": "Inline JSON Schema the body must satisfy."},
        "schema_file": s_str("Repository path of a JSON Schema file the body must satisfy.",
                             format="repo-path"),
        "json": s_list("JMESPath checks over the JSON body.", JSON_CHECK),
        "body_contains": s_list("Substrings the body must contain.", {"type": "string"}),
        "body_not_contains": s_list("Substrings the body must not contain.",
                                    {"type": "string"}),
        "body_regex": s_list("Regexes the body must match (search; RE2 syntax, matched "
                             "in linear time).",
                             {"type": "string", "format": "linear-regex"}),
        "body_not_regex": s_list("Regexes the body must not match (RE2 syntax).",
                                 {"type": "string", "format": "linear-regex"}),
    },
)

POLL = s_obj(
    "Repeat the step until its expectations hold or the time runs out.",
    {
        "until_s": s_num("Give up after this many seconds.", maximum=3600),
        "interval_ms": s_num("Pause between attempts in milliseconds.", minimum=10),
        "max_attempts": s_int("Hard cap on attempts.", minimum=1, maximum=10000),
    },
)

STEP = s_obj(
    "One request, its expectations, captures and optional polling.",
    {
        "name": s_str("Step name shown in reports; defaults to 'METHOD path'."),
        "request": REQUEST,
        "expect": EXPECT,
        "capture": s_map("Variable -> JMESPath over the JSON body, usable as ${variable} "
                         "in later steps.", {"type": "string"}),
        "poll": POLL,
    },
    required=["request"],
)
