"""SARIF 2.1.0 for verify and logs findings and red smoke scenarios, for code scanning.

One run; one rule per invariant (so code scanning shows the invariant's description, why
it matters and how to fix it); one result per finding. Invariants that could not run are
tool execution notifications and mark the invocation unsuccessful, so an upload never
turns a broken check into a silent "no alerts". A logs run is shaped like a verify run
(one invariant per forbidden pattern, one finding per quoted line) and needs nothing more.

Smoke scenarios get one rule each (every scenario, so a passing one is still listed by id)
and one result per scenario that failed or errored, located at the contract that declares
it: a scenario's promise lives in ``product/truth.yaml``, not in a source line. Passed and
skipped scenarios are no results (a SARIF result is a problem); their outcomes are listed
in ``invocations[0].properties.scenarios`` so a reader of the file can tell "passed" from
"not run". See ``_sarif_smoke.py``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from truthgate.model import Finding, InvariantResult, Location, Outcome, RunReport, Severity
from truthgate.reports import _sarif_smoke as smoke_part
from truthgate.reports._sarif_smoke import FINGERPRINT_KEY, ScenarioRules, tags
from truthgate.reports.common import TOOL_NAME, repo_path, tool_version

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/truthgate/"
SRCROOT = "%SRCROOT%"

# Commands whose SARIF names its own code scanning category (see to_sarif).
AUTOMATION_COMMANDS = ("smoke", "logs")

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render(report: RunReport) -> str:
    """The SARIF log as indented JSON with a trailing newline."""
    return json.dumps(to_sarif(report), indent=2, ensure_ascii=False) + "\n"


def to_sarif(report: RunReport) -> dict[str, Any]:
    """The SARIF log object for ``report``."""
    rules, index = _rules(report)
    smoke = smoke_part.scenario_rules(report, rules)
    results = [_result(f, index, report) for f in report.findings]
    contract = _contract_location(report)
    results += [r for s in report.scenarios
                if (r := smoke_part.scenario_result(s, smoke, contract,
                                                    report.context.base_url))]
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": TOOL_NAME,
            "version": tool_version(report),
            "semanticVersion": tool_version(report),
            "informationUri": INFORMATION_URI,
            "rules": rules,
        }},
        "invocations": [_invocation(report, index, smoke)],
        "originalUriBaseIds": {SRCROOT: {
            "description": {"text": "The root of the repository that was verified."}}},
        "results": results,
    }
    command = report.context.command
    if command in AUTOMATION_COMMANDS:
        # Code scanning keeps one analysis per (tool, category) and a new upload replaces
        # the old one's alerts: without its own category, uploading the smoke SARIF after
        # the verify SARIF of the same commit would close every verify alert. verify keeps
        # no id so the category of existing verify uploads does not change.
        run["automationDetails"] = {"id": f"{TOOL_NAME}/{command}/"}
    props = _run_properties(report)
    if props:
        run["properties"] = props
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def _rules(report: RunReport) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One rule per invariant id, plus a bare rule for any finding whose id is unknown.

    Returns the rules and id -> index, because results and notifications refer to rules
    by index as well as id (GitHub resolves metadata faster and more reliably that way).
    """
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for inv in report.invariants:
        if inv.id not in index:
            index[inv.id] = len(rules)
            rules.append(_rule(inv))
    for f in report.findings:
        if f.invariant_id not in index:
            index[f.invariant_id] = len(rules)
            rules.append(_bare_rule(f))
    return rules, index


def _rule(inv: InvariantResult) -> dict[str, Any]:
    hint = next((f.hint for f in inv.findings if f.hint), "")
    full = inv.why or inv.description or inv.id
    help_text = full + (f"\n\nHow to fix: {hint}" if hint else "")
    return {
        "id": inv.id,
        "name": inv.kind,
        "shortDescription": {"text": inv.description or inv.id},
        "fullDescription": {"text": full},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": LEVELS[inv.severity]},
        "properties": {"tags": tags(TOOL_NAME, inv.kind)},
    }


def _bare_rule(f: Finding) -> dict[str, Any]:
    rule_id = f.invariant_id or f.kind or TOOL_NAME
    return {
        "id": rule_id,
        "name": f.kind or rule_id,
        "shortDescription": {"text": rule_id},
        "defaultConfiguration": {"level": LEVELS[f.severity]},
        "properties": {"tags": tags(TOOL_NAME, f.kind)},
    }


