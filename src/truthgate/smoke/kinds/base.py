"""The shape of a scenario kind: params in, a plan of steps plus a check over their runs out.

A kind never opens a socket. ``expand`` turns the kind's params into a :class:`Plan`:
ordinary :class:`~truthgate.smoke.model.Step` objects the runner executes in order (with
the usual templating, expectations, masking and caps), and a ``check`` that looks at the
resulting :class:`StepRun` records and returns a :class:`Verdict`. That keeps every
network concern (timeouts, redirects, body caps, error classification) in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from truthgate.smoke.model import Step

if TYPE_CHECKING:
    from truthgate.contract.model import Contract
    from truthgate.smoke.model import Scenario

MISSING: Any = object()
"""The JSON of a run whose body is not JSON."""


@dataclass(frozen=True)
class StepRun:
    """What one executed step produced, as a kind's check sees it (secrets not yet masked).

    ``failures`` are the step's own unmet expectations; ``error_class`` is set when no
    usable response came back (``connect-refused``, ``timeout``, ...).
    """

    name: str
    status: int | None = None
    headers: tuple[tuple[str, str], ...] = ()
    body: str = ""
    json: Any = MISSING
    elapsed_ms: float | None = None
    failures: tuple[str, ...] = ()
    error_class: str = ""
    error: str = ""
    attempts: int = 1
    total_ms: float | None = None  # first attempt to last answer (polled steps)
    leaks_secret: bool = False  # a known secret value occurs in the response

    def header(self, name: str) -> str | None:
        """The first response header called ``name`` (case-insensitive), or None."""
        low = name.lower()
        return next((v for k, v in self.headers if k.lower() == low), None)

    @property
    def ok(self) -> bool:
        """A response came back and met its expectations."""
        return not self.error_class and not self.failures


@dataclass(frozen=True)
class Verdict:
    """A kind's judgement: failures (empty: pass), metrics, or a reason to skip.

    ``precondition``: what the scenario needed and did not find, ``"<name>: <what was
    seen>"`` (``"health: the mode probe answered 503"``): the scenario is ``not_run``
    rather than failing for another scenario's reason.
    """

    failures: tuple[str, ...] = ()
    metrics: tuple[tuple[str, float], ...] = ()
    skip_reason: str = ""
    precondition: str = ""


PASS = Verdict()

Check = Callable[[tuple[StepRun, ...]], Verdict]


@dataclass(frozen=True)
class Plan:
    """Steps to run in order and the check over their runs.

    ``tolerate_errors``: transport errors are data for the check (cold start, where
    "refused" means "not up yet") instead of ending the scenario as ERROR.
    ``stop_when``: stop sending further steps once a run satisfies it (a burst that got its
    429, a probe that showed the wrong mode). ``stop_on_failure``: a step that misses its
    expectations ends the scenario (plain steps, where later steps build on earlier ones).
    ``step_failures_count``: with ``tolerate_errors``, the steps' own unmet expectations
    still count toward the verdict (a battery where every case runs: no_crash); the check
    then judges only the errored runs.
    """

    steps: tuple[Step, ...]
    check: Check | None = None
    tolerate_errors: bool = False
    stop_when: Callable[[StepRun], bool] | None = None
    stop_on_failure: bool = False
    step_failures_count: bool = False


@dataclass(frozen=True)
class KindContext:
    """What ``expand`` may look at besides its params."""

    contract: Contract | None
    scenario: Scenario


@dataclass(frozen=True)
class ScenarioKind:
    """One scenario kind, registered by name in :mod:`truthgate.smoke.kinds`.

    ``params_schema`` is the closed JSON Schema of the scenario's ``params:`` block;
    ``parse_params`` turns the validated mapping into the kind's frozen Params dataclass;
    ``expand`` turns Params into a :class:`Plan`. ``example`` is a YAML snippet for docs;
    ``exclusive`` kinds run one at a time after the others.
    """

    name: str
    summary: str
    params_schema: Mapping[str, Any]
    parse_params: Callable[[Mapping[str, Any]], Any]
    expand: Callable[[Any, KindContext], Plan]
    example: str = ""
    # Runs alone, after the concurrent scenarios: its traffic would disturb others (a
    # burst that trips the rate limit) or others' traffic would disturb it (a counter).
    exclusive: bool = False
