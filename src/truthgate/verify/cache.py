"""The facts cache under ``<root>/.truthgate_cache/``: one pickle, written atomically.

Entries are keyed by path and checked against (size, mtime_ns), then the content sha256: a
warm run stats every file but reads only those whose stat changed, and re-parses only those
whose bytes changed. The whole file is tagged with the truthgate version and
``FACTS_VERSION``; a mismatch, a truncated or a corrupted file simply means an empty cache.

Loading uses a restricted unpickler that can only build the facts dataclasses, so a cache
file planted in a hostile repository cannot run code.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import gc
import hashlib
import io
import os
import pickle
import re
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from truthgate import __version__
from truthgate.verify import facts as facts_module
from truthgate.verify.facts import FACTS_VERSION, FileFacts
from truthgate.verify.walk import read_regular_file

CACHE_DIR = ".truthgate_cache"
CACHE_FILE = f"facts-v{FACTS_VERSION}.pickle"
# A file modified this close to the cache write may change again within the same mtime tick
# without its size changing; such entries are re-hashed on the next run instead of trusted.
_RACY_NS = 2_000_000_000
_ALLOWED = frozenset(
    name for name in dir(facts_module) if isinstance(getattr(facts_module, name), type)
)

_BUILTINS: dict[str, type] = {"frozenset": frozenset, "set": set}


@dataclass(frozen=True)
class CacheEntry:
    size: int
    mtime_ns: int
    facts: FileFacts
    trust_stat: bool = True  # False: stat alone is not proof, compare the hash


class _FactsUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> type:
        if module == "truthgate.verify.facts" and name in _ALLOWED:
            cls: type = getattr(facts_module, name)
            return cls
        if module == "truthgate.verify.cache" and name == "CacheEntry":
            return CacheEntry
        if module == "builtins" and name in _BUILTINS:
            return _BUILTINS[name]
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the facts cache")


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic GC: building many small acyclic objects (unpickling, ASTs) otherwise
    triggers collections that scan everything allocated so far, about doubling the cost."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _stamp() -> str:
    return f"truthgate {__version__} facts {FACTS_VERSION} code {code_stamp()}"


class FactsCache:
    """Cached facts of one repository; ``lookup`` during a run, ``save`` at the end."""

    def __init__(self, root: Path) -> None:
        self.dir = Path(root) / CACHE_DIR
        self.path = self.dir / CACHE_FILE
        self._entries: dict[str, CacheEntry] = self._load()
        self._new: dict[str, CacheEntry] = {}
        self._dirty = False

    def _load(self) -> dict[str, CacheEntry]:
        try:
            raw = self.path.read_bytes()
        except OSError:
            return {}
        try:
            with paused_gc():
                data = _FactsUnpickler(io.BytesIO(raw)).load()
        except Exception:
            # Truncated, corrupted, planted or from another Python: start afresh.
            return {}
        if not isinstance(data, dict) or data.get("stamp") != _stamp():
            return {}
        entries = data.get("entries")
        if not isinstance(entries, dict):
            return {}
        return {
            k: v
            for k, v in entries.items()
            if isinstance(k, str) and isinstance(v, CacheEntry) and isinstance(v.facts, FileFacts)
        }

    def __len__(self) -> int:
        return len(self._entries)

    def fresh(self, path: str, size: int, mtime_ns: int) -> FileFacts | None:
        """Cached facts when the file's stat is unchanged and can be trusted, else None."""
        entry = self._entries.get(path)
        if entry and entry.trust_stat and entry.size == size and entry.mtime_ns == mtime_ns:
            return entry.facts
        return None

    def known_hash(self, path: str) -> FileFacts | None:
        """Cached facts regardless of stat (the caller compares ``sha256`` itself)."""
        entry = self._entries.get(path)
        return entry.facts if entry else None

    def put(self, facts: FileFacts, size: int, mtime_ns: int) -> None:
        """Record the facts of a file as seen in this run."""
        old = self._entries.get(facts.path)
        if (
            old is None
            or old.facts is not facts
            or (old.size, old.mtime_ns) != (size, mtime_ns)
            or not old.trust_stat
        ):
            self._dirty = True
        self._new[facts.path] = CacheEntry(size, mtime_ns, facts)

    def save(self) -> None:
        """Atomically replace the cache file with this run's entries (best effort)."""
        if not self._dirty and self._new.keys() == self._entries.keys():
            return
        now = time.time_ns()
        entries = {
            path: CacheEntry(e.size, e.mtime_ns, e.facts, e.mtime_ns < now - _RACY_NS)
            for path, e in self._new.items()
        }
        payload = {"stamp": _stamp(), "entries": entries}
        _atomic_write(self.dir, self.path, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))


# -- the results cache ---------------------------------------------------------------------
# A warm run whose inputs are all unchanged (the walked files' contents, the contract, the
# truthgate code, the files kinds looked at outside the walk) has, by construction, the same
# result as the run that wrote the cache. So the engine stores each run's per-invariant
# results with a listing of those inputs and, when every input checks out, reuses them
# without loading facts or running a kind. Checking costs one stat per file (done by the walk
# anyway) and a hash of each file whose stat changed, which is what keeps "touched one file"
# close to "nothing changed".

