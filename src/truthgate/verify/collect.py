"""Facts for every walked file: from the cache when unchanged, else extracted (in parallel
across processes when there are enough files to pay for the pool)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from truthgate.verify.cache import FactsCache
from truthgate.verify.cachedir import paused_gc
from truthgate.verify.extract import extract_facts
from truthgate.verify.facts import FileFacts
from truthgate.verify.walk import WalkedFile, read_regular_file

# Below this many files to extract, starting worker processes costs more than it saves.
PARALLEL_MIN_FILES = 200
_CHUNKS_PER_WORKER = 4


@dataclass(frozen=True)
class CollectStats:
    """How the facts of a run were obtained (for notes and for tests)."""

    files: int = 0
    from_cache: int = 0  # reused without reading the file
    rehashed: int = 0  # stat changed, content hashed, content unchanged: reused
    extracted: int = 0  # read and parsed
    workers: int = 1


def default_jobs() -> int:
    """How many worker processes this machine can usefully run."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _unreadable(path: str, exc: OSError) -> FileFacts:
    detail = "permission denied" if isinstance(exc, PermissionError) else str(exc.strerror or exc)
    return FileFacts(
        path, 0, "", 0, is_python=path.endswith(".py"), problem="unreadable", problem_detail=detail
    )


def _extract_one(path: str, abspath: str) -> FileFacts:
    try:
        data = read_regular_file(abspath)
    except OSError as exc:
        return _unreadable(path, exc)
    return extract_facts(path, data)


def _extract_chunk(items: Sequence[tuple[str, str]]) -> list[FileFacts]:
    with paused_gc():
        return [_extract_one(path, abspath) for path, abspath in items]


def _chunks(todo: Sequence[WalkedFile], n: int) -> list[list[tuple[str, str]]]:
    # Largest files first, dealt round-robin, so no chunk ends up with all the giants.
    ordered = sorted(todo, key=lambda f: f.size, reverse=True)
    out: list[list[tuple[str, str]]] = [[] for _ in range(n)]
    for i, f in enumerate(ordered):
        out[i % n].append((f.path, f.abspath))
    return [c for c in out if c]


def _extract_serial(todo: Sequence[WalkedFile], tick: Callable[[int], None] | None
                    ) -> list[FileFacts]:
    if tick is None:
        return _extract_chunk([(f.path, f.abspath) for f in todo])
    out: list[FileFacts] = []
    with paused_gc():
        for f in todo:
            out.append(_extract_one(f.path, f.abspath))
            tick(1)
    return out


def _extract_many(todo: Sequence[WalkedFile], jobs: int,
                  tick: Callable[[int], None] | None = None) -> tuple[list[FileFacts], int]:
    """Facts of ``todo``; ``tick(n)`` after each n files parsed (progress on a terminal)."""
    if jobs <= 1 or len(todo) < PARALLEL_MIN_FILES:
        return _extract_serial(todo, tick), 1
    # Imported here: serial runs (small repositories, warm caches) never pay for it.
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    chunks = _chunks(todo, jobs * _CHUNKS_PER_WORKER)
    try:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            results = []
            for chunk in pool.map(_extract_chunk, chunks):
                results.append(chunk)
                if tick is not None:
                    tick(len(chunk))
    except (OSError, BrokenProcessPool):
        # No processes allowed here (sandbox, exhausted limits): still give the right answer.
        return _extract_serial(todo, tick), 1
    return [facts for chunk in results for facts in chunk], jobs


def collect_facts(
    files: Sequence[WalkedFile], cache: FactsCache | None, jobs: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[tuple[FileFacts, ...], CollectStats]:
    """Facts of ``files`` (same order), reusing and refreshing ``cache`` when given.

    ``progress(done, total)`` is called as files are parsed (cached ones count as done).
    """
    jobs = default_jobs() if jobs is None else max(1, jobs)
    found: dict[str, FileFacts] = {}
    todo: list[WalkedFile] = []
    from_cache = rehashed = 0
    for f in files:
        if cache is not None:
            hit = cache.fresh(f.path, f.size, f.mtime_ns)
            if hit is not None:
                found[f.path] = hit
                from_cache += 1
                continue
            old = cache.known_hash(f.path)
            if old is not None and old.size == f.size and old.sha256:
                try:
                    data = read_regular_file(f.abspath)
                except OSError:
                    data = b""
                if data and hashlib.sha256(data).hexdigest() == old.sha256:
                    found[f.path] = old
                    rehashed += 1
                    continue
        todo.append(f)
    tick = None
    if progress is not None:
        total, done = len(files), [len(files) - len(todo)]
        progress(done[0], total)

        def tick(n: int) -> None:
            done[0] += n
            progress(done[0], total)

    extracted, workers = _extract_many(todo, jobs, tick)
    for facts in extracted:
        found[facts.path] = facts
    ordered = tuple(found[f.path] for f in files)
    if cache is not None:
        for f, facts in zip(files, ordered, strict=False):
            if facts.problem != "unreadable":
                cache.put(facts, f.size, f.mtime_ns)
        cache.save()
    stats = CollectStats(len(files), from_cache, rehashed, len(extracted), workers)
    return ordered, stats
