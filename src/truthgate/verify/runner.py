"""Running one invariant: select its files, call its kind, settle its findings.

``InvariantRunner`` turns a kind's ``Violation``s into ``Finding``s (fingerprints that survive
line shifts), then applies inline suppressions and the baseline, counting both. The outcome
rules that make a green result trustworthy live here: an unknown kind, a selection of no
file, a bad parameter or a check that raises is ``error``, never ``pass``.
``suppression_result`` reports the suppressions themselves once every invariant has run.
"""

from __future__ import annotations

import time
import traceback
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from truthgate.model import Finding, InvariantResult, Location, Outcome, Related, Severity
from truthgate.redact import MIN_SECRET_LEN, partial
from truthgate.verify.baseline import Baseline, fingerprint
from truthgate.verify.context import InvariantContext, RepoState
from truthgate.verify.errors import InvariantConfigError
from truthgate.verify.kinds import PRODUCTION_KINDS, get_kind
from truthgate.verify.kinds.base import InvariantKind, Violation
from truthgate.verify.suppress import SUPPRESSIONS_ID, SUPPRESSIONS_KIND, Suppressions

if TYPE_CHECKING:
    from truthgate.contract.model import InvariantSpec, Production


class InvariantRunner:
    """State of one verify run shared across invariants: suppressions and baseline budget."""

    def __init__(
        self, state: RepoState, baseline: Baseline | None, *, allow_commands: bool = False
    ) -> None:
        self.allow_commands = allow_commands
        self.state = state
        self.suppressions = Suppressions(state.all_files)
        self.baseline: Counter[str] = baseline.counts() if baseline else Counter()

    def finding(self, spec: InvariantSpec, kind_hint: str, v: Violation) -> Finding:
        """The reported form of a violation, with its source line and fingerprint."""
        line_text = self.state.line_text(v.path, v.line)
        snippet = line_text.strip()
        if v.secret and len(v.secret) >= MIN_SECRET_LEN:
            # The value is in the repository already, but a report travels further (code
            # scanning, the job summary): it names the value without repeating it.
            snippet = snippet.replace(v.secret, partial(v.secret))
        return Finding(
            invariant_id=spec.id,
            kind=spec.kind,
            message=v.message,
            severity=Severity(v.severity) if v.severity else spec.severity,
            location=Location(v.path, v.line, v.col, v.end_line, v.end_col),
            hint=v.hint or kind_hint,
            snippet=snippet,
            fingerprint=fingerprint(spec.kind, v.path, v.key or v.message, line_text),
            related=tuple(Related(Location(p, ln), why) for p, ln, why in v.related),
        )

    def settle(self, findings: Sequence[Finding], spec_id: str, kind: str) -> tuple[
        list[Finding], int, int
    ]:
        """(kept findings, suppressed count, baselined count)."""
        kept: list[Finding] = []
        suppressed = baselined = 0
        for f in findings:
            loc = f.location
            if loc and self.suppressions.suppresses(loc.path, loc.line, spec_id, kind):
                suppressed += 1
            elif self.baseline[f.fingerprint] > 0:
                self.baseline[f.fingerprint] -= 1
                baselined += 1
            else:
                kept.append(f)
        kept.sort(key=_order)
        return kept, suppressed, baselined

    def run_invariant(self, spec: InvariantSpec) -> InvariantResult:
        """Check one invariant over its selected files; every failure mode is a result."""
        started = time.perf_counter()
        try:
            kind = get_kind(spec.kind)
        except (KeyError, ImportError, TypeError) as exc:
            error = f"unknown invariant kind {spec.kind!r}: {exc}"
            return InvariantResult(spec.id, spec.kind, spec.severity, Outcome.ERROR, error=error)
        description = spec.message or kind.summary
        paths, exclude = _scope(spec, kind, self.state.contract.production)
        selected = self.state.select(paths, exclude)
        view = InvariantContext(self.state, selected)

        def result(
            outcome: Outcome,
            error: str = "",
            findings: Sequence[Finding] = (),
            suppressed: int = 0,
            baselined: int = 0,
        ) -> InvariantResult:
            elapsed = (time.perf_counter() - started) * 1000
            return InvariantResult(
                spec.id,
                spec.kind,
                spec.severity,
                outcome,
                description=description,
                why=kind.why,
                findings=tuple(findings),
                files_examined=view.examined(kind.needs_files),
                error=error,
                suppressed=suppressed,
                baselined=baselined,
                duration_ms=round(elapsed, 3),
            )

        if spec.kind in COMMAND_KINDS and not self.allow_commands:
            # A contract from a pull request must not run a program on the CI machine; and
            # a command that did not run is no evidence: an error (exit 1), never a pass.
            return result(Outcome.ERROR, error=NOT_ALLOWED)
        if kind.needs_files and not selected:
            own = exclude
            if kind.name in PRODUCTION_KINDS:  # the long production list is named, not spelt
                own = exclude[len(self.state.contract.production.exclude):]
            shown = ", ".join(paths) + (f" minus {', '.join(own)}" if own else "")
            if own is not exclude:
                shown += ", in the production scope"
            return result(
                Outcome.ERROR,
                error=f"no file matches the invariant's paths ({shown}): it would check nothing",
            )
        try:
            params = spec.params
            if params is None:
                params = kind.parse_params(spec.raw_params or {})
            violations = list(kind.check(view, params))
        except InvariantConfigError as exc:
            return result(Outcome.ERROR, error=str(exc))
        except Exception as exc:
            return result(Outcome.ERROR, error=_describe(exc))
        findings = [self.finding(spec, kind.hint, v) for v in violations]
        kept, suppressed, baselined = self.settle(findings, spec.id, spec.kind)
        failing = any(f.severity is Severity.ERROR for f in kept)
        return result(
            Outcome.FAIL if failing else Outcome.PASS,
            findings=kept,
            suppressed=suppressed,
            baselined=baselined,
        )