RESULTS_FILE = "results-v1.bin"
_MAGIC = b"TGRES1\n"

_MODEL_CLASSES = frozenset(
    {"Finding", "InvariantResult", "Location", "Severity", "Outcome"}
)


class _ResultsUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> type:
        if module == "truthgate.model" and name in _MODEL_CLASSES:
            from truthgate import model

            cls: type = getattr(model, name)
            return cls
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the results cache")


def _canon(obj: object) -> object:
    """A hash-seed-independent rendering of contract data (sets sorted, dataclasses opened)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return (type(obj).__name__,) + tuple(
            (f.name, _canon(getattr(obj, f.name))) for f in dataclasses.fields(obj)
        )
    if isinstance(obj, (set, frozenset)):
        return ("set", sorted(repr(_canon(x)) for x in obj))
    if isinstance(obj, dict):
        return ("dict", sorted((repr(_canon(k)), _canon(v)) for k, v in obj.items()))
    if isinstance(obj, (list, tuple)):
        return tuple(_canon(x) for x in obj)
    if isinstance(obj, enum.Enum):
        return obj.value
    if isinstance(obj, (str, int, float, bool, type(None))):
        return obj
    if isinstance(obj, re.Pattern):
        return ("re", obj.pattern, obj.flags)
    return (type(obj).__name__, str(obj))


def digest_of(*parts: object) -> str:
    """sha256 of a canonical rendering of ``parts``."""
    return hashlib.sha256(repr(_canon(parts)).encode("utf-8", "replace")).hexdigest()


def code_stamp() -> str:
    """Identity of the verify code in use: version plus (path, size, mtime) of its sources.

    An editable install keeps its version while kinds change under it; a cache that ignored
    that would serve results computed by code that no longer exists. Only what results are
    computed from counts (``truthgate/verify/**`` and the result model): an edit to the
    reporters or the smoke engine must not throw every repository's cache away.
    """
    global _CODE_STAMP
    if _CODE_STAMP:
        return _CODE_STAMP
    verify_dir = os.path.dirname(os.path.abspath(facts_module.__file__))
    package_dir = os.path.dirname(verify_dir)
    seen: list[tuple[str, int, int]] = []
    for path in (os.path.join(package_dir, "model.py"),):
        size, mtime = stat_sig(path)
        seen.append((path[len(package_dir) :], size, mtime))
    stack = [verify_dir]
    while stack:
        d = stack.pop()
        try:
            with os.scandir(d) as it:
                for e in it:
                    if e.name.endswith(".py"):
                        st = e.stat()
                        seen.append((e.path[len(package_dir) :], st.st_size, st.st_mtime_ns))
                    elif e.is_dir(follow_symlinks=False) and e.name != "__pycache__":
                        stack.append(e.path)
        except OSError:
            continue
    seen.sort()
    _CODE_STAMP = digest_of(__version__, sys.version, seen)
    return _CODE_STAMP


_CODE_STAMP = ""


@dataclass(frozen=True)
class Listing:
    """The inputs a stored result was computed from.

    ``files``: (path, size, mtime_ns, sha256 digest, trusted) per walked file, in walk order;
    ``deps``: (path, size, mtime_ns) of other paths kinds read or probed (size -1: absent).
    """

    key: str
    files: tuple[tuple[str, int, int, bytes, bool], ...]
    deps: tuple[tuple[str, int, int], ...]


def stat_sig(abspath: str) -> tuple[int, int]:
    """(size, mtime_ns) of a path, (-1, 0) when it does not exist."""
    try:
        st = os.stat(abspath)
    except OSError:
        return -1, 0
    return st.st_size, st.st_mtime_ns


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
            raw = self.path.read_bytes()
        except OSError:
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
        _atomic_write(self.dir, self.path, data)

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
        (path, size, mtime, old[3], mtime < now - _RACY_NS)
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
    if any(m >= now - _RACY_NS for _p, s, m in deps if s >= 0):
        # A file kinds read outside the walk may still change within its mtime tick, and
        # there is no hash to fall back on for it: do not store.
        return None
    # Raw digests: the listing is read on every warm run, so it is kept small.
    files = tuple(
        (p, s, m, bytes.fromhex(sha) if sha else b"", m < now - _RACY_NS)
        for p, s, m, sha in walked
    )
    return Listing(key, files, tuple(sorted(deps)))


def _atomic_write(directory: Path, target: Path, data: bytes) -> None:
    try:
        directory.mkdir(exist_ok=True)
        gitignore = directory / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("*\n", encoding="utf-8")
        fd, tmp = tempfile.mkstemp(prefix=".tg-", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            # os.replace is atomic: a concurrent reader sees the old or the new file whole.
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError:
        # A read-only checkout still gets a correct (if slower) run.
        return
