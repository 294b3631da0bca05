"""The JSON Schema (draft 2020-12) of product/truth.yaml, assembled from its owners.

The top-level sections live here; each invariant kind contributes its own fragment
(``InvariantKind.params_schema``) and the smoke package contributes the ``smoke`` section,
so adding a kind never means editing this file.

Custom formats (checked by the loader, located like any other error):
``repo-path`` a path relative to the repository root that cannot escape it;
``repo-glob`` a gitignore-style glob, relative, no '..'; ``regex`` a Python regular expression.
String fields marked ``x-interpolate: true`` may contain ``${VAR}`` / ``${VAR:-default}``.
"""

from __future__ import annotations

import functools
from typing import Any

from truthgate.contract.bounds import bounded as _bounded
from truthgate.contract.schemaparts import GLOB, PATH, _list, _obj, _str
from truthgate.contract.schemaparts import scope_sections as _scope_sections
from truthgate.contract.sections import installed

CONTRACT_VERSION = 1
SCHEMA_ID = "https://truthgate.dev/schema/truth-contract-v1.json"


def _int1(desc: str) -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "description": desc}


def _enum(values: tuple[str, ...], desc: str) -> dict[str, Any]:
    return {"type": "string", "enum": list(values), "description": desc}
SEVERITY = {
    "type": "string",
    "enum": ["error", "warning", "info"],
    "description": "How much a finding matters; only 'error' fails the gate.",
}


def _env_var(desc: str) -> dict[str, Any]:
    return _obj(
        desc,
        {
            "name": _str(
                "The variable's name, e.g. SECRET_KEY.", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$"
            ),
            "secret": {
                "type": "boolean",
                "description": "A secret: never given a literal default, never printed in any report.",
            },
            "description": _str("What the variable is for."),
        },
        required=("name",),
    )


