"""The plugin's failure message for a red scenario: each problem once, where it happened."""

from __future__ import annotations

import pytest

from truthgate.model import Outcome, ScenarioResult, StepResult
from truthgate.pytest_plugin import TruthFailure, _judge_scenario


def test_scenario_message_shows_step_failures_under_their_step_once() -> None:
    s = ScenarioResult(
        "S4", "ordering twice is safe", "idempotency", Outcome.FAIL,
        steps=(StepResult("POST #1", Outcome.PASS),
               StepResult("POST #2", Outcome.FAIL, failures=("status: expected 201, got 500",))),
        failures=("a second order was created",))
    with pytest.raises(TruthFailure) as caught:
        _judge_scenario(s)
    assert str(caught.value).splitlines() == [
        "S4 (ordering twice is safe) failed:",
        "  a second order was created",
        "  step 'POST #2': fail",
        "    status: expected 201, got 500",
    ]


def _message(s: ScenarioResult) -> list[str]:
    with pytest.raises(TruthFailure) as caught:
        _judge_scenario(s)
    return str(caught.value).splitlines()


def test_an_errored_step_is_shown_once_under_that_step() -> None:
    # ``error`` is the engine's copy of the step's error for readers of ``error`` alone;
    # here it is worded differently, and still not shown again: error_step says whose it is.
    s = ScenarioResult(
        "S2", "orders answer", "steps", Outcome.ERROR,
        steps=(StepResult("GET /orders", Outcome.ERROR, error="svc refused (***)",
                          error_class="connect-refused"),),
        error="GET /orders: svc refused the connection", error_class="connect-refused",
        error_step="GET /orders", counts_step_failures=False)
    assert _message(s) == [
        "S2 (orders answer) errored:",
        "  step 'GET /orders': error",
        "    connect-refused: svc refused (***)",
    ]


def test_an_error_of_no_step_is_the_scenarios_own() -> None:
    # No error_step: the error is the scenario's, even when its text reads like a step's.
    s = ScenarioResult(
        "S7", "nothing crashes", "no_crash", Outcome.ERROR,
        steps=(StepResult("GET /", Outcome.ERROR, error="boom", error_class="reset"),),
        error="GET /: boom", error_class="reset", counts_step_failures=False)
    assert _message(s) == [
        "S7 (nothing crashes) errored:",
        "  reset: GET /: boom",
        "  step 'GET /': error",
        "    reset: boom",
    ]
