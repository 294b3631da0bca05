"""The ``smoke:`` section of ``product/truth.yaml``: its JSON Schema and its parser.

Shape (every key optional except ``scenarios[].id`` and the kind's required params)::

    smoke:
      base_url: "${APP_URL:-http://127.0.0.1:8000}"   # rendered at run time
      targets:
        preview:    {base_url: "https://preview.example.com", preview: true}  # a release runs unsafe ones here
        production: {base_url: "https://example.com", production: true}
      defaults: {timeout_s: 10, budget_ms: 1000, scenario_timeout_s: 120,
                 headers: {User-Agent: truthgate},
                 unmet_precondition: not_run}    # or fail: count "not run" red
      readiness: {probe: /health, timeout_s: 30}   # cold_start first, then wait, then the rest
      scenarios:
        - id: S0
          name: Health
          kind: health                      # a named kind with its own params ...
          params: {path: /health, budget_ms: 300}
        - id: S9
          name: Create then read
          unsafe: true                      # writes: needs --allow-unsafe, never on prod
          tags: [api]
          modes: [ACTIVE]
          steps:                            # ... or plain steps (kind: steps)
            - request: {method: POST, path: /items, json: {name: "${uuid}"},
                        auth: {bearer_env: ADMIN_TOKEN}}
              expect: {status: 201, json: [{query: name, type: string}]}
              capture: {item_id: id}
            - request: {path: "/items/${item_id}"}
              expect: {status: 200, max_ms: 200}

Templates: ``${VAR}`` / ``${VAR:-default}`` read the environment; ``${uuid}``, ``${now}``
(ISO-8601 UTC), ``${run_id}`` and ``${int:unique}`` (an integer unique to the run and the
scenario, sent as a JSON number when it is a whole JSON value: ``{update_id:
"${int:unique}"}``) are built-ins, stable within one scenario run (so a repeated request
carries the same idempotency key); captured variables come from earlier
steps of the same scenario. Each kind's ``params`` are described in its module under
:mod:`truthgate.smoke.kinds`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

from truthgate.smoke.kinds import KINDS, STEPS, kind_names
from truthgate.smoke.kinds.base import ScenarioKind
from truthgate.smoke.model import (
    DEFAULT_MAX_BODY_BYTES,
    Defaults,
    Readiness,
    Scenario,
    SmokeSpec,
    Target,
)
from truthgate.smoke.parse import pairs, parse_step
from truthgate.smoke.schema import (
    ABSOLUTE_URL_REFUSED,
    STEP,
    Schema,
    s_bool,
    s_int,
    s_list,
    s_map,
    s_num,
    s_obj,
    s_str,
    s_tpl,
)

TARGET = s_obj(
    "A named deployment the smoke run can be pointed at with --target.",
    {
        "base_url": s_tpl("Base URL of this deployment.", format="http-url"),
        "production": s_bool("A production target refuses unsafe scenarios whatever the "
                             "flags."),
        "preview": s_bool("A non-production preview deployment: a `truthgate release` smoke "
                          "step against it runs the unsafe (writing) scenarios too."),
        "description": s_str("What this target is."),
        "headers": s_map("Headers added to every request sent to this target.",
                         {"type": "string", "x-interpolate": True}),
    },
    required=["base_url"],
)

DEFAULTS = s_obj(
    "Settings every request inherits.",
    {
        "timeout_s": s_num("Per-request timeout in seconds; 10 by default.", maximum=600),
        "scenario_timeout_s": s_num("Longest one scenario may run, all its requests "
                                    "together; 120 by default. A polling step (cold_start, "
                                    "poll) adds its own wait to it.", maximum=3600),
        "budget_ms": s_num("Latency budget applied to steps that declare none."),
        "headers": s_map("Headers sent with every request.",
                         {"type": "string", "x-interpolate": True}),
        "max_body_bytes": s_int("Response bodies larger than this are an error (1 MiB by "
                                "default).", minimum=1024, maximum=256 * 1024 * 1024),
        "max_redirects": s_int("Most redirects followed per request; 5 by default.",
                               maximum=20),
        "verify_tls": s_bool("Verify TLS certificates; true by default."),
        "unmet_precondition": s_str(
            "A scenario whose precondition (the mode it tests, a healthy service) is not "
            "met: 'not_run' (its own outcome, not red; the default) or 'fail'.",
            enum=["not_run", "fail"]),
    },
)


READINESS = s_obj(
    "Wait for the service to be ready before the scenarios: cold_start scenarios are "
    "measured first, the others start once the probe answers below 500.",
    {
        "probe": s_tpl("Path polled until it answers; the first health/cold_start path, "
                       "else '/', by default.", pattern=ABSOLUTE_URL_REFUSED,
                       **{"x-pattern-message": "a path is joined to the base URL"}),
        "timeout_s": s_num("Longest wait in seconds; the cold_start budget, else 60, by "
                           "default.", maximum=3600),
    },
)

_FORBIDDEN_STEPS = {"not": {}, "description": "Not allowed with a named kind: use 'params'."}
_FORBIDDEN_PARAMS = {"not": {}, "description": "Only named kinds take 'params'; set 'kind'."}


def _kind_is(name: str) -> Schema:
    return {"const": name, "description": f"Selects the '{name}' kind."}


def _params_schema(kind: ScenarioKind) -> Schema:
    """The closed ``params`` object of one kind, from the kind's own fragment."""
    frag = dict(kind.params_schema)
    props = frag.pop("properties", {})
    required = frag.pop("required", None)
    return s_obj(f"Parameters of the '{kind.name}' kind: {kind.summary}", dict(props),
                 required=list(required) if required else None, **frag)


