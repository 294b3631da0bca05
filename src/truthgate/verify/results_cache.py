"""The results cache under ``<root>/.truthgate_cache/``: a whole run's results, reused when
none of its inputs changed.

A warm run whose inputs are all unchanged (the walked files' contents, the contract, the
truthgate code, the files kinds looked at outside the walk) has, by construction, the same
result as the run that wrote the cache. So the engine stores each run's per-invariant
results with a ``Listing`` of those inputs and, when every input checks out, reuses them
without loading facts or running a kind. Checking costs one stat per file (done by the walk
anyway) and a hash of each file whose stat changed, which is what keeps "touched one file"
close to "nothing changed".

The file is an HMAC under the user's cache key (``cachedir.seal``: a file this user's
truthgate did not write is ignored), a magic line, the pickled listing, then the pickled
results; both are loaded with a restricted unpickler that builds only plain containers and
the result model.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from truthgate.safeio import read_regular
from truthgate.verify.cachedir import (
    CACHE_DIR,
    MAX_CACHE_BYTES,
    RACY_NS,
    atomic_write,
    paused_gc,
    stat_sig,
    unseal,
)
from truthgate.verify.walk import read_regular_file

RESULTS_FILE = "results-v2.bin"
_MAGIC = b"TGRES2\n"

_MODEL_CLASSES = frozenset(
    {"Finding", "InvariantResult", "Location", "Related", "Severity", "Outcome"}
)


class _ResultsUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> type:
        if module == "truthgate.model" and name in _MODEL_CLASSES:
            from truthgate import model

            cls: type = getattr(model, name)
            return cls
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the results cache")


@dataclass(frozen=True)
class Listing:
    """The inputs a stored result was computed from.

    ``files``: (path, size, mtime_ns, sha256 digest, trusted) per walked file, in walk order;
    ``deps``: (path, size, mtime_ns) of other paths kinds read or probed (size -1: absent).
    """

    key: str
    files: tuple[tuple[str, int, int, bytes, bool], ...]
    deps: tuple[tuple[str, int, int], ...]


class ResultsCache:
    """Stored results of the last run, reusable when every input is unchanged."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.dir = self.root / CACHE_DIR
        self.path = self.dir / RESULTS_FILE

    def lookup(
        self, key: str, walked: Sequence[tuple[str, str, int, int]]
    ) -> tuple[object, int] | None:
        """(stored payload, files re-hashed) when nothing changed since it was stored.

        ``walked`` is (path, abspath, size, mtime_ns) per file, in walk order. Files whose
        stat changed are hashed; the same bytes still count as unchanged (and the stored
        stats are refreshed so the next run need not hash them again).
        """
        try:
            sealed = read_regular(self.path, MAX_CACHE_BYTES)  # a FIFO here must not hang
        except OSError:
            return None
        raw = unseal(sealed)  # None: another user's or machine's file, not reused
        if raw is None:
            return None
        try:
            with paused_gc():
                listing, blob = _split(raw)
                if listing.key != key or len(listing.files) != len(walked):
                    return None
                rehashed = _compare(listing, walked)
                if rehashed is None or not _deps_unchanged(self.root, listing.deps):
                    return None
                payload = _ResultsUnpickler(io.BytesIO(blob)).load()
        except Exception:
            # Truncated, corrupted or planted: recompute.
            return None
        if rehashed:
            fresh = Listing(key, tuple(rehashed_files(listing, walked)), listing.deps)
            self._write(fresh, blob)
        return payload, len(rehashed)

    def save(self, listing: Listing, payload: object) -> None:
        """Store a run's results (best effort, atomic)."""
        try:
            blob = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:
            return
        self._write(listing, blob)

    def _write(self, listing: Listing, blob: bytes) -> None:
        head = pickle.dumps((listing.key, listing.files, listing.deps), protocol=5)
        data = _MAGIC + len(head).to_bytes(8, "little") + head + blob
        atomic_write(self.dir, self.path, data)

    def forget(self) -> None:
        """Drop stored results (a run whose results must not be reused)."""
        with contextlib.suppress(OSError):
            self.path.unlink()


def _split(raw: bytes) -> tuple[Listing, bytes]:
    if not raw.startswith(_MAGIC):
        raise ValueError("not a results cache")
    n = len(_MAGIC)
    size = int.from_bytes(raw[n : n + 8], "little")
    # Plain tuples of str/int/bool: the restricted unpickler refuses anything else.
    key, files, deps = _ResultsUnpickler(io.BytesIO(raw[n + 8 : n + 8 + size])).load()
    if not isinstance(key, str) or not isinstance(files, tuple) or not isinstance(deps, tuple):
        raise ValueError("malformed results cache")
    return Listing(key, files, deps), raw[n + 8 + size :]


def _compare(
    listing: Listing, walked: Sequence[tuple[str, str, int, int]]
) -> list[int] | None:
    """Indexes of files re-hashed and found identical; None as soon as anything differs."""
    rehashed: list[int] = []
    for i, ((path, abspath, size, mtime), (opath, osize, omtime, osha, trusted)) in enumerate(
        zip(walked, listing.files, strict=True)
    ):
        if path != opath or size != osize:
            return None
        if mtime == omtime and trusted:
            continue
        try:
            data = read_regular_file(abspath)
        except OSError:
            return None
        if not osha or hashlib.sha256(data).digest() != osha:
            return None
        rehashed.append(i)
    return rehashed


def rehashed_files(
    listing: Listing, walked: Sequence[tuple[str, str, int, int]]
) -> list[tuple[str, int, int, bytes, bool]]:
    """The listing with every file's current stat (all files were just proven unchanged)."""
    now = time.time_ns()
    return [
        (path, size, mtime, old[3], mtime < now - RACY_NS)
        for (path, _abs, size, mtime), old in zip(walked, listing.files, strict=True)
    ]


def _deps_unchanged(root: Path, deps: Sequence[tuple[str, int, int]]) -> bool:
    base = os.path.realpath(root)
    return all(stat_sig(os.path.join(base, p)) == (s, m) for p, s, m in deps)


def make_listing(
    key: str,
    walked: Sequence[tuple[str, int, int, str]],
    deps: Sequence[tuple[str, int, int]],
) -> Listing | None:
    """A listing for ``save``; None when an input is too fresh to be trusted by stat later."""
    now = time.time_ns()
    if any(m >= now - RACY_NS for _p, s, m in deps if s >= 0):
        # A file kinds read outside the walk may still change within its mtime tick, and
        # there is no hash to fall back on for it: do not store.
        return None
    # Raw digests: the listing is read on every warm run, so it is kept small.
    files = tuple(
        (p, s, m, bytes.fromhex(sha) if sha else b"", m < now - RACY_NS)
        for p, s, m, sha in walked
    )
    return Listing(key, files, tuple(sorted(deps)))
