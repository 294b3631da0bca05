"""Result objects shared by every layer: stdlib only, frozen, renderer-friendly.

The engines (verify, smoke) return these; the CLI and the reporters only render them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(str, enum.Enum):
    """How much a finding matters; only ``error`` fails the gate by default."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Outcome(str, enum.Enum):
    """The verdict of one invariant or one scenario.

    ``fail`` means the product broke a promise; ``error`` means truthgate could not tell
    (a crashed check, an unreachable server); ``skipped`` means it was deliberately not run;
    ``not_run`` means a scenario's precondition (the mode it tests, a healthy service) was
    not met, so it could not judge its own promise (``skip_reason`` says which
    precondition); like ``skipped`` it is not red (a contract that wants it red turns it
    into ``fail``: ``smoke.defaults.unmet_precondition: fail``). Records written before
    ``not_run`` existed load unchanged.
    """

    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    SKIPPED = "skipped"
    NOT_RUN = "not_run"


@dataclass(frozen=True)
class Location:
    """A place in the repository; ``line``/``col`` are 1-based, 0 when unknown."""

    path: str
    line: int = 0
    col: int = 0
    end_line: int = 0
    end_col: int = 0

    def __str__(self) -> str:
        if self.line and self.col:
            return f"{self.path}:{self.line}:{self.col}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path


@dataclass(frozen=True)
class Related:
    """Another place a finding concerns (SARIF ``relatedLocations``), with why it matters."""

    location: Location
    message: str = ""


@dataclass(frozen=True)
class Finding:
    """One broken promise found by an invariant.

    ``location`` is the line to fix; ``related`` the other places that explain it (the
    other reads of an env var and the example file that omits it, the import chain from
    the entrypoint). JSON writes ``related`` only when there is some.
    """

    invariant_id: str
    kind: str
    message: str
    severity: Severity = Severity.ERROR
    location: Location | None = None
    hint: str = ""
    snippet: str = ""
    fingerprint: str = ""
    related: tuple[Related, ...] = ()


@dataclass(frozen=True)
class InvariantResult:
    """The outcome of one invariant over the repository."""

    id: str
    kind: str
    severity: Severity
    outcome: Outcome
    description: str = ""
    why: str = ""
    findings: tuple[Finding, ...] = ()
    files_examined: int = 0
    error: str = ""
    suppressed: int = 0
    baselined: int = 0
    duration_ms: float = 0.0


@dataclass(frozen=True)
class Exchange:
    """One HTTP request and what came back, secrets already masked."""

    method: str
    url: str
    request_headers: tuple[tuple[str, str], ...] = ()
    request_body: str = ""
    status: int | None = None
    response_headers: tuple[tuple[str, str], ...] = ()
    response_body: str = ""
    elapsed_ms: float | None = None


@dataclass(frozen=True)
class StepResult:
    """One step of a scenario: its request/response and the expectations that failed."""

    name: str
    outcome: Outcome
    exchange: Exchange | None = None
    failures: tuple[str, ...] = ()
    error: str = ""
    error_class: str = ""


@dataclass(frozen=True)
class ScenarioResult:
    """The outcome of one smoke scenario.

    ``failures`` are the scenario's *own* failures (its kind's verdict); each step's unmet
    expectations stay on that step (``StepResult.failures``) and are never copied here, so
    a renderer shows each problem once, under the step it happened in.
    :meth:`all_failures` is the flat list of both, for "did it fail, and why".

    ``counts_step_failures`` says whether the steps' failures are failures of the scenario.
    The engine sets it False when they are not: the kind's check judged the steps' runs
    itself (a ``tolerate_errors`` plan such as cold_start, where a not-yet-ready poll is
    data), or the scenario ended before a verdict (``error``, ``skip_reason`` say why).

    ``error_step`` names the step whose error ended the scenario ('' when none did: a
    crashed kind or check, or no error). ``error`` then reads ``"<step>: <step's error>"``
    for readers of ``error`` alone, but the problem is the step's: a renderer shows it
    under that step (:meth:`error_shown_by_step`), never again at scenario level.
    ``line`` is where the scenario is declared in the contract (1-based; 0 unknown).
    """

    id: str
    name: str
    kind: str
    outcome: Outcome
    duration_ms: float = 0.0
    steps: tuple[StepResult, ...] = ()
    failures: tuple[str, ...] = ()
    error: str = ""
    error_class: str = ""
    skip_reason: str = ""
    latencies_ms: tuple[float, ...] = ()
    metrics: tuple[tuple[str, float], ...] = ()
    counts_step_failures: bool = True
    error_step: str = ""
    line: int = 0

    def all_failures(self) -> tuple[str, ...]:
        """Every failure of the scenario as one flat list.

        Each step failure as ``"<step>: <failure>"`` in step order (unless
        ``counts_step_failures`` is False), then the scenario's own ``failures``. A scenario
        the engine judged failed exactly when this is non-empty.
        """
        steps = tuple(f"{st.name}: {f}" for st in self.steps for f in st.failures
                      ) if self.counts_step_failures else ()
        return steps + self.failures

    def error_shown_by_step(self) -> StepResult | None:
        """The step that shows the scenario's ``error`` as its own, or None.

        That is the step named ``error_step`` carrying an error (only one can: the
        engine stops at the first step error it does not tolerate). None when
        ``error_step`` is empty or names no errored step, and then the scenario's
        ``error`` is its own problem, to be shown at scenario level.
        """
        if not self.error_step:
            return None
        return next((st for st in self.steps if st.name == self.error_step and st.error),
                    None)


@dataclass(frozen=True)
class RunContext:
    """Where and when a run happened; everything a reader needs to reproduce it."""

    command: str
    product: str = ""
    product_version: str = ""
    contract_path: str = ""
    contract_hash: str = ""
    truthgate_version: str = ""
    started_at: str = ""
    finished_at: str = ""
    git_commit: str = ""
    git_branch: str = ""
    git_dirty: bool = False
    target: str = ""
    base_url: str = ""
    flags: tuple[str, ...] = ()
    # The deployment a smoke run talked to (what its health endpoint reported, or
    # --deployment-id); '' when unknown. The definition of done counts deployments by it.
    deployment: str = ""


@dataclass(frozen=True)
class RunReport:
    """Everything one run produced; the only input of every reporter."""

    context: RunContext
    invariants: tuple[InvariantResult, ...] = ()
    scenarios: tuple[ScenarioResult, ...] = ()
    notes: tuple[str, ...] = ()
    skipped_files: tuple[Finding, ...] = field(default=())

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for r in self.invariants for f in r.findings)

    @property
    def passed(self) -> bool:
        """True when no invariant and no scenario failed or errored."""
        bad = (Outcome.FAIL, Outcome.ERROR)
        return not any(r.outcome in bad for r in self.invariants) and not any(
            s.outcome in bad for s in self.scenarios
        )

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1

    def counts(self) -> dict[str, int]:
        """Outcome -> how many invariants and scenarios ended with it."""
        out = {o.value: 0 for o in Outcome}
        for r in self.invariants:
            out[r.outcome.value] += 1
        for s in self.scenarios:
            out[s.outcome.value] += 1
        return out
