"""Hypothesis strategies for arbitrary RunReports (any text, any outcome, any shape)."""

from __future__ import annotations

from hypothesis import strategies as st

from truthgate.model import (
    Exchange,
    Finding,
    InvariantResult,
    Location,
    Outcome,
    RunContext,
    RunReport,
    ScenarioResult,
    Severity,
    StepResult,
)

_text = st.text(max_size=12)
_floats = st.floats(allow_nan=False, allow_infinity=False, width=64)
_loc = st.builds(Location, path=_text, line=st.integers(0, 9), col=st.integers(0, 9),
                 end_line=st.integers(0, 9), end_col=st.integers(0, 9))
_finding = st.builds(Finding, invariant_id=_text, kind=_text, message=_text,
                     severity=st.sampled_from(list(Severity)), location=st.none() | _loc,
                     hint=_text, snippet=_text, fingerprint=_text)
_pairs = st.lists(st.tuples(_text, _text), max_size=2).map(tuple)
_exchange = st.builds(Exchange, method=_text, url=_text, request_headers=_pairs,
                      request_body=_text, status=st.none() | st.integers(100, 599),
                      response_headers=_pairs, response_body=_text,
                      elapsed_ms=st.none() | _floats)
_step = st.builds(StepResult, name=_text, outcome=st.sampled_from(list(Outcome)),
                  exchange=st.none() | _exchange,
                  failures=st.lists(_text, max_size=2).map(tuple), error=_text,
                  error_class=_text)
_scenario = st.builds(
    ScenarioResult, id=_text, name=_text, kind=_text, outcome=st.sampled_from(list(Outcome)),
    duration_ms=_floats, steps=st.lists(_step, max_size=2).map(tuple),
    failures=st.lists(_text, max_size=2).map(tuple), error=_text, error_class=_text,
    skip_reason=_text, latencies_ms=st.lists(_floats, max_size=3).map(tuple),
    metrics=st.lists(st.tuples(_text, _floats), max_size=2).map(tuple),
    counts_step_failures=st.booleans(), error_step=_text, line=st.integers(0, 10_000))
_invariant = st.builds(
    InvariantResult, id=_text, kind=_text, severity=st.sampled_from(list(Severity)),
    outcome=st.sampled_from(list(Outcome)), description=_text, why=_text,
    findings=st.lists(_finding, max_size=3).map(tuple), files_examined=st.integers(0, 99),
    error=_text, suppressed=st.integers(0, 3), baselined=st.integers(0, 3),
    duration_ms=_floats)
_context = st.builds(RunContext, command=_text, product=_text, git_dirty=st.booleans(),
                     flags=st.lists(_text, max_size=2).map(tuple))
reports = st.builds(RunReport, context=_context,
                    invariants=st.lists(_invariant, max_size=3).map(tuple),
                    scenarios=st.lists(_scenario, max_size=3).map(tuple),
                    notes=st.lists(_text, max_size=2).map(tuple),
                    skipped_files=st.lists(_finding, max_size=2).map(tuple))
