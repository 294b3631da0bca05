"""Validated raw YAML data -> frozen ``Contract`` dataclasses (the edge of the core)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from truthgate.contract.model import (
    PRODUCTION_EXCLUDE,
    Contract,
    DefinitionOfDone,
    Entrypoint,
    Env,
    EnvVar,
    InvariantSpec,
    Kb,
    KbFile,
    Legacy,
    LogPattern,
    Mode,
    Observability,
    Process,
    Product,
    Production,
    Release,
    ReleaseStep,
    Route,
    VerifySettings,
)
from truthgate.contract.problems import ContractProblem, KeyPath
from truthgate.contract.sections import installed
from truthgate.contract.yamlload import LoadedYaml
from truthgate.model import Severity

_BASE_INVARIANT_KEYS = frozenset({"id", "kind", "severity", "message", "paths", "exclude"})


def _t(values: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in (values or ()))


def _env_vars(raw: Any) -> tuple[EnvVar, ...]:
    return tuple(
        EnvVar(
            name=v["name"],
            secret=bool(v.get("secret", False)),
            description=v.get("description", ""),
        )
        for v in raw or ()
    )


def _problem_at(loaded: LoadedYaml, path: KeyPath, message: str, help: str = "") -> ContractProblem:
    m = loaded.marks.get(path)
    return ContractProblem(
        message=message,
        path=path,
        help=help,
        line=m.line if m else 0,
        col=m.col if m else 0,
        end_line=m.end_line if m else 0,
        end_col=m.end_col if m else 0,
    )


def _invariants(
    loaded: LoadedYaml,
    raw: list[Mapping[str, Any]],
    problems: list[ContractProblem],
    *,
    known_valid: bool,
) -> tuple[InvariantSpec, ...]:
    seen: dict[str, int] = {}
    out = []
    for i, inv in enumerate(raw):
        inv_id = inv["id"]
        if inv_id in seen:
            problems.append(
                _problem_at(
                    loaded,
                    ("invariants", i, "id"),
                    f"duplicate invariant id '{inv_id}' (first used by invariants[{seen[inv_id]}])",
                    help="ids name invariants in reports, suppressions and --select; keep them unique",
                )
            )
            continue
        seen[inv_id] = i
        own = {k: v for k, v in inv.items() if k not in _BASE_INVARIANT_KEYS}
        if known_valid:
            params = None
        else:
            try:
                params = _typed_params(inv["kind"], own)
            except LookupError:
                problems.append(
                    _problem_at(
                        loaded,
                        ("invariants", i, "kind"),
                        f"invariant kind '{inv['kind']}' is not available",
                    )
                )
                continue
            except (ValueError, TypeError) as exc:
                problems.append(_problem_at(loaded, ("invariants", i), f"{inv['kind']}: {exc}"))
                continue
        mark = loaded.marks.get(("invariants", i))
        out.append(
            InvariantSpec(
                id=inv_id,
                kind=inv["kind"],
                severity=Severity(inv.get("severity", "error")),
                message=inv.get("message", ""),
                paths=_t(inv.get("paths")),
                exclude=_t(inv.get("exclude")),
                params=params,
                line=mark.line if mark else 0,
                raw_params=own,
            )
        )
    return tuple(out)


def _typed_params(kind_name: str, own: Mapping[str, Any]) -> Any:
    """The kind's Params for ``own``; LookupError when the kind is not available."""
    return installed().kinds.parse_params(kind_name, own)


def _definition_of_done(d: Mapping[str, Any], loaded: LoadedYaml,
                        problems: list[ContractProblem]) -> DefinitionOfDone:
    """``release.definition_of_done`` in either form (see ``DefinitionOfDone``)."""
    dod = d.get("release", {}).get("definition_of_done", {})
    at = ("release", "definition_of_done")
    new_form = "consecutive_green" in dod
    if new_form and "consecutive_green_cycles" in dod:
        problems.append(_problem_at(
            loaded, (*at, "consecutive_green_cycles"),
            "give consecutive_green or consecutive_green_cycles, not both",
            help="consecutive_green (with of: and distinct:) is the newer form"))
    if not new_form and any(k in dod for k in ("of", "distinct")):
        problems.append(_problem_at(
            loaded, at, "of: and distinct: go with consecutive_green: N",
            help="consecutive_green_cycles counts every recorded run; "
                 "write consecutive_green: N to say which runs count"))
    of = dod.get("of", "smoke" if new_form else "any")
    distinct = dod.get("distinct", "deployment" if new_form else "cycle")
    scenarios = d.get("smoke", {}).get("scenarios", ())
    if of == "smoke" and not scenarios:
        problems.append(_problem_at(
            loaded, (*at, "of") if "of" in dod else at,
            "the definition of done counts smoke cycles, but the contract declares no "
            "smoke scenarios", help="declare smoke.scenarios, or say of: verify"))
    if distinct == "deployment" and of not in ("smoke",):
        problems.append(_problem_at(
            loaded, (*at, "distinct"),
            f"distinct: deployment needs of: smoke (a {of} run does not talk to a deployment)",
            help="use distinct: commit or distinct: cycle"))
    return DefinitionOfDone(
        consecutive_green_cycles=dod.get("consecutive_green", dod.get(
            "consecutive_green_cycles", 1)),
        criteria=_t(dod.get("criteria")),
        of=of, distinct=distinct,
        deployment_field=dod.get("deployment_field", ""),
        deployment_path=dod.get("deployment_path", ""),
    )


