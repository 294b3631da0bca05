"""``run_verify``: walk once, extract facts once, run every invariant over them.

The engine owns the rules that make a green result trustworthy: an invariant that selects no
file, or whose check raises, is an error (never a pass); unreadable or unparsable files are
reported, never silently dropped; suppressions and baselines are counted, not hidden.
"""

from __future__ import annotations

import os
import time
import traceback
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from truthgate import __version__
from truthgate.model import (
    Finding,
    InvariantResult,
    Location,
    Outcome,
    RunContext,
    RunReport,
    Severity,
)
from truthgate.verify.baseline import Baseline, fingerprint, load_baseline
from truthgate.verify.cache import (
    FactsCache,
    ResultsCache,
    code_stamp,
    digest_of,
    make_listing,
    paused_gc,
)
from truthgate.verify.collect import CollectStats, collect_facts
from truthgate.verify.context import InvariantContext, RepoState
from truthgate.verify.errors import InvariantConfigError
from truthgate.verify.facts import FileFacts
from truthgate.verify.kinds import get_kind
from truthgate.verify.kinds.base import Violation
from truthgate.verify.suppress import SUPPRESSIONS_ID, SUPPRESSIONS_KIND, Suppressions
from truthgate.verify.walk import WalkProblem, WalkResult, walk_repo

if TYPE_CHECKING:
    from truthgate.contract.model import Contract, InvariantSpec

SKIPPED_ID = "truthgate-skipped"
# Kinds whose outcome depends on more than the repository's files and the contract (an
# external command's behaviour): a run with one of them never reuses stored results.
_UNCACHEABLE_KINDS = frozenset({"command"})
SKIPPED_KIND = "skipped-file"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _skip(path: str, message: str, line: int = 0, col: int = 0) -> Finding:
    return Finding(
        invariant_id=SKIPPED_ID,
        kind=SKIPPED_KIND,
        message=message,
        severity=Severity.WARNING,
        location=Location(path, line, col),
        hint="truthgate could not examine this file; fix or exclude it (verify.exclude).",
        fingerprint=fingerprint(SKIPPED_KIND, path, message, ""),
    )


def _skipped(
    problems: Sequence[WalkProblem], files: Sequence[FileFacts], syntax_checked: bool
) -> tuple[Finding, ...]:
    out = [_skip(p.path, p.detail) for p in problems]
    for f in files:
        if not f.problem or (not f.is_python and f.problem == "binary"):
            continue  # binary non-Python files (images, archives) are expected, not skipped
        if f.problem == "syntax" and syntax_checked:
            continue  # python_syntax reports it as a real finding
        detail = f": {f.problem_detail}" if f.problem_detail else ""
        out.append(_skip(f.path, f"skipped ({f.problem}){detail}", f.problem_line, f.problem_col))
    return tuple(sorted(out, key=lambda x: (x.location.path if x.location else "", x.message)))


class _Run:
    """State of one verify run shared across invariants."""

    def __init__(self, state: RepoState, baseline: Baseline | None) -> None:
        self.state = state
        self.suppressions = Suppressions(state.all_files)
        self.baseline: Counter[str] = baseline.counts() if baseline else Counter()

    def finding(self, spec: InvariantSpec, kind_hint: str, v: Violation) -> Finding:
        line_text = self.state.line_text(v.path, v.line)
        return Finding(
            invariant_id=spec.id,
            kind=spec.kind,
            message=v.message,
            severity=spec.severity,
            location=Location(v.path, v.line, v.col, v.end_line, v.end_col),
            hint=v.hint or kind_hint,
            snippet=line_text.strip(),
            fingerprint=fingerprint(spec.kind, v.path, v.key or v.message, line_text),
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
        started = time.perf_counter()
        try:
            kind = get_kind(spec.kind)
        except (KeyError, ImportError, TypeError) as exc:
            error = f"unknown invariant kind {spec.kind!r}: {exc}"
            return InvariantResult(spec.id, spec.kind, spec.severity, Outcome.ERROR, error=error)
        description = spec.message or kind.summary
        paths = spec.paths or kind.default_paths
        exclude = spec.exclude or kind.default_exclude
        selected = self.state.select(paths, exclude)

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
                files_examined=len(selected),
                error=error,
                suppressed=suppressed,
                baselined=baselined,
                duration_ms=round(elapsed, 3),
            )

        if kind.needs_files and not selected:
            shown = ", ".join(paths) + (f" minus {', '.join(exclude)}" if exclude else "")
            return result(
                Outcome.ERROR,
                error=f"no file matches the invariant's paths ({shown}): it would check nothing",
            )
        try:
            params = spec.params if spec.params is not None else kind.parse_params({})
            violations = list(kind.check(InvariantContext(self.state, selected), params))
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


