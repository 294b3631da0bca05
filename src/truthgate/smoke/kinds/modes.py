"""``modes`` (S4/S5): what the service does in one of its declared modes.

In a mode that refuses unsafe operations (PASSIVE), safe requests answer fast and unsafe
ones get the mode's refusal status; in a mode that serves them (ACTIVE), the unsafe path
works end to end. Defaults come from the contract's ``modes:`` entry of the same name.
A ``probe`` reads the service's current mode first; a different mode skips the scenario
rather than failing it (a PASSIVE replica is not a broken ACTIVE one). Unsafe requests are
sent only once the probe has positively confirmed the mode (a 2xx answer whose mode field
names it): a probe that answers non-2xx, or without the field, ends the scenario as a
failure before any write, and ``unsafe`` requests need a ``probe`` (the schema says so).
Example::

    - id: S4
      kind: modes
      modes: [PASSIVE]
      params:
        mode: PASSIVE
        probe: {path: /health, query: mode}
        safe: [{path: /health}]
        unsafe: [{method: POST, path: /generate, json: {prompt: x}}]
        safe_budget_ms: 500
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from truthgate.smoke.jpath import MISS, search
from truthgate.smoke.kinds.base import (
    MISSING,
    PASS,
    KindContext,
    Plan,
    ScenarioKind,
    StepRun,
    Verdict,
)
from truthgate.smoke.model import ANY_2XX, Expect, Request, StatusMatch, Step
from truthgate.smoke.parse import parse_request, parse_status, request_label
from truthgate.smoke.schema import REQUEST, STATUS, s_list, s_num, s_obj, s_str, s_tpl

_PROBE = "mode probe"


@dataclass(frozen=True)
class ModesParams:
    """The mode under test, how to read the current mode, and the requests to try."""

    mode: str
    probe_path: str = ""
    probe_query: str = ""
    safe: tuple[Request, ...] = ()
    unsafe: tuple[Request, ...] = ()
    safe_budget_ms: float | None = None
    unsafe_expect: str = ""  # 'refused' | 'served'; '' = derived from the contract
    refusal_status: StatusMatch | None = None
    served_status: StatusMatch = ANY_2XX


SCHEMA: dict[str, Any] = {
    "properties": {
        "mode": s_str("Name of the mode under test, as declared in the contract's modes."),
        "probe": s_obj("Read the current mode from the service before testing.", {
            "path": s_tpl("Endpoint reporting the mode, e.g. '/health'."),
            "query": s_str("JMESPath to the mode name in its JSON body, e.g. 'mode'."),
        }, required=["path", "query"]),
        "safe": s_list("Safe requests: must answer 2xx (within safe_budget_ms).", REQUEST),
        "unsafe": s_list("Unsafe requests: refused or served depending on the mode.",
                         REQUEST),
        "safe_budget_ms": s_num("Latency budget of each safe request."),
        "unsafe_expect": s_str("'refused' or 'served'; default: refused when the contract's "
                               "mode refuses anything.", enum=["refused", "served"]),
        "refusal_status": STATUS,
        "served_status": STATUS,
    },
    "required": ["mode"],
    "anyOf": [{"required": ["safe"]}, {"required": ["unsafe"]}],
    # Writes depend on the mode: without a probe nothing could confirm it first.
    "dependentRequired": {"unsafe": ["probe"]},
}


def parse(raw: Mapping[str, Any]) -> ModesParams:
    """Validated ``params`` -> ModesParams."""
    probe = raw.get("probe") or {}
    return ModesParams(
        mode=str(raw["mode"]),
        probe_path=str(probe.get("path", "")),
        probe_query=str(probe.get("query", "")),
        safe=tuple(parse_request(r) for r in raw.get("safe", ())),
        unsafe=tuple(parse_request(r, method="POST") for r in raw.get("unsafe", ())),
        safe_budget_ms=raw.get("safe_budget_ms"),
        unsafe_expect=str(raw.get("unsafe_expect", "")),
        refusal_status=parse_status(raw.get("refusal_status")),
        served_status=parse_status(raw.get("served_status")) or ANY_2XX,
    )


def _contract_defaults(p: ModesParams, ctx: KindContext) -> tuple[str, StatusMatch]:
    """Fill 'refused'/'served' and the refusal status from the contract's mode entry."""
    declared = None
    if ctx.contract is not None:
        declared = next((m for m in ctx.contract.modes if m.name == p.mode), None)
    expect = p.unsafe_expect or ("refused" if declared is None or declared.refuses
                                 else "served")
    status = p.refusal_status or StatusMatch(
        codes=(declared.refusal_status if declared else 503,))
    return expect, status


def expand(p: ModesParams, ctx: KindContext) -> Plan:
    """[probe] + safe steps + unsafe steps; the probe's answer may turn the run into a skip."""
    unsafe_expect, refusal = _contract_defaults(p, ctx)
    steps: list[Step] = []
    if p.probe_path:
        steps.append(Step(name=_PROBE, request=Request(path=p.probe_path),
                          expect=Expect(status=ANY_2XX)))
    for r in p.safe:
        steps.append(Step(name=f"safe {request_label(r)}", request=r,
                          expect=Expect(status=ANY_2XX, max_ms=p.safe_budget_ms)))
    for r in p.unsafe:
        status = refusal if unsafe_expect == "refused" else p.served_status
        steps.append(Step(name=f"unsafe ({unsafe_expect}) {request_label(r)}", request=r,
                          expect=Expect(status=status)))

    def current_mode(run: StepRun) -> str | None:
        if run.name != _PROBE or run.json is MISSING:
            return None
        value = search(p.probe_query, run.json)
        if value is MISS:
            return None
        return None if value is None else str(value)

    def wrong_mode(run: StepRun) -> bool:
        mode = current_mode(run)
        return run.name == _PROBE and mode is not None and mode.upper() != p.mode.upper()

    def unconfirmed(run: StepRun) -> bool:
        """The probe ran and did not positively confirm the mode: send nothing more."""
        if run.name != _PROBE:
            return False
        mode = current_mode(run)
        return not run.ok or mode is None or mode.upper() != p.mode.upper()

    def check(runs: tuple[StepRun, ...]) -> Verdict:
        if runs and wrong_mode(runs[0]):
            return Verdict(skip_reason=f"the service is in mode {current_mode(runs[0])!r}, "
                                       f"not {p.mode!r}")
        not_sent = (f"; the {len(p.unsafe)} unsafe request(s) were not sent"
                    if p.unsafe else "")
        probe = runs[0] if runs and runs[0].name == _PROBE else None
        if probe is not None and probe.status is not None and not 200 <= probe.status < 300:
            # An unhealthy service is health's failure; this scenario cannot judge modes.
            return Verdict(precondition=f"health: the mode probe answered {probe.status}"
                                        f"{not_sent}")
        if probe is not None and current_mode(probe) is None:
            return Verdict(precondition=f"mode: the mode probe found no mode at "
                                        f"{p.probe_query!r}{not_sent}")
        if probe is not None and unconfirmed(probe):
            return Verdict(failures=(f"the mode probe did not confirm mode {p.mode!r}"
                                     f"{not_sent}",))
        return PASS

    return Plan(steps=tuple(steps), check=check, stop_when=unconfirmed)


KIND = ScenarioKind(
    name="modes",
    summary="In a mode, safe operations answer fast and unsafe ones are refused or served "
            "as the contract declares.",
    params_schema=SCHEMA, parse_params=parse, expand=expand,
    example="kind: modes\nparams: {mode: PASSIVE, safe: [{path: /health}],\n"
            "         unsafe: [{method: POST, path: /generate}]}",
)
