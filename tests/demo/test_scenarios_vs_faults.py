"""The example contract's smoke scenarios against the demo: green when healthy, and each
fault makes the scenario written for it FAIL (a broken promise, not an ERROR)."""

from __future__ import annotations

from pathlib import Path

import pytest

from truthgate.contract import Contract, load_contract
from truthgate.demo.faults import FAULTS
from truthgate.model import Outcome, ScenarioResult
from truthgate.smoke.runner import run_smoke

from .conftest import ServeFn

CONTRACT = Path(__file__).resolve().parents[2] / "examples" / "demo" / "product" / "truth.yaml"

# fault -> (scenario that must catch it, mode the service runs in, text in its failures)
CAUGHT_BY: dict[str, tuple[str, str, str]] = {
    "health_schema": ("S0", "ACTIVE", "'version' is a required property"),
    "slow": ("S3", "ACTIVE", "over the 500 ms budget"),
    "storage": ("S2", "ACTIVE", "db.reachable"),
    "modes": ("S4", "PASSIVE", "expected 503, got 200"),
    "idempotency": ("S6", "ACTIVE", "expected 1"),
    "crash": ("S7", "ACTIVE", "got 500"),
    "cold_start": ("S8", "ACTIVE", "not ready within"),
    "cors_wildcard": ("CORS", "ACTIVE", "is reflected"),
    "auth_open": ("AUTH", "ACTIVE", "got 200"),
    "no_rate_limit": ("RATE", "ACTIVE", "were all served"),
    "no_security_headers": ("SECH", "ACTIVE", "expected present"),
    "error_leak": ("LEAK", "ACTIVE", "stack trace"),
}


@pytest.fixture(scope="module")
def contract() -> Contract:
    return load_contract(CONTRACT)


def _run(contract: Contract, url: str, token: str, ids: tuple[str, ...] = ()
         ) -> dict[str, ScenarioResult]:
    report = run_smoke(contract, base_url=url, allow_unsafe=True, scenario_ids=ids,
                       environ={"DEMO_ADMIN_TOKEN": token})
    return {s.id: s for s in report.scenarios}


def _only_latency(result: ScenarioResult) -> bool:
    return result.outcome is Outcome.FAIL and all("budget" in f for f in result.all_failures())


def _run_healthy(contract: Contract, url: str, token: str,
                 ids: tuple[str, ...] = ()) -> dict[str, ScenarioResult]:
    """Run, re-running scenarios whose only failures are latency budgets (at most twice).

    A loaded CI machine can stall any request for a second; the faults the budgets exist
    for sleep 1.5 s and always fail, so a retry cannot hide one.
    """
    results = _run(contract, url, token, ids)
    for _ in range(2):
        again = tuple(i for i, r in results.items() if _only_latency(r))
        if not again:
            break
        results.update(_run(contract, url, token, again))
    return results


def test_every_fault_is_covered_by_a_scenario(contract: Contract) -> None:
    assert set(CAUGHT_BY) == set(FAULTS)
    ids = {s.id for s in contract.smoke.scenarios}
    assert {sid for sid, _, _ in CAUGHT_BY.values()} <= ids


def test_healthy_active_service_passes_every_scenario(
    contract: Contract, serve: ServeFn, admin_token: str
) -> None:
    with serve() as url:
        results = _run_healthy(contract, url, admin_token)
    assert set(results) == {s.id for s in contract.smoke.scenarios}
    s4 = results.pop("S4")  # the PASSIVE scenario: its mode probe skips it on ACTIVE
    assert s4.outcome is Outcome.SKIPPED and "ACTIVE" in s4.skip_reason
    bad = {i: (r.outcome.value, r.all_failures(), r.error) for i, r in results.items()
           if r.outcome is not Outcome.PASS}
    assert not bad


def test_healthy_passive_service_passes_the_passive_scenario(
    contract: Contract, serve: ServeFn, admin_token: str
) -> None:
    with serve(mode="PASSIVE") as url:
        results = _run_healthy(contract, url, admin_token, ("S4", "S5"))
    assert results["S4"].outcome is Outcome.PASS, results["S4"].all_failures()
    assert results["S5"].outcome is Outcome.SKIPPED


@pytest.mark.parametrize("fault", sorted(CAUGHT_BY))
def test_fault_fails_its_scenario(
    fault: str, contract: Contract, serve: ServeFn, admin_token: str
) -> None:
    scenario, mode, expected = CAUGHT_BY[fault]
    with serve([fault], mode=mode) as url:
        result = _run(contract, url, admin_token, (scenario,))[scenario]
    assert result.outcome is Outcome.FAIL, (result.outcome, result.error_class, result.error)
    assert not result.error_class
    assert any(expected in f for f in result.all_failures()), result.all_failures()


def test_no_secret_in_any_report(contract: Contract, serve: ServeFn, admin_token: str) -> None:
    with serve(["auth_open"]) as url:
        report = run_smoke(contract, base_url=url, allow_unsafe=True,
                           scenario_ids=("ADMIN", "AUTH"),
                           environ={"DEMO_ADMIN_TOKEN": admin_token})
    assert admin_token not in repr(report)
