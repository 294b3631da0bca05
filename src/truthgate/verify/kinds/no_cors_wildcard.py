"""no_cors_wildcard: cross-origin access is never open to every origin.

Findings:

* a call passing a literal wildcard to an origin keyword — ``allow_origins`` (Starlette /
  FastAPI ``CORSMiddleware``, whether constructed or given to ``app.add_middleware``),
  ``cors_allowed_origins`` (python-socketio / Flask-SocketIO), ``allowed_origins`` — or
  ``allow_origin_regex`` matching everything (``.*``);
* Flask-CORS ``CORS(app)`` / ``@cross_origin()`` whose origins are the library default (``*``)
  or a literal wildcard, also inside a literal ``resources={...: {"origins": "*"}}`` mapping;
  ``CORS()`` with no argument (configured later through ``init_app``) is left alone, and so is
  ``CORS(app)`` in a file that sets ``CORS_ORIGINS`` (Flask-CORS reads it from app.config);
* a settings assignment (``cors_origins = ["*"]``, ``CORS_ORIGINS = "*"``, class fields
  included) or a ``CORS_ALLOW_ALL_ORIGINS = True`` (django-cors-headers);
* an env read of an origin variable whose *default* is a wildcard
  (``os.getenv("CORS_ORIGINS", "*")``): unset in production means open to all.

Origins from an env var without a wildcard default, or from any non-literal expression, are
fine; a ``*`` anywhere else (``allow_methods=["*"]``, ``allow_headers=["*"]``, ``glob("*")``,
a resources *path* pattern ``r"/api/*"``) is not about origins and never matches.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from truthgate.verify.facts import CallFact, FileFacts
from truthgate.verify.kinds._secrets import (
    callee_tail,
    has_star_kwargs,
    is_literal,
    kwarg,
    str_tuple,
    wildcard,
)
from truthgate.verify.kinds.base import CheckContext, InvariantKind, Violation

ORIGIN_KWARGS = ("allow_origins", "cors_allowed_origins", "allowed_origins")
ALL_REGEXES = frozenset({".*", ".+", "^.*$", "^.+$", "*", "^.*", ".*$"})
FLASK_CORS = frozenset({"flask_cors.CORS", "flask_cors.cross_origin"})
ALLOW_ALL_SETTINGS = frozenset({"CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL"})


@dataclass(frozen=True)
class Params:
    """Names of settings that hold the allowed origins (compared case-insensitively)."""

    setting_names: tuple[str, ...] = (
        "cors_origins", "cors_allowed_origins", "allowed_origins", "allow_origins",
        "cors_origin_whitelist", "cors_allowed_origin",
    )


def parse_params(raw: Mapping[str, Any]) -> Params:
    """Read ``setting_names``; the defaults are kept and extended."""
    extra = str_tuple(raw, "setting_names")
    return Params(setting_names=tuple(dict.fromkeys(Params.setting_names + extra)))


def _flask_cors_reason(call: CallFact, configured: bool) -> str:
    """Why a flask_cors call is open to all ('' when it is not, or when unknown)."""
    if has_star_kwargs(call):
        return ""
    present, origins = kwarg(call, "origins")
    if present:
        return "origins='*' allows every origin" if wildcard(origins) else ""
    has_res, resources = kwarg(call, "resources")
    if has_res and not is_literal(resources):
        return ""  # resources built at run time: their origins are unknown
    if isinstance(resources, dict):
        for options in resources.values():
            if isinstance(options, dict) and wildcard(options.get("origins")):
                return "resources with origins '*' allow every origin"
            if not (isinstance(options, dict) and "origins" in options) and not configured:
                return "resources without origins default to '*' (every origin)"
        return ""
    is_decorator = call.qualname.endswith("cross_origin")
    if configured or (not is_decorator and not call.args):
        return ""  # CORS() configured later via init_app / app.config
    return f"{callee_tail(call)}() without origins allows every origin (Flask-CORS default '*')"


def _call_reason(call: CallFact, configured: bool) -> str:
    if call.qualname in FLASK_CORS:
        return _flask_cors_reason(call, configured)
    for name in ORIGIN_KWARGS:
        present, value = kwarg(call, name)
        if present and wildcard(value):
            return f"{name}={value!r} allows every origin"
    present, regex = kwarg(call, "allow_origin_regex")
    if present and isinstance(regex, str) and regex.strip() in ALL_REGEXES:
        return f"allow_origin_regex={regex!r} matches every origin"
    return ""


def _file_violations(facts: FileFacts, names: frozenset[str]) -> Iterable[Violation]:
    # Flask-CORS falls back to app.config["CORS_ORIGINS"]; a wildcard there is its own finding.
    configured = any(a.name.upper() == "CORS_ORIGINS" for a in facts.assigns)
    for call in facts.calls:
        reason = _call_reason(call, configured)
        if reason:
            yield Violation(facts.path, reason, call.line, call.col, call.end_line,
                            call.end_col, key=call.name)
    for assign in facts.assigns:
        upper = assign.name.upper()
        if upper in ALLOW_ALL_SETTINGS and assign.value is True:
            reason = f"{assign.target} = True allows every origin"
        elif assign.name.lower() in names and wildcard(assign.value):
            reason = f"{assign.target} = {assign.value!r} allows every origin"
        else:
            continue
        yield Violation(facts.path, reason, assign.line, assign.col, key=assign.target)
    for read in facts.env_reads:
        if "ORIGIN" in read.name.upper() and read.has_default and wildcard(read.default):
            yield Violation(
                facts.path,
                f"env var {read.name} falls back to {read.default!r}: every origin when unset",
                read.line, read.col, key=read.name,
            )


def check(ctx: CheckContext, params: Params) -> Iterable[Violation]:
    """Wildcard CORS origins in calls, settings and env defaults of the selected files."""
    names = frozenset(n.lower() for n in params.setting_names)
    for facts in ctx.files:
        yield from _file_violations(facts, names)


KIND = InvariantKind(
    name="no_cors_wildcard",
    summary="CORS / Socket.IO origins are an explicit list, never '*'.",
    why=(
        "A wildcard origin lets any web page call the API (or open the realtime channel) from "
        "a visitor's browser; with cookies or tokens in play that is cross-site request forgery "
        "and data exfiltration."
    ),
    hint=(
        "List the real front-end origins, ideally read from an env var "
        "(e.g. os.environ['CORS_ORIGINS'].split(',')), and fail start-up when it is unset."
    ),
    params_schema={
        "properties": {
            "setting_names": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "description": "Extra setting names holding allowed origins (case-insensitive), "
                "added to cors_origins, cors_allowed_origins, allowed_origins, ...",
            }
        }
    },
    parse_params=parse_params,
    check=check,
    default_paths=("**/*.py",),
    default_exclude=("tests/**", "**/tests/**"),
    example=(
        "- id: no-cors-wildcard\n"
        "  kind: no_cors_wildcard\n"
        "  setting_names: [frontend_origins]\n"
    ),
)