def _chosen(
    specs: Sequence[InvariantSpec], select: Sequence[str], ignore: Sequence[str]
) -> list[InvariantSpec]:
    chosen = [s for s in specs if not select or s.id in select]
    return [s for s in chosen if s.id not in ignore]


def run_verify(
    contract: Contract,
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    baseline: Baseline | str | Path | None = None,
    use_cache: bool = True,
    jobs: int | None = None,
) -> RunReport:
    """Check ``contract``'s invariants against the repository at ``contract.root``.

    ``baseline`` is a loaded ``Baseline`` or a path to one (BaselineError when unreadable).
    ``jobs`` caps worker processes for cold extraction (default: the usable cores).
    """
    started_at = _now()
    root = Path(contract.root)
    if isinstance(baseline, (str, Path)):
        baseline = load_baseline(baseline)
    use_cache = use_cache and contract.verify.cache
    specs = _chosen(contract.invariants, select, ignore)
    # A run builds a few million small objects (facts, edges, findings) and frees almost
    # none before it ends: every automatic collection would rescan all of them for nothing.
    with paused_gc():
        walked = walk_repo(root, contract.verify.exclude)
        results_cache: ResultsCache | None = None
        key = ""
        if use_cache and not any(s.kind in _UNCACHEABLE_KINDS for s in specs):
            results_cache = ResultsCache(root)
            key = _results_key(contract, root, select, ignore, baseline, walked)
            walked_stats = [(f.path, f.abspath, f.size, f.mtime_ns) for f in walked.files]
            hit = results_cache.lookup(key, walked_stats)
            if hit is not None:
                payload, rehashed = hit
                reused = _reuse(payload, len(walked.files), rehashed)
                if reused is not None:
                    results, notes, skipped = reused
                    return _report(contract, started_at, select, ignore, baseline, use_cache,
                                   results, notes, skipped)
        cache = FactsCache(root) if use_cache else None
        files, stats = collect_facts(walked.files, cache, jobs)
        state = RepoState(root, contract, files)
        results, notes = _run_all(state, baseline, specs, contract, select, ignore, stats)
        skipped = _skipped(walked.problems, files, _syntax_checked(results))
        if results_cache is not None:
            _store(results_cache, key, walked, files, state, (results, notes, skipped))
    return _report(contract, started_at, select, ignore, baseline, use_cache, results, notes,
                   skipped)


def _syntax_checked(results: Sequence[InvariantResult]) -> bool:
    return any(r.kind == "python_syntax" and r.outcome is not Outcome.ERROR for r in results)


def _run_all(
    state: RepoState,
    baseline: Baseline | None,
    specs: Sequence[InvariantSpec],
    contract: Contract,
    select: Sequence[str],
    ignore: Sequence[str],
    stats: CollectStats,
) -> tuple[list[InvariantResult], list[str]]:
    run = _Run(state, baseline)
    results = [run.run_invariant(spec) for spec in specs]
    notes = [_facts_note(stats.files, stats.from_cache, stats.rehashed, stats.extracted,
                         stats.workers)]
    known = {s.id for s in contract.invariants} | {s.kind for s in contract.invariants}
    for name in (*select, *ignore):
        if name not in known and name != SUPPRESSIONS_ID:
            notes.append(f"--select/--ignore names {name!r}, which is no invariant of the contract")

    include_supp = (not select or SUPPRESSIONS_ID in select) and SUPPRESSIONS_ID not in ignore
    if include_supp:
        supp = _suppression_result(run, results, known, all_ran=not select and not ignore)
        if supp is not None:
            results.append(supp)
    return results, notes