def _scenario_schema() -> Schema:
    """A scenario: common keys, 'steps' or 'params', and per-kind params via if/then."""
    names = list(kind_names())
    per_kind = [
        {
            "if": {"properties": {"kind": _kind_is(name)}, "required": ["kind"]},
            "then": {"properties": {"steps": _FORBIDDEN_STEPS, "params": _params_schema(k)},
                     # A kind with required params needs the params block itself.
                     "required": ["params"] if k.params_schema.get("required") else []},
        }
        for name, k in KINDS.items()
    ]
    plain = {
        "if": {"anyOf": [{"not": {"required": ["kind"]}},
                         {"properties": {"kind": _kind_is(STEPS)}, "required": ["kind"]}]},
        "then": {"required": ["steps"], "properties": {"params": _FORBIDDEN_PARAMS}},
    }
    return s_obj(
        "One smoke scenario: plain steps, or a named kind with params.",
        {
            "id": s_str("Unique id, e.g. 'S0' (selected with --scenario).", minLength=1),
            "name": s_str("Human name shown in reports; defaults to the id."),
            "description": s_str("What the scenario proves and why it matters."),
            "kind": s_str("'steps' (default) or a named kind.", enum=names),
            "tags": s_list("Tags, selected with --tag.", {"type": "string"}),
            "modes": s_list("Modes the scenario applies to; empty: all.", {"type": "string"}),
            "unsafe": s_bool("The scenario writes: skipped unless --allow-unsafe, refused "
                             "on production targets."),
            "steps": s_list("Ordered steps (kind 'steps').", STEP, minItems=1),
            "params": {"type": "object", "description": "Parameters of the named kind."},
        },
        required=["id"],
        allOf=[plain, *per_kind],
    )


@functools.lru_cache(maxsize=1)
def smoke_schema() -> Schema:
    """The ``smoke`` section's JSON Schema, with every kind's params.

    Built on first use, not at import: it imports every kind module, which a run of a
    contract already known valid never needs.
    """
    return s_obj(
        "Live HTTP smoke scenarios (S0..S8 and more) run by 'truthgate smoke'.",
        {
            "base_url": s_tpl("Default base URL, e.g. '${APP_URL:-http://127.0.0.1:8000}'.",
                              format="http-url"),
            "targets": s_map("Named deployments (name -> target).", TARGET),
            "defaults": DEFAULTS,
            "readiness": READINESS,
            "scenarios": s_list("The scenarios, run concurrently, steps in order.",
                                _scenario_schema()),
        },
    )


def _parse_scenario(raw: Mapping[str, Any], line: int) -> Scenario:
    kind = str(raw.get("kind", STEPS))
    params = None
    if kind != STEPS:
        params = KINDS[kind].parse_params(raw.get("params") or {})
    return Scenario(
        id=str(raw["id"]),
        name=str(raw.get("name") or raw["id"]),
        kind=kind,
        description=str(raw.get("description", "")),
        tags=tuple(str(t) for t in raw.get("tags", ())),
        modes=tuple(str(m) for m in raw.get("modes", ())),
        unsafe=bool(raw.get("unsafe", False)),
        steps=tuple(parse_step(s) for s in raw.get("steps", ())),
        params=params,
        line=line,
    )


def parse_smoke(raw: Mapping[str, Any], lines: Sequence[int] = ()) -> SmokeSpec:
    """Turn the schema-validated ``smoke:`` mapping into a :class:`SmokeSpec`.

    Templates are kept verbatim (rendered at run time). Duplicate scenario ids are the
    loader's concern (reported with a location); here the last one would simply win.
    ``lines[i]`` is where scenario ``i`` is declared (the contract builder reads it from
    the YAML marks); a scenario beyond ``lines`` gets 0, unknown.
    """
    d = raw.get("defaults") or {}
    defaults = Defaults(
        timeout_s=float(d.get("timeout_s", 10.0)),
        budget_ms=d.get("budget_ms"),
        headers=pairs(d.get("headers")),
        max_body_bytes=int(d.get("max_body_bytes", DEFAULT_MAX_BODY_BYTES)),
        max_redirects=int(d.get("max_redirects", 5)),
        verify_tls=bool(d.get("verify_tls", True)),
        scenario_timeout_s=float(d.get("scenario_timeout_s", 120.0)),
        unmet_precondition=str(d.get("unmet_precondition", "not_run")),
    )
    targets = tuple(
        Target(name=str(name), base_url=str(t["base_url"]),
               production=bool(t.get("production", False)),
               description=str(t.get("description", "")), headers=pairs(t.get("headers")),
               preview=bool(t.get("preview", False)))
        for name, t in (raw.get("targets") or {}).items()
    )
    both = [t.name for t in targets if t.preview and t.production]
    if both:
        raise ValueError(f"target {both[0]!r} is marked both preview and production: a "
                         "preview is where unsafe scenarios may run, production is where "
                         "they never do")
    ready = raw.get("readiness")
    readiness = None if ready is None else Readiness(
        probe=str(ready.get("probe", "")),
        timeout_s=None if ready.get("timeout_s") is None else float(ready["timeout_s"]))
    return SmokeSpec(
        readiness=readiness,
        base_url=str(raw.get("base_url", "")),
        targets=targets,
        defaults=defaults,
        scenarios=tuple(_parse_scenario(s, lines[i] if i < len(lines) else 0)
                        for i, s in enumerate(raw.get("scenarios", ()))),
    )