def _sections() -> dict[str, Any]:
    return {
        "version": {
            "type": "integer",
            "const": CONTRACT_VERSION,
            "description": "Contract format version; this truthgate reads version 1.",
        },
        "product": _obj(
            "Who and what the contract is about.",
            {
                # Printed in every report header: no control characters (terminal escapes).
                "name": _str("Product name.", minLength=1, pattern="^[^\\x00-\\x1f\\x7f]+$",
                             **{"x-pattern-message": "must not contain control characters"}),
                "version": _str("Product version (kept as written: 1.10 stays '1.10')."),
                "owners": _list("People or teams accountable for the product.", {"type": "string"}),
                "description": _str("One paragraph: what the product does."),
            },
            required=("name",),
        ),
        "entrypoint": _obj(
            "The single blessed way the product starts.",
            {
                "path": {**PATH, "description": "The blessed entrypoint file, e.g. main.py."},
                "command": _str("The production start command, e.g. 'uvicorn app.main:app'."),
                "forbidden": _list(
                    "Entrypoint files that must be absent or quarantined.",
                    {**PATH, "description": "A forbidden entrypoint file."},
                ),
                "allow_main_guards": _list(
                    "Globs where extra `if __name__ == '__main__'` guards are allowed.",
                    {**GLOB, "description": "A glob such as scripts/**."},
                ),
                "processes": {
                    "type": "object",
                    "description": "Secondary processes started beside the web process "
                    "(name -> {path, command}), each checked like the entrypoint.",
                    "propertyNames": {"pattern": "^[A-Za-z0-9_.-]+$"},
                    "additionalProperties": _obj("A secondary process, e.g. a worker.", {
                        "path": {**PATH, "description": "The file it starts, e.g. worker.py."},
                        "command": _str("Its start command, e.g. 'python worker.py'."),
                    }, required=("path",)),
                },
            },
            required=("path",),
        ),
        "env": _obj(
            "The environment contract.",
            {
                "required": _list(
                    "Variables production cannot start without.", _env_var("A required variable.")
                ),
                "optional": _list(
                    "Variables with a safe default.", _env_var("An optional variable.")
                ),
                "forbidden": _list(
                    "Variables that must appear nowhere (code or example file).",
                    _env_var("A forbidden variable."),
                ),
                "example_file": {**PATH, "description": "The example env file, e.g. .env.example."},
                "accessors": _list(
                    "Extra functions that read an env var by name, e.g. config.env.",
                    {"type": "string", "description": "A dotted function name."},
                ),
                "placeholders": _list(
                    "The project's own placeholder values, on top of the built-in list "
                    "(changeme, changethis, secret, xxx, <...>, ${...}, your-...-here): "
                    "case-insensitive fnmatch globs, e.g. 'dev-only-*'. A secret's example-file "
                    "value, or a URL password, that matches one is not a real secret.",
                    {"type": "string", "minLength": 1, "description": "A value or glob."},
                ),
            },
        ),
        "kb": _obj(
            "The knowledge base the next engineer relies on.",
            {
                "files": _list(
                    "Required knowledge-base files.",
                    _obj(
                        "A knowledge-base file.",
                        {
                            "path": {**PATH, "description": "The file, e.g. kb/architecture.md."},
                            "headings": _list(
                                "Markdown headings the file must contain.",
                                {"type": "string", "description": "A heading's text."},
                            ),
                        },
                        required=("path",),
                    ),
                ),
            },
        ),
        "legacy": _obj(
            "The quarantine of legacy code.",
            {
                "quarantine_dir": {
                    **PATH,
                    "description": "Where legacy code lives (never imported).",
                },
                "forbidden_modules": _list(
                    "Module globs the blessed path must never import.",
                    {"type": "string", "description": "e.g. legacy.*"},
                ),
            },
        ),
        "invariants": _list(
            "The promises `truthgate verify` checks.", {"$ref": "#/$defs/invariant"}
        ),
        "routes": _list(
            "The HTTP routes the product serves.",
            _obj(
                "A route.",
                {
                    "method": {
                        "type": "string",
                        "description": "HTTP method.",
                        "enum": ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
                    },
                    "path": _str("URL path, e.g. /health.", pattern="^/"),
                    "budget_ms": {
                        "type": "number",
                        "exclusiveMinimum": 0,
                        "description": "Latency budget in milliseconds.",
                    },
                    "name": _str("A short name modes and scenarios refer to."),
                    "unsafe": {"type": "boolean", "description": "The route writes or spends."},
                },
                required=("method", "path"),
            ),
        ),
        "modes": _list(
            "Operating modes (e.g. ACTIVE / PASSIVE).",
            _obj(
                "A mode.",
                {
                    "name": _str("Mode name.", minLength=1),
                    "allows": _list(
                        "Route names (or 'METHOD /path') served in this mode.",
                        {"type": "string", "description": "A route."},
                    ),
                    "refuses": _list(
                        "Route names refused in this mode.",
                        {"type": "string", "description": "A route."},
                    ),
                    "refusal_status": {
                        "type": "integer",
                        "minimum": 100,
                        "maximum": 599,
                        "description": "Status a refused operation answers with.",
                    },
                    "description": _str("What the mode is for."),
                },
                required=("name",),
            ),
        ),
        "smoke": {"$ref": "#/$defs/smoke"},
        "observability": _obj(
            "What the logs must not say.",
            {
                "forbidden_log_patterns": _list(
                    "Patterns checked by `truthgate logs`.",
                    _obj(
                        "A forbidden log pattern.",
                        {
                            "name": _str("Short name.", minLength=1),
                            "regex": _str("Python regular expression.", format="regex"),
                            "max": {
                                "type": "integer",
                                "minimum": 0,
                                "description": "Occurrences allowed (whole log or per window).",
                            },
                            "window_seconds": {
                                "type": "integer",
                                "minimum": 0,
                                "description": "Window for `max`; 0 means the whole log.",
                            },
                            "severity": SEVERITY,
                        },
                        required=("name", "regex"),
                    ),
                ),
                "error_loop_limit": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "The same error line repeated more than this is a finding.",
                },
            },
        ),
        "release": _obj(
            "The release captain's checklist.",
            {
                "checklist": _list(
                    "Steps run in order by `truthgate release`.",
                    _obj(
                        "A step.",
                        {
                            "name": _str("Step name.", minLength=1),
                            "run": _enum(("verify", "smoke", "logs", "dod", "command"),
                                         "What the step runs."),
                            "target": _str("Smoke target for a smoke step."),
                            "command": _str("Shell-free command line for a 'command' step."),
                            "timeout_seconds": {
                                "type": "number", "exclusiveMinimum": 0, "maximum": 86400,
                                "description": "A 'command' step still running after this "
                                "long is killed, with its child processes, and is red "
                                "(default 1800)."},
                            "source": _str(
                                "A 'logs' step's log file: relative to the repository root, "
                                "or absolute (a deploy log outside the repository); "
                                "`truthgate release --logs` overrides it.", minLength=1),
                            "source_command": _str(
                                "A 'logs' step's log: the output of a shell-free command run "
                                "in the repository root (kubectl logs ...); if it fails, the "
                                "step cannot run. `release --logs` overrides it.", minLength=1),
                            "optional": {"type": "boolean", "description": (
                                "When the step cannot run (a logs step with no log source), "
                                "skip it and say so in the tag message instead of failing "
                                "the release.")},
                        },
                        required=("name", "run"),
                    ),
                ),
                "definition_of_done": _obj(
                    "When the product counts as done.",
                    {
                        "consecutive_green_cycles": _int1(
                            "Green cycles needed in a row, counting every recorded verify, "
                            "smoke and logs run (the older form; see consecutive_green)."),
                        "consecutive_green": _int1(
                            "Green runs needed in a row: of the kind `of:` names, one per "
                            "`distinct:` thing, and a clean log window when logs are gated."),
                        "of": _enum(
                            ("smoke", "verify", "logs", "any"), "Which recorded runs are "
                            "evidence (default smoke; any = verify, smoke and logs). Release "
                            "runs never are."),
                        "distinct": _enum(
                            ("deployment", "commit", "cycle"), "What makes two green runs "
                            "two (default deployment): a repeat against the same deployment "
                            "(or commit) does not count again; cycle counts every run."),
                        "deployment_field": _str(
                            "The deployment's name in the health endpoint's JSON body: a "
                            "JMESPath expression, e.g. version (smoke --deployment-id wins).",
                            minLength=1),
                        "deployment_path": _str("Where to read deployment_field (default: "
                                                "the first health scenario's path).",
                                                pattern="^/"),
                        "criteria": _list(
                            "Human-checked criteria.",
                            {"type": "string", "description": "A criterion."},
                        ),
                    },
                ),
                "cycles_dir": {**PATH, "description": "Where cycle reports are recorded."},
            },
        ),
        **_scope_sections(),
    }


