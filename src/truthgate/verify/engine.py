"""``run_verify``: walk once, extract facts once, run every invariant over them.

The engine owns the rules that make a green result trustworthy: an invariant that selects no
file, or whose check raises, is an error (never a pass, see ``runner.py``); unreadable or
unparsable files are reported, never silently dropped; suppressions and baselines are
counted, not hidden. It also decides when a whole run's results may be reused from the
results cache (``results_cache.py``) and when they must not be stored.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Sequence
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
from truthgate.verify.cache import FactsCache
from truthgate.verify.cachedir import code_stamp, digest_of, paused_gc
from truthgate.verify.collect import CollectStats, collect_facts
from truthgate.verify.context import RepoState
from truthgate.verify.facts import FileFacts
from truthgate.verify.results_cache import ResultsCache, make_listing
from truthgate.verify.runner import InvariantRunner, suppression_result
from truthgate.verify.suppress import SUPPRESSIONS_ID
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
    progress: Callable[[int, int], None] | None = None,
) -> RunReport:
    """Check ``contract``'s invariants against the repository at ``contract.root``.

    ``progress(done, total)`` follows the files being parsed (a terminal's progress bar).

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
        files, stats = collect_facts(walked.files, cache, jobs, progress)
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
    run = InvariantRunner(state, baseline)
    results = [run.run_invariant(spec) for spec in specs]
    notes = [_facts_note(stats.files, stats.from_cache, stats.rehashed, stats.extracted,
                         stats.workers)]
    known = {s.id for s in contract.invariants} | {s.kind for s in contract.invariants}
    for name in (*select, *ignore):
        if name not in known and name != SUPPRESSIONS_ID:
            notes.append(f"--select/--ignore names {name!r}, which is no invariant of the contract")

    include_supp = (not select or SUPPRESSIONS_ID in select) and SUPPRESSIONS_ID not in ignore
    if include_supp:
        supp = suppression_result(run, results, known, all_ran=not select and not ignore)
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
        contract.legacy, tuple(_as_declared(s) for s in contract.invariants), contract.verify,
        str(contract.source),
        contract.sha256,
    )
    accepted = sorted(baseline.fingerprints) if baseline else None
    return digest_of(
        "results", code_stamp(), os.path.realpath(root), verify_inputs, tuple(select),
        tuple(ignore), accepted, walked.problems,
    )


def _as_declared(spec: InvariantSpec) -> InvariantSpec:
    """The spec without its typed params when the raw ones are there to stand for them.

    A contract loaded fresh carries both, a known-valid one only the raw params: keyed
    alike, the run after a first validation still finds the results it stored.
    """
    return spec if spec.raw_params is None else dataclasses.replace(spec, params=None)


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