def _facts_note(files: int, cached: int, rehashed: int, parsed: int, workers: int) -> str:
    return (
        f"facts: {files} files, {cached} from cache, {rehashed} re-hashed unchanged, "
        f"{parsed} parsed, {workers} worker(s)"
    )


def _report(
    contract: Contract,
    started_at: str,
    select: Sequence[str],
    ignore: Sequence[str],
    baseline: Baseline | None,
    use_cache: bool,
    results: Sequence[InvariantResult],
    notes: Sequence[str],
    skipped: tuple[Finding, ...],
) -> RunReport:
    context = RunContext(
        command="verify",
        product=contract.product.name,
        product_version=contract.product.version,
        contract_path=str(contract.source),
        contract_hash=contract.sha256,
        truthgate_version=__version__,
        started_at=started_at,
        finished_at=_now(),
        flags=tuple(
            [f"--select={','.join(select)}"] * bool(select)
            + [f"--ignore={','.join(ignore)}"] * bool(ignore)
            + ([f"--baseline={baseline.path}"] if baseline else [])
            + ([] if use_cache else ["--no-cache"])
        ),
    )
    return RunReport(
        context=context,
        invariants=tuple(results),
        notes=tuple(notes),
        skipped_files=skipped,
    )


def _results_key(
    contract: Contract,
    root: Path,
    select: Sequence[str],
    ignore: Sequence[str],
    baseline: Baseline | None,
    walked: WalkResult,
) -> str:
    """Everything besides file contents that a run's results depend on."""
    verify_inputs = (
        contract.version, contract.product, contract.entrypoint, contract.env, contract.kb,
        contract.legacy, contract.invariants, contract.verify, str(contract.source),
        contract.sha256,
    )
    accepted = sorted(baseline.fingerprints) if baseline else None
    return digest_of(
        "results", code_stamp(), os.path.realpath(root), verify_inputs, tuple(select),
        tuple(ignore), accepted, walked.problems,
    )


def _reuse(
    payload: object, files: int, rehashed: int
) -> tuple[list[InvariantResult], list[str], tuple[Finding, ...]] | None:
    """The stored (results, notes, skipped) with notes saying how they were obtained."""
    if not (isinstance(payload, tuple) and len(payload) == 3):
        return None
    results, notes, skipped = payload
    if not (
        isinstance(results, list)
        and all(isinstance(r, InvariantResult) for r in results)
        and isinstance(notes, list)
        and all(isinstance(n, str) for n in notes)
        and isinstance(skipped, tuple)
        and all(isinstance(f, Finding) for f in skipped)
    ):
        return None
    notes = [
        _facts_note(files, files - rehashed, rehashed, 0, 1),
        "results: reused from the last run (no file, contract or truthgate change since)",
        *notes[1:],
    ]
    return results, notes, skipped


def _store(
    cache: ResultsCache,
    key: str,
    walked: WalkResult,
    files: Sequence[FileFacts],
    state: RepoState,
    payload: tuple[list[InvariantResult], list[str], tuple[Finding, ...]],
) -> None:
    """Keep this run's results for the next run, unless they may not be reproducible."""
    results = payload[0]
    if any(r.outcome is Outcome.ERROR for r in results) or any(
        f.problem == "unreadable" for f in files
    ):
        # A crashed check or an unreadable file may go away by itself: recompute next time.
        cache.forget()
        return
    walked_paths = {f.path for f in walked.files}
    deps = [(p, s, m) for p, (s, m) in state.deps.items() if p not in walked_paths]
    listing = make_listing(
        key,
        [(w.path, w.size, w.mtime_ns, f.sha256) for w, f in zip(walked.files, files, strict=True)],
        deps,
    )
    if listing is None:
        cache.forget()
    else:
        cache.save(listing, payload)


def _suppression_result(
    run: _Run, results: Sequence[InvariantResult], known: set[str], all_ran: bool
) -> InvariantResult | None:
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
