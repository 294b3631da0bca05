"""The smoke half of the SARIF report: a rule per scenario, a result per red one.

A scenario is a promise written in the contract, checked against a running service; it has
no source line, so its result points at the contract file, at the line where the scenario
is declared (``ScenarioResult.line``). A result whose line is unknown (0: a hand-built
report, an old record) has no region, since SARIF forbids a region without a start line.

Kept apart from ``sarif.py`` so each module stays one concern; it does not import
``sarif.py`` (the contract location is passed in), so there is no import cycle.
"""

from __future__ import annotations

from typing import Any

from truthgate.model import Outcome, RunReport, ScenarioResult
from truthgate.reports.common import BAD, TOOL_NAME, scenario_problems

# Both a failed and an errored scenario fail the gate, so both are errors in SARIF too.
LEVEL = "error"
FINGERPRINT_KEY = "truthgate/v1"
# A scenario whose kind or check crashed: truthgate's own failure, not the service's.
INTERNAL = "internal"

# scenario id -> (rule id, rule index)
ScenarioRules = dict[str, tuple[str, int]]


def tags(*words: str) -> list[str]:
    """Rule tags without blanks or repeats: SARIF property-bag tags must be unique."""
    return [w for w in dict.fromkeys(words) if w]


def scenario_rules(report: RunReport, rules: list[dict[str, Any]]) -> ScenarioRules:
    """Append one rule per scenario id to ``rules``; return where each scenario's rule is.

    The rule id is the scenario id. In a report that also has invariants an id could
    already name an invariant's rule; that scenario's rule becomes ``smoke/<id>`` (then
    ``smoke/<id>#2`` ...) because a rule id must name one rule. A repeated scenario id
    shares the first one's rule.
    """
    taken = {str(r["id"]) for r in rules}
    out: ScenarioRules = {}
    for s in report.scenarios:
        if s.id in out:
            continue
        rule_id = s.id if s.id not in taken else f"smoke/{s.id}"
        n = 1
        while rule_id in taken:
            n += 1
            rule_id = f"smoke/{s.id}#{n}"
        taken.add(rule_id)
        out[s.id] = (rule_id, len(rules))
        rules.append(_rule(rule_id, s, report.context.contract_path))
    return out


def _rule(rule_id: str, s: ScenarioResult, contract: str) -> dict[str, Any]:
    title = s.name or s.id
    where = f" in {contract}" if contract else ""
    full = f"Smoke scenario {s.id} ({s.kind or 'steps'}){where}: {title}"
    help_text = (f"{full}\n\nThe scenario runs against the deployed service. Reproduce it "
                 f"with `truthgate smoke --scenario {s.id}`: the text report quotes the "
                 "request and response of the failing step. Fix the service, or the "
                 "contract if the promise changed.")
    return {
        "id": rule_id,
        "name": s.kind or "steps",
        "shortDescription": {"text": title},
        "fullDescription": {"text": full},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": LEVEL},
        "properties": {"tags": tags(TOOL_NAME, "smoke", s.kind)},
    }


def scenario_result(s: ScenarioResult, rules: ScenarioRules, contract: dict[str, Any] | None,
                    base_url: str) -> dict[str, Any] | None:
    """The SARIF result of a failed or errored scenario; None for any other outcome."""
    if s.outcome not in BAD:
        return None
    rule_id, index = rules[s.id]
    word = "failed" if s.outcome is Outcome.FAIL else "could not run"
    against = f" against {base_url}" if base_url else ""
    head = f"Smoke scenario {s.id} ({s.name or s.kind or 'steps'}) {word}{against}"
    # The same de-duplicated problem list every other format shows: texts the engine
    # already masked, step errors with their class.
    problems = scenario_problems(s)
    text = head + (":\n" + "\n".join(f"- {p}" for p in problems) if problems else ".")
    result: dict[str, Any] = {
        "ruleId": rule_id,
        "ruleIndex": index,
        "level": LEVEL,
        "message": {"text": text},
    }
    if contract is not None:
        result["locations"] = [_at_line(contract, s.line)]
    # One alert per scenario across runs: the message changes with latencies and bodies,
    # the scenario does not.
    result["partialFingerprints"] = {FINGERPRINT_KEY: f"smoke:{s.id}"}
    props: dict[str, Any] = {"outcome": s.outcome.value}
    if s.error_class:
        props["errorClass"] = s.error_class
    result["properties"] = props
    return result


def _at_line(contract: dict[str, Any], line: int) -> dict[str, Any]:
    """The contract location with a region at ``line`` (1-based); unchanged when 0."""
    if line <= 0:
        return contract
    physical = {**contract["physicalLocation"], "region": {"startLine": line}}
    return {**contract, "physicalLocation": physical}


def crashed(report: RunReport) -> bool:
    """Whether a scenario errored because truthgate itself broke (a kind or check crash)."""
    return any(s.outcome is Outcome.ERROR and s.error_class == INTERNAL
               for s in report.scenarios)


def notifications(report: RunReport, rules: ScenarioRules) -> list[dict[str, Any]]:
    """A tool notification per scenario truthgate could not judge because it crashed.

    Such a scenario is also a result (the gate failed); the notification is what tells a
    reader that the tool, not the service, needs fixing, like an errored invariant.
    """
    out = []
    for s in report.scenarios:
        if s.outcome is Outcome.ERROR and s.error_class == INTERNAL:
            rule_id, index = rules[s.id]
            out.append({
                "level": "error",
                "message": {"text": f"{s.id}: {s.error or 'the scenario could not run'}"},
                "associatedRule": {"id": rule_id, "index": index},
            })
    return out


def invocation_properties(report: RunReport) -> dict[str, Any]:
    """Every scenario's outcome, in run order, so passed and skipped ones stay visible."""
    if not report.scenarios:
        return {}
    listed = []
    for s in report.scenarios:
        entry = {"id": s.id, "outcome": s.outcome.value}
        if s.outcome in (Outcome.SKIPPED, Outcome.NOT_RUN) and s.skip_reason:
            entry["skipReason"] = s.skip_reason
        listed.append(entry)
    return {"scenarios": listed}
