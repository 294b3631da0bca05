"""Hand-built reports for the ledger, diff, DoD and HTML tests."""

from __future__ import annotations

from truthgate.model import (
    Finding,
    InvariantResult,
    Outcome,
    RunContext,
    RunReport,
    ScenarioResult,
    Severity,
)


def inv(inv_id: str, outcome: Outcome = Outcome.PASS, findings: int = 0) -> InvariantResult:
    found = tuple(Finding(invariant_id=inv_id, kind="pattern", message=f"finding {i}")
                  for i in range(findings))
    return InvariantResult(id=inv_id, kind="pattern", severity=Severity.ERROR, outcome=outcome,
                           findings=found)


def scen(scen_id: str, outcome: Outcome = Outcome.PASS,
         latencies: tuple[float, ...] = (10.0,)) -> ScenarioResult:
    return ScenarioResult(id=scen_id, name=f"scenario {scen_id}", kind="health",
                          outcome=outcome, latencies_ms=latencies)


def report(command: str = "verify", *, invariants: tuple[InvariantResult, ...] = (),
           scenarios: tuple[ScenarioResult, ...] = (), product: str = "shop",
           notes: tuple[str, ...] = ()) -> RunReport:
    ctx = RunContext(command=command, product=product, truthgate_version="0.1.0",
                     started_at="2025-03-14T09:00:00Z", git_commit="ab" * 20,
                     git_branch="main")
    return RunReport(context=ctx, invariants=invariants, scenarios=scenarios, notes=notes)


def green(command: str = "verify") -> RunReport:
    return report(command, invariants=(inv("a"), inv("b")))


def red(command: str = "verify") -> RunReport:
    return report(command, invariants=(inv("a"), inv("b", Outcome.FAIL, findings=2)))