def _result(f: Finding, index: dict[str, int], report: RunReport) -> dict[str, Any]:
    text = f.message + (f"\nHow to fix: {f.hint}" if f.hint else "")
    result: dict[str, Any] = {
        "ruleId": f.invariant_id or f.kind or TOOL_NAME,
        "ruleIndex": index[f.invariant_id],
        "level": LEVELS[f.severity],
        "message": {"text": text or f.invariant_id},
    }
    # Code scanning rejects a result without a location; a finding about the repository
    # as a whole (a missing file, a vacuous invariant) points at the contract instead.
    if f.location is not None:
        result["locations"] = [location(f.location, f.snippet)]
    elif (contract := _contract_location(report)) is not None:
        result["locations"] = [contract]
    if f.related:
        result["relatedLocations"] = [
            {"id": i, **location(r.location, ""), "message": {"text": r.message or "related"}}
            for i, r in enumerate(f.related, start=1)]
    if f.fingerprint:
        result["partialFingerprints"] = {FINGERPRINT_KEY: f.fingerprint}
    return result


def artifact_uri(path: str) -> tuple[str, bool]:
    """A URI reference for a repository path and whether it is relative to ``%SRCROOT%``.

    Paths are posix and percent-encoded (spaces, ``#``, ``%`` and non-ASCII would
    otherwise make an invalid URI); absolute paths become ``file://`` URIs.
    """
    posix = repo_path(path)
    if posix.startswith("/"):
        return "file://" + quote(posix), False
    return quote(posix), True


def _contract_location(report: RunReport) -> dict[str, Any] | None:
    """The contract file as a location (no region), or None when the run names none."""
    path = report.context.contract_path
    return location(Location(path), "") if path else None


def location(loc: Location, snippet: str) -> dict[str, Any]:
    """A SARIF location for ``loc``; a region only when the line is known."""
    uri, relative = artifact_uri(loc.path)
    artifact: dict[str, Any] = {"uri": uri}
    if relative:
        artifact["uriBaseId"] = SRCROOT
    physical: dict[str, Any] = {"artifactLocation": artifact}
    # A region needs a start line; fields that are 0 mean "unknown" and are omitted
    # rather than sent as 0, which SARIF forbids (lines and columns are 1-based).
    if loc.line > 0:
        region: dict[str, Any] = {"startLine": loc.line}
        if loc.col > 0:
            region["startColumn"] = loc.col
        if loc.end_line >= loc.line:
            region["endLine"] = loc.end_line
        if loc.end_col > 0 and (loc.end_line > loc.line or loc.end_col > loc.col):
            region["endColumn"] = loc.end_col
        if snippet:
            region["snippet"] = {"text": snippet}
        physical["region"] = region
    return {"physicalLocation": physical}


def _invocation(report: RunReport, index: dict[str, int],
                smoke: ScenarioRules) -> dict[str, Any]:
    notes: list[dict[str, Any]] = []
    for inv in report.invariants:
        if inv.outcome is Outcome.ERROR:
            notes.append({
                "level": "error",
                "message": {"text": f"{inv.id}: {inv.error or 'the invariant could not run'}"},
                "associatedRule": {"id": inv.id, "index": index[inv.id]},
            })
    for skip in report.skipped_files:
        note: dict[str, Any] = {"level": "warning",
                                "message": {"text": f"skipped: {skip.message}"}}
        if skip.location is not None:
            note["locations"] = [location(skip.location, "")]
        notes.append(note)
    notes += smoke_part.notifications(report, smoke)
    inv_obj: dict[str, Any] = {
        "executionSuccessful": not any(i.outcome is Outcome.ERROR for i in report.invariants)
        and not smoke_part.crashed(report),
    }
    if report.context.flags:
        inv_obj["arguments"] = list(report.context.flags)
    if report.context.started_at:
        inv_obj["startTimeUtc"] = report.context.started_at
    if report.context.finished_at:
        inv_obj["endTimeUtc"] = report.context.finished_at
    if notes:
        inv_obj["toolExecutionNotifications"] = notes
    props = smoke_part.invocation_properties(report)
    if props:
        inv_obj["properties"] = props
    return inv_obj


def _run_properties(report: RunReport) -> dict[str, Any]:
    """Context a reader of the SARIF needs to reproduce the run (empty values left out)."""
    ctx = report.context
    props: dict[str, Any] = {
        "product": ctx.product,
        "productVersion": ctx.product_version,
        "contractPath": ctx.contract_path,
        "contractHash": ctx.contract_hash,
        "gitCommit": ctx.git_commit,
        "gitBranch": ctx.git_branch,
    }
    props = {k: v for k, v in props.items() if v}
    if ctx.git_dirty:
        props["gitDirty"] = True
    suppressed = sum(i.suppressed for i in report.invariants)
    baselined = sum(i.baselined for i in report.invariants)
    if suppressed:
        props["suppressed"] = suppressed
    if baselined:
        props["baselined"] = baselined
    if report.notes:
        props["notes"] = list(report.notes)
    return props