COMMAND_KINDS = frozenset({"command"})
NOT_ALLOWED = (
    "not run: needs --allow-commands (this invariant runs a program named by the contract; "
    "verify runs it only when told to, e.g. the Action's input allow-commands: true). "
    "A command that did not run is not evidence, so the gate fails"
)


def _order(f: Finding) -> tuple[str, int, int, str]:
    loc = f.location or Location("")
    return (loc.path, loc.line, loc.col, f.message)


def _describe(exc: BaseException) -> str:
    where = ""
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        where = f" (at {Path(last.filename).name}:{last.lineno})"
    return f"the check raised {type(exc).__name__}: {exc}{where}"


def suppression_result(
    run: InvariantRunner, results: Sequence[InvariantResult], known: set[str], all_ran: bool
) -> InvariantResult | None:
    """The suppressions' own result: missing reasons, unknown rules, unused ones (or None)."""
    checked = {r.id for r in results if r.outcome is not Outcome.ERROR}
    checked |= {r.kind for r in results if r.outcome is not Outcome.ERROR}
    problems = run.suppressions.problems(checked, known, all_ran, run.state.line_text)
    if not problems:
        return None
    kept, _, baselined = run.settle(problems, SUPPRESSIONS_ID, SUPPRESSIONS_KIND)
    failing = any(f.severity is Severity.ERROR for f in kept)
    return InvariantResult(
        id=SUPPRESSIONS_ID,
        kind=SUPPRESSIONS_KIND,
        severity=Severity.ERROR if failing else Severity.WARNING,
        outcome=Outcome.FAIL if failing else Outcome.PASS,
        description="inline suppressions name a rule, give a reason and suppress something",
        why="A silent or stale suppression hides a broken promise without anyone deciding to.",
        findings=tuple(kept),
        files_examined=len({f.location.path for f in problems if f.location}),
        baselined=baselined,
    )


def _scope(
    spec: InvariantSpec, kind: InvariantKind, production: Production
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(paths, exclude) an invariant selects.

    A production kind (``PRODUCTION_KINDS``) checks the contract's production scope: its
    paths (else the kind's), minus the production exclude, the kind's default exclude and
    the invariant's own ``exclude``, which adds. Any other kind: the invariant's ``paths``
    and ``exclude``, each replacing the kind's default.
    """
    if kind.name in PRODUCTION_KINDS:
        paths = spec.paths or production.paths or kind.default_paths
        return tuple(paths), (*production.exclude, *kind.default_exclude, *spec.exclude)
    return tuple(spec.paths or kind.default_paths), tuple(spec.exclude or kind.default_exclude)
