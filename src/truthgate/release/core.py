"""The release-captain flow as a pure function of a contract, options and step runners.

``run_release`` refuses early what no check can fix (a working tree that is not the commit
to tag, an existing tag, no commit), runs the checklist in order, stops at the first red
step, records a release cycle either way, and tags only when every step is green. Everything
with a side effect (running verify, smoke, a command, git, the ledger) comes in through
``ReleaseRunners``, so tests drive red and green steps without a server or a repository.

The recorded release cycle carries the invariants and scenarios its steps produced (a
``command`` step as an invariant ``release:<name>``). A release that is not green (red at
a step, refused before or after the steps, tagging failed) also carries one failed item,
``release``, whose finding says why: so the cycle's verdict is the exit code's, in every
view of the ledger. Release cycles are never evidence for the definition of done (see
``cycles.dod``), so retrying a refused release cannot build its own streak.

A step that cannot run (a ``logs`` step with no log source) or that checked nothing (every
item skipped: a log gate with no pattern, a smoke run whose scenarios were all skipped) is
red, unless the contract marks it ``optional: true``; it is then skipped, and the tag
message says so.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from truthgate.contract.model import Contract, ReleaseStep
from truthgate.cycles.dod import DodRule, DodStatus, checked_something, dod_of
from truthgate.cycles.ledger import Cycle
from truthgate.cycles.ledger import release_verdict_item as verdict_item
from truthgate.errors import UsageError
from truthgate.model import InvariantResult, Outcome, RunContext, RunReport, Severity
from truthgate.release.message import tag_message
from truthgate.release.steps import StepVerdict
from truthgate.release.targets import (
    qualify,
    runs_unsafe,
    several_smoke_steps,
    smoke_args,
    unknown_target,
)

GREEN, RED, SKIPPED, NOT_RUN = "green", "red", "skipped", "not run"
# How many unclean paths a refusal lists before "and N more".
LISTED_PATHS = 20
# A tag name git accepts and a human recognises: v1.2.3, 2025.03, v1.2.3-rc.1 ...
_TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")


class ReleaseUsageError(UsageError, ValueError):
    """The release cannot be attempted as asked (bad tag name, unknown target): exit 2."""


class GitError(Exception):
    """git refused an operation the release needed."""


class LogSourceError(Exception):
    """A logs step's source could not be read (its command failed): the step cannot run."""


class GitOps(Protocol):
    """The git operations a release needs; ``head`` is '' outside a repository.

    ``unclean`` lists what makes the working tree differ from HEAD, one line per path
    (``modified: app.py``, ``untracked: notes.md``); ignored files and the cycle ledger
    (truthgate's own output) are not listed.
    """

    def head(self) -> str: ...
    def unclean(self) -> tuple[str, ...]: ...
    def tag_exists(self, tag: str) -> bool: ...
    def create_tag(self, tag: str, commit: str, message: str) -> None: ...


@dataclass(frozen=True)
class CommandResult:
    """What a ``command`` step's process did: its exit status and the tail of its output."""

    returncode: int
    output: str = ""


@dataclass(frozen=True)
class ReleaseOptions:
    tag: str = ""
    base_url: str | None = None
    target: str | None = None
    logs_source: str | None = None
    dry_run: bool = False


def _same(report: RunReport) -> RunReport:
    return report


@dataclass(frozen=True)
class ReleaseRunners:
    """The side effects of a release, one callable each (see the module docstring).

    ``logs`` returns None when no log gate is available; the step then cannot run.
    ``stamp`` fills the report's context (product, git, times) before recording;
    ``rerecord`` replaces a recorded cycle's report (tagging failed after it was recorded).
    """

    verify: Callable[[], RunReport]
    smoke: Callable[[str | None, str | None], RunReport]  # (target, base_url)
    logs: Callable[[ReleaseStep, str | None], RunReport | None]  # (step, source)
    command: Callable[[str], CommandResult]
    history: Callable[[], Sequence[Cycle]]
    record: Callable[[RunReport], Cycle | None]
    git: GitOps
    stamp: Callable[[RunReport], RunReport] = _same
    rerecord: Callable[[Cycle, RunReport], Cycle | None] | None = None


@dataclass(frozen=True)
class ReleaseResult:
    """The verdict of a release: ``tagged``, ``green`` (nothing to tag), ``red``, ``refused``."""

    status: str
    message: str
    steps: tuple[StepVerdict, ...] = ()
    report: RunReport = field(default_factory=lambda: RunReport(RunContext("release")))
    cycle: Cycle | None = None
    tag: str = ""
    dod: DodStatus | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("tagged", "green")

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1


