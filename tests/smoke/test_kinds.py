"""Every scenario kind passes on the healthy service and FAILS (not errors) on its fault."""

from __future__ import annotations

import textwrap

import pytest

from truthgate.contract.model import Mode
from truthgate.model import Outcome, ScenarioResult
from truthgate.smoke.kinds import KINDS
from truthgate.smoke.runner import run_smoke

from .conftest import make_contract
from .service import ADMIN_TOKEN, State

# kind -> (fault switch, scenario YAML); each runs alone against a fresh service. Latency
# kinds get budgets far from both the healthy answer and the faulty one (a 2.5 s sleep), so
# a busy machine cannot flip the verdict.
CASES: dict[str, tuple[str, str]] = {
    "health": ("health", """
      kind: health
      params:
        path: /health
        budget_ms: 2000
        json_schema: {type: object, required: [status], properties: {status: {type: string}}}
    """),
    "responsive": ("slow", """
      kind: responsive
      params: {request: {path: /health}, budget_ms: 2000, repeat: 2}
    """),
    "storage": ("storage", """
      kind: storage
      params:
        checks: [{query: db.reachable, equals: true}, {query: db.migrations_pending, equals: 0}]
    """),
    "fast_ack": ("fast_ack", """
      kind: fast_ack
      unsafe: true
      params: {request: {path: /webhook, json: {update_id: "${uuid}"}}, budget_ms: 2000}
    """),
    "modes": ("modes", """
      kind: modes
      params:
        mode: PASSIVE
        probe: {path: /health, query: mode}
        safe: [{path: /health}]
        unsafe: [{method: POST, path: /generate, json: {prompt: x}}]
    """),
    "idempotency": ("idempotency", """
      kind: idempotency
      unsafe: true
      params:
        request: {path: /webhook, json: {update_id: "${uuid}"}}
        repeat: 3
        counter: {request: {path: /stats}, query: processed}
    """),
    "no_crash": ("no_crash", """
      kind: no_crash
      unsafe: true
      params:
        request: {path: /webhook}
        sample: {update_id: 1, text: hi}
        oversized_bytes: 200000
        nesting_depth: 50000
    """),
    "cold_start": ("cold_start", """
      kind: cold_start
      params: {path: /health, budget_s: 10, interval_ms: 50}
    """),
    "cors": ("cors", """
      kind: cors
      params: {path: /health, allowed_origin: "https://app.example.com"}
    """),
    "auth_required": ("auth_required", """
      kind: auth_required
      params: {requests: [{path: /admin}]}
    """),
    "rate_limit": ("rate_limit", """
      kind: rate_limit
      params: {request: {path: /limited}, burst: 8, retry_after: true}
    """),
    "security_headers": ("security_headers", """
      kind: security_headers
      params: {path: /health, equals: {X-Content-Type-Options: nosniff}}
    """),
    "error_leak": ("error_leak", """
      kind: error_leak
      params: {requests: [{path: /missing}]}
    """),
}

MODES = (Mode(name="PASSIVE", refuses=("POST /generate",), refusal_status=503),
         Mode(name="ACTIVE", allows=("POST /generate",)))


def _run(yaml_body: str, base_url: str) -> ScenarioResult:
    body = textwrap.indent(textwrap.dedent(yaml_body).strip(), "    ")
    text = "scenarios:\n  - id: K\n" + body
    contract = make_contract(text, modes=MODES, secrets=("ADMIN_TOKEN",))
    report = run_smoke(contract, base_url=base_url, allow_unsafe=True,
                       environ={"ADMIN_TOKEN": ADMIN_TOKEN})
    return report.scenarios[0]


def test_every_registered_kind_has_a_case() -> None:
    assert set(CASES) == set(KINDS)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_kind_passes_on_healthy_service(kind: str, service: tuple[str, State]) -> None:
    url, _ = service
    res = _run(CASES[kind][1], url)
    assert res.outcome is Outcome.PASS, (res.all_failures(), res.error)


@pytest.mark.parametrize("kind", sorted(CASES))
def test_kind_fails_on_its_fault(kind: str, service: tuple[str, State]) -> None:
    url, state = service
    state.faults.add(CASES[kind][0])
    # A service that never gets ready would make cold_start wait its whole budget.
    res = _run(CASES[kind][1].replace("budget_s: 10", "budget_s: 0.5"), url)
    assert res.outcome is Outcome.FAIL, (res.error_class, res.error)
    assert res.all_failures()