def build_contract(
    loaded: LoadedYaml, *, root: Path, source: Path, sha256: str, known_valid: bool = False
) -> tuple[Contract | None, list[ContractProblem]]:
    """Type a schema-valid document; semantic problems (duplicate ids, ...) are returned.

    ``known_valid``: this exact text was built without a problem by this same code before
    (see validcache), so invariant params are left for the verify runner to type.
    """
    d: dict[str, Any] = loaded.data
    problems: list[ContractProblem] = []
    product = d["product"]
    ep = d["entrypoint"]
    env = d.get("env", {})
    legacy = d.get("legacy", {})
    obs = d.get("observability", {})
    rel = d.get("release", {})
    ver = d.get("verify", {})
    prod = d.get("production", {})
    entrypoint = Entrypoint(
        path=ep["path"], command=ep.get("command", ""), forbidden=_t(ep.get("forbidden"))
    )
    if "allow_main_guards" in ep:
        entrypoint = replace(entrypoint, allow_main_guards=_t(ep["allow_main_guards"]))
    if ep.get("processes"):
        entrypoint = replace(entrypoint, processes=tuple(
            Process(name=str(n), path=str(p["path"]), command=str(p.get("command", "")))
            for n, p in ep["processes"].items()))
    smoke = None
    seen_ids: dict[str, int] = {}
    for i, sc in enumerate(d.get("smoke", {}).get("scenarios", ())):
        sid = sc.get("id")
        if sid in seen_ids:
            problems.append(
                _problem_at(
                    loaded,
                    ("smoke", "scenarios", i, "id"),
                    f"duplicate scenario id '{sid}' (first used by smoke.scenarios[{seen_ids[sid]}])",
                    help="--scenario, reports and cycle diffs name scenarios by id; keep them unique",
                )
            )
        else:
            seen_ids[sid] = i
    if "smoke" in d and not problems:
        # Each scenario's line, as for invariants: where its entry's mapping starts.
        lines = [m.line if (m := loaded.marks.get(("smoke", "scenarios", i))) else 0
                 for i in range(len(d["smoke"].get("scenarios", ())))]
        try:
            smoke = installed().smoke.parse(d["smoke"], lines)
        except (ValueError, TypeError) as exc:
            problems.append(_problem_at(loaded, ("smoke",), f"smoke: {exc}"))
    contract = Contract(
        version=d["version"],
        product=Product(
            name=product["name"],
            version=product.get("version", ""),
            owners=_t(product.get("owners")),
            description=product.get("description", ""),
        ),
        entrypoint=entrypoint,
        env=Env(
            required=_env_vars(env.get("required")),
            optional=_env_vars(env.get("optional")),
            forbidden=_env_vars(env.get("forbidden")),
            example_file=env.get("example_file", ""),
            accessors=_t(env.get("accessors")),
            placeholders=_t(env.get("placeholders")),
        ),
        kb=Kb(
            files=tuple(
                KbFile(path=f["path"], headings=_t(f.get("headings")))
                for f in d.get("kb", {}).get("files", ())
            )
        ),
        legacy=Legacy(
            quarantine_dir=legacy.get("quarantine_dir", "quarantine"),
            forbidden_modules=_t(legacy.get("forbidden_modules")),
        ),
        invariants=_invariants(
            loaded, d.get("invariants", []), problems, known_valid=known_valid
        ),
        routes=tuple(
            Route(
                method=r["method"],
                path=r["path"],
                budget_ms=r.get("budget_ms"),
                name=r.get("name", ""),
                unsafe=bool(r.get("unsafe", False)),
            )
            for r in d.get("routes", ())
        ),
        modes=tuple(
            Mode(
                name=m["name"],
                allows=_t(m.get("allows")),
                refuses=_t(m.get("refuses")),
                refusal_status=m.get("refusal_status", 503),
                description=m.get("description", ""),
            )
            for m in d.get("modes", ())
        ),
        smoke=smoke,
        observability=Observability(
            forbidden_log_patterns=tuple(
                LogPattern(
                    name=p["name"],
                    regex=p["regex"],
                    max=p.get("max", 0),
                    window_seconds=p.get("window_seconds", 0),
                    severity=Severity(p.get("severity", "error")),
                )
                for p in obs.get("forbidden_log_patterns", ())
            ),
            error_loop_limit=obs.get("error_loop_limit", 0),
        ),
        release=Release(
            checklist=tuple(
                ReleaseStep(
                    name=s["name"],
                    run=s["run"],
                    target=s.get("target", ""),
                    command=s.get("command", ""),
                    source=s.get("source", ""),
                    source_command=s.get("source_command", ""),
                    optional=bool(s.get("optional", False)),
                    timeout_seconds=float(s.get("timeout_seconds", 1800)),
                )
                for s in rel.get("checklist", ())
            ),
            definition_of_done=_definition_of_done(d, loaded, problems),
            cycles_dir=rel.get("cycles_dir", "reports/cycles"),
        ),
        verify=VerifySettings(
            exclude=_t(ver.get("exclude")),
            cache=bool(ver.get("cache", True)),
            accept_unexamined=tuple(
                (str(a["glob"]), str(a["reason"])) for a in ver.get("accept_unexamined", ())
            ),
            python=str(ver.get("python", "")),
            source_roots=_t(ver.get("source_roots")),
        ),
        production=Production(
            paths=_t(prod.get("paths")),
            exclude=_t(prod["exclude"]) if "exclude" in prod else PRODUCTION_EXCLUDE,
        ),
        source=source,
        root=root,
        sha256=sha256,
    )
    return (None if problems else contract), problems