def checklist(contract: Contract) -> tuple[ReleaseStep, ...]:
    """The contract's checklist; without one, verify -> smoke (if any scenarios) -> dod."""
    if contract.release.checklist:
        return contract.release.checklist
    steps = [ReleaseStep(name="verify", run="verify")]
    if getattr(contract.smoke, "scenarios", ()):
        steps.append(ReleaseStep(name="smoke", run="smoke"))
    return (*steps, ReleaseStep(name="definition of done", run="dod"))


@dataclass
class _Run:
    """The mutable state of one release while it runs (never leaves this module)."""

    invariants: list[InvariantResult] = field(default_factory=list)
    reports: list[RunReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dod: DodStatus | None = None
    targets: list[str] = field(default_factory=list)  # smoked so far, in order
    qualify_ids: bool = False  # several smoke steps: prefix scenario ids with the target

    def report(self, contract: Contract, options: ReleaseOptions) -> RunReport:
        target = ", ".join(dict.fromkeys(self.targets)) or options.target or ""
        ctx = RunContext(command="release", product=contract.product.name,
                         product_version=contract.product.version, target=target,
                         base_url=options.base_url or "",
                         flags=tuple(f for f in (f"--tag={options.tag}" if options.tag else "",
                                                 "--dry-run" if options.dry_run else "") if f))
        return RunReport(context=ctx, invariants=tuple(self.invariants),
                         scenarios=tuple(s for r in self.reports for s in r.scenarios),
                         notes=tuple(self.notes))


def _absorb(run: _Run, step: ReleaseStep, report: RunReport) -> tuple[str, str]:
    """Keep a step's results; its status. A step that checked nothing (every item skipped,
    or none at all) did not run in any sense that matters: it cannot be green."""
    run.invariants.extend(report.invariants)
    run.reports.append(report)
    run.notes.extend(report.notes)
    counts = report.counts()
    detail = ", ".join(f"{n} {k}" for k, n in counts.items() if n) or "nothing to check"
    if report.passed and not checked_something(report):
        return _cannot_run(step, f"it checked nothing ({detail})")
    return (GREEN if report.passed else RED), detail


def _step(step: ReleaseStep, contract: Contract, options: ReleaseOptions,
          runners: ReleaseRunners, run: _Run) -> tuple[str, str]:
    """Run one step; (status, detail). Unknown kinds are a contract bug: red, not silent."""
    if step.run == "verify":
        return _absorb(run, step, runners.verify())
    if step.run == "smoke":
        target, base_url = smoke_args(step, options.target, options.base_url)
        report = runners.smoke(target, base_url)
        if target:
            run.targets.append(target)
            if run.qualify_ids:
                report = qualify(report, target)
        status, detail = _absorb(run, step, report)
        if runs_unsafe(contract, target):
            detail += ", unsafe scenarios included (preview target)"
        return status, (f"target {target}: {detail}" if target else detail)
    if step.run == "logs":
        # --logs wins; then the step's own source (relative to the repository root, or
        # absolute); ``command`` is the older spelling of the same path.
        own = step.source or step.command
        source = options.logs_source or (str(contract.root / own) if own else None)
        if source is None and not step.source_command:
            return _cannot_run(step, "no log source (pass --logs FILE, or set the step's "
                                     "source: or source_command: in the contract)")
        try:
            logs = runners.logs(step, source)  # None with source_command: run the command
        except LogSourceError as exc:
            return _cannot_run(step, str(exc))
        if logs is None:
            return _cannot_run(step, "the log gate (truthgate.logs) is not available in "
                                     "this install")
        return _absorb(run, step, logs)
    if step.run == "command":
        done = runners.command(step.command)
        outcome = Outcome.PASS if done.returncode == 0 else Outcome.FAIL
        run.invariants.append(InvariantResult(
            id=f"release:{step.name}", kind="command", severity=Severity.ERROR,
            outcome=outcome, description=step.command,
            error="" if outcome is Outcome.PASS else done.output[-2000:]))
        return (GREEN if outcome is Outcome.PASS else RED), f"exit status {done.returncode}"
    if step.run == "dod":
        # Only recorded evidence counts: never this release's own checks, never an earlier
        # release (a refused one retried must not build its own streak).
        rule = DodRule.from_contract(contract)
        run.dod = dod_of([(c.number, c.kind, c.report) for c in runners.history()], rule)
        if run.dod.met:
            return GREEN, run.dod.summary()
        return RED, f"{run.dod.summary()} ({rule.what_counts()})"
    return RED, f"unknown step kind {step.run!r}"


def _cannot_run(step: ReleaseStep, why: str) -> tuple[str, str]:
    """A step that could not run: red, unless the contract marks it optional."""
    if step.optional:
        return SKIPPED, f"optional step not run: {why}"
    return RED, f"cannot run: {why} (mark the step optional: true to release without it)"


def _listing(paths: Sequence[str]) -> str:
    shown = "; ".join(paths[:LISTED_PATHS])
    more = len(paths) - LISTED_PATHS
    return shown + (f"; and {more} more" if more > 0 else "")


def _unclean_refusal(paths: Sequence[str], when: str = "") -> str:
    what = f"{when} the working tree" if when else "the working tree"
    return (f"{what} is not the commit to tag ({_listing(paths)}); "
            "commit, stash or .gitignore them first")


def _preflight(options: ReleaseOptions, git: GitOps) -> tuple[str, str]:
    """(commit, refusal); the refusal is '' when tagging may go ahead."""
    if not options.tag:
        return "", ""
    try:
        head = git.head()
        if not head:
            return "", "not a git repository with a commit to tag"
        unclean = git.unclean()
        if unclean:
            return head, _unclean_refusal(unclean)
        if git.tag_exists(options.tag):
            return head, f"tag {options.tag} already exists; choose a new version"
    except GitError as exc:
        return "", f"git failed: {exc}"
    return head, ""


def run_release(contract: Contract, options: ReleaseOptions,
                runners: ReleaseRunners) -> ReleaseResult:
    """Run the release flow; see the module docstring. Raises ReleaseUsageError only."""
    if options.tag and not _TAG.match(options.tag):
        raise ReleaseUsageError(f"{options.tag!r} is not a usable tag name (e.g. v1.2.3)")
    full_plan = checklist(contract)
    bad_target = unknown_target(contract, full_plan, options.target)
    if bad_target:
        raise ReleaseUsageError(bad_target)
    run = _Run(qualify_ids=several_smoke_steps(full_plan))
    commit, refusal = _preflight(options, runners.git)
    steps: list[StepVerdict] = []
    red: StepVerdict | None = None
    plan = () if refusal else full_plan
    for step in plan:
        if red is not None:
            steps.append(StepVerdict(step.name, step.run, NOT_RUN))
            continue
        try:
            status, detail = _step(step, contract, options, runners, run)
        except ReleaseUsageError:
            raise
        except Exception as exc:  # a crashed step is a red step, never a traceback
            status, detail = RED, f"crashed: {type(exc).__name__}: {exc}"
        steps.append(StepVerdict(step.name, step.run, status, detail))
        if status == RED:
            red = steps[-1]
    if red is None and not refusal and options.tag:
        refusal = _still_taggable(commit, runners.git)
    if refusal:
        status, message = "refused", f"release refused: {refusal}"
    elif red is not None:
        status, message = "red", f"release RED at step {red.name!r}: {red.detail}"
    elif options.tag and not options.dry_run:
        status, message = "tagged", f"release GREEN: tagging {options.tag}"
    else:
        status = "green"
        why = "dry run" if options.dry_run else "no --tag given"
        message = f"release GREEN ({why}): nothing tagged"
    run.notes += [s.line() for s in steps] + [message]
    if status not in ("tagged", "green"):
        run.invariants.append(verdict_item(message))
    report = _checked_commit(runners.stamp(run.report(contract, options)), commit)
    cycle = runners.record(report)
    tag = ""
    if status == "tagged":
        try:
            runners.git.create_tag(options.tag, commit,
                                   tag_message(options.tag, report, cycle, run.dod, steps))
            tag, message = options.tag, f"release GREEN: tagged {options.tag} at {commit[:12]}"
        except GitError as exc:
            status, message = "refused", f"release green but tagging failed: {exc}"
            # The cycle was recorded green (its number is in the tag message); it must not
            # stay green now that nothing was tagged.
            report = dataclasses.replace(report, invariants=(*report.invariants,
                                                             verdict_item(message)),
                                         notes=(*report.notes, message))
            if cycle is not None and runners.rerecord is not None:
                cycle = runners.rerecord(cycle, report)
    return ReleaseResult(status=status, message=message, steps=tuple(steps), report=report,
                         cycle=cycle, tag=tag, dod=run.dod)


def _checked_commit(report: RunReport, commit: str) -> RunReport:
    """The report with the commit the release checked (and tags), not HEAD at stamping."""
    if not commit or report.context.git_commit == commit:
        return report
    return dataclasses.replace(report, context=dataclasses.replace(
        report.context, git_commit=commit))


def _still_taggable(commit: str, git: GitOps) -> str:
    """Re-check after the steps: a step (or a colleague) may have moved HEAD or dirtied it."""
    try:
        if git.head() != commit:
            return "HEAD moved while the release ran; the checks are not about it"
        unclean = git.unclean()
        if unclean:
            return _unclean_refusal(unclean, "after the steps,")
    except GitError as exc:
        return f"git failed: {exc}"
    return ""


__all__ = ["CommandResult", "GitError", "GitOps", "LogSourceError",
           "ReleaseOptions", "ReleaseResult", "ReleaseRunners", "ReleaseUsageError",
           "StepVerdict", "checklist", "run_release", "verdict_item"]
