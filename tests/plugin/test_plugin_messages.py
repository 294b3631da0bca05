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