def _invariant_def() -> dict[str, Any]:
    kinds = installed().kinds
    base_props: dict[str, Any] = {
        "id": _str(
            "Unique id, used by --select/--ignore, suppressions and reports.",
            pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        ),
        "kind": {
            "type": "string",
            "enum": list(kinds.names()),
            "description": "The invariant kind (see kb/invariants.md).",
        },
        "severity": SEVERITY,
        "message": _str("What the promise is, in the team's words; shown with every finding."),
        "paths": _list(
            "Globs of files checked (default: the kind's own).", {**GLOB, "description": "A glob."}
        ),
        "exclude": _list("Globs excluded from this invariant.", {**GLOB, "description": "A glob."}),
    }
    branches = []
    for name, fragment in kinds.params_schemas():
        frag = dict(fragment)
        then: dict[str, Any] = {"properties": dict(frag.get("properties", {}))}
        if frag.get("required"):
            then["required"] = list(frag["required"])
        branches.append({"if": {"properties": {"kind": {"const": name}}}, "then": then})
    return {
        "type": "object",
        "description": "One invariant: an id, a kind, and the kind's own parameters.",
        "properties": base_props,
        "required": ["id", "kind"],
        "allOf": branches,
        "unevaluatedProperties": False,
    }


@functools.lru_cache(maxsize=1)
def contract_schema() -> dict[str, Any]:
    """The whole contract schema, assembled once per process."""
    schema: dict[str, Any] = _bounded({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "truthgate contract (product/truth.yaml)",
        "description": "A product's promises: entrypoint, env, kb, invariants, smoke, release.",
        "type": "object",
        "additionalProperties": False,
        "required": ["version", "product", "entrypoint", "invariants"],
        "properties": _sections(),
        "$defs": {"invariant": _invariant_def(), "smoke": installed().smoke.schema()},
    })
    return schema
