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
from truthgate.errors import UsageError
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
from truthgate.verify.pytarget import newer_python_result
from truthgate.verify.results_cache import ResultsCache, make_listing
from truthgate.verify.runner import InvariantRunner, suppression_result
from truthgate.verify.suppress import SUPPRESSIONS_ID
from truthgate.verify.walk import WalkProblem, WalkResult, compile_globs, walk_repo

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
    problems: Sequence[WalkProblem], files: Sequence[FileFacts], syntax_checked: bool,
    reported: frozenset[str] = frozenset(),
) -> tuple[Finding, ...]:
    out = [_skip(p.path, p.detail) for p in problems]
    for f in files:
        if not f.problem or (not f.is_python and f.problem == "binary"):
            continue  # binary non-Python files (images, archives) are expected, not skipped
        if f.path in reported:
            continue  # too new for this Python: truthgate-python says so, once
        if f.problem == "syntax" and syntax_checked:
            continue  # python_syntax reports it as a real finding
        detail = f": {f.problem_detail}" if f.problem_detail else ""
        out.append(_skip(f.path, f"skipped ({f.problem}){detail}", f.problem_line, f.problem_col))
    return tuple(sorted(out, key=lambda x: (x.location.path if x.location else "", x.message)))


UNEXAMINED_ID = "truthgate-unexamined"
UNEXAMINED_KIND = "unexamined-python"
# Why a Python file could not be examined, by the problem its facts or the walk recorded.
_UNEXAMINED_WHY = {"non-utf8": "encoding", "encoding": "encoding", "too-deep": "too deep",
                   "too-large": "too large"}


def _unexamined(
    problems: Sequence[WalkProblem], files: Sequence[FileFacts],
    accepted: Sequence[tuple[str, str]],
) -> InvariantResult | None:
    """A failing result naming every Python file verify could not examine, unless accepted.

    A module truthgate could not decode, parse or read may hold exactly what the invariants
    look for: passing the gate over it would be a false green. ``verify.accept_unexamined``
    lists the globs a team accepts, each with its reason (reported as a note on the skip).
    """
    why: list[tuple[str, str, str, int]] = []  # (path, reason word, detail, line)
    for p in problems:
        if p.path.endswith(".py") and p.detail.startswith("unreadable"):
            why.append((p.path, "unreadable", p.detail, 0))
    for f in files:
        if f.is_python and f.problem in _UNEXAMINED_WHY:
            why.append((f.path, _UNEXAMINED_WHY[f.problem], f.problem_detail, f.problem_line))
    if not why:
        return None
    accepts = [(compile_globs([glob]), reason) for glob, reason in accepted]
    findings: list[Finding] = []
    reasons: dict[str, int] = {}
    for path, word, detail, line in sorted(why):
        reason = next((r for spec, r in accepts if spec.match_file(path)), None)
        if reason is not None:
            reasons[reason] = reasons.get(reason, 0) + 1
            continue
        message = f"Python file not examined ({word}): {detail}" if detail else \
            f"Python file not examined ({word})"
        findings.append(Finding(
            invariant_id=UNEXAMINED_ID, kind=UNEXAMINED_KIND, message=message,
            severity=Severity.ERROR, location=Location(path, line, 0),
            hint="make it readable to truthgate, exclude it (verify.exclude), or accept it "
                 "with a reason (verify.accept_unexamined)",
            fingerprint=fingerprint(UNEXAMINED_KIND, path, word, ""),
        ))
    return InvariantResult(
        id=UNEXAMINED_ID, kind=UNEXAMINED_KIND, severity=Severity.ERROR,
        outcome=Outcome.FAIL if findings else Outcome.PASS,
        description="Every Python file in scope was examined, or is accepted as unexamined"
                    + "".join(f"; {n} accepted: {r}" for r, n in reasons.items()) + ".",
        findings=tuple(findings), files_examined=len(why),
    )


def _chosen(
    specs: Sequence[InvariantSpec], select: Sequence[str], ignore: Sequence[str]
) -> list[InvariantSpec]:
    chosen = [s for s in specs if not select or s.id in select]
    return [s for s in chosen if s.id not in ignore]


class UnknownInvariantError(UsageError, ValueError):
    """``--select``/``--ignore`` names an id the contract does not have (a usage error)."""


def check_selection(contract: Contract, select: Sequence[str], ignore: Sequence[str]) -> None:
    """Refuse a ``--select``/``--ignore`` id the contract does not declare.

    A typo must not turn the gate into "PASSED, 0 invariants": the CLI exits 2 with the
    closest id (``did you mean``) and the ids there are.
    """
    from truthgate.contract.problems import suggest

    ids = [s.id for s in contract.invariants]
    known = {*ids, SUPPRESSIONS_ID}
    for option, names in (("--select", select), ("--ignore", ignore)):
        for name in names:
            if name in known:
                continue
            guess = suggest(name, known)
            hint = f"; did you mean {guess!r}?" if guess else ""
            raise UnknownInvariantError(
                f"{option} names {name!r}, which is no invariant id of the contract{hint} "
                f"(its ids: {', '.join(ids) or 'none'})"
            )


def run_verify(
    contract: Contract,
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    baseline: Baseline | str | Path | None = None,
    use_cache: bool = True,
    jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    allow_commands: bool = False,
) -> RunReport:
    """Check ``contract``'s invariants against the repository at ``contract.root``.

    ``progress(done, total)`` follows the files being parsed (a terminal's progress bar).
    ``allow_commands``: run ``command`` invariants (argv from the contract); without it each
    is an error result "not run: needs --allow-commands" (the threat model, kb/reliability.md).

    ``baseline`` is a loaded ``Baseline`` or a path to one (BaselineError when unreadable).
    ``jobs`` caps worker processes for cold extraction (default: the usable cores).
    An unknown ``select``/``ignore`` id raises ``UnknownInvariantError`` (a UsageError: exit 2).
    """
    check_selection(contract, select, ignore)
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
                                   results, notes, skipped, allow_commands)
        cache = FactsCache(root) if use_cache else None
        files, stats = collect_facts(walked.files, cache, jobs, progress)
        state = RepoState(root, contract, files)
        results, notes = _run_all(state, baseline, specs, contract, select, ignore, stats,
                                  allow_commands)
        newer, newer_paths = newer_python_result(state, files)
        if newer is not None:
            results = [*results, newer]
        skipped = _skipped(walked.problems, files, _syntax_checked(results), newer_paths)
        unexamined = _unexamined(walked.problems, files, contract.verify.accept_unexamined)
        if unexamined is not None:
            results = [*results, unexamined]
        if results_cache is not None:
            _store(results_cache, key, walked, files, state, (results, notes, skipped))
    return _report(contract, started_at, select, ignore, baseline, use_cache, results, notes,
                   skipped, allow_commands)


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
    allow_commands: bool = False,
) -> tuple[list[InvariantResult], list[str]]:
    run = InvariantRunner(state, baseline, allow_commands=allow_commands)
    results = [run.run_invariant(spec) for spec in specs]
    notes = [_facts_note(stats.files, stats.from_cache, stats.rehashed, stats.extracted,
                         stats.workers)]
    known = {s.id for s in contract.invariants} | {s.kind for s in contract.invariants}

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
    allow_commands: bool = False,
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
            + (["--allow-commands"] if allow_commands else [])
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
