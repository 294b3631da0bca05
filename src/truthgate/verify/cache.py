"""The facts cache under ``<root>/.truthgate_cache/``: one pickle, written atomically.

Entries are keyed by path and checked against (size, mtime_ns), then the content sha256: a
warm run stats every file but reads only those whose stat changed, and re-parses only those
whose bytes changed. The whole file is tagged with the truthgate version and
``FACTS_VERSION``; a mismatch, a truncated or a corrupted file simply means an empty cache.

The file is sealed with an HMAC under the user's cache key (``cachedir.seal``), so a cache
file planted in a hostile repository is ignored before it is unpickled; loading still uses a
restricted unpickler that can only build the facts dataclasses. The per-run results cache, which sits
next to it, is ``results_cache.py``; what both share is ``cachedir.py``.
"""

from __future__ import annotations

import io
import pickle
import time
from dataclasses import dataclass
from pathlib import Path

from truthgate import __version__
from truthgate.safeio import read_regular
from truthgate.verify import facts as facts_module
from truthgate.verify.cachedir import (
    CACHE_DIR,
    MAX_CACHE_BYTES,
    RACY_NS,
    atomic_write,
    code_stamp,
    paused_gc,
    unseal,
)
from truthgate.verify.facts import FACTS_VERSION, FileFacts

CACHE_FILE = f"facts-v{FACTS_VERSION}.sealed"
_ALLOWED = frozenset(
    name for name in dir(facts_module) if isinstance(getattr(facts_module, name), type)
)

_BUILTINS: dict[str, type] = {"frozenset": frozenset, "set": set}


@dataclass(frozen=True)
class CacheEntry:
    """The facts of one file with the stat they were taken at."""

    size: int
    mtime_ns: int
    facts: FileFacts
    trust_stat: bool = True  # False: stat alone is not proof, compare the hash


class _FactsUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> type:
        if module == "truthgate.verify.facts" and name in _ALLOWED:
            cls: type = getattr(facts_module, name)
            return cls
        if module == __name__ and name == "CacheEntry":
            return CacheEntry
        if module == "builtins" and name in _BUILTINS:
            return _BUILTINS[name]
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the facts cache")


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
            sealed = read_regular(self.path, MAX_CACHE_BYTES)  # a FIFO here must not hang
        except OSError:
            return {}
        raw = unseal(sealed)  # not written by this user's truthgate (a committed file): ignored
        if raw is None:
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
            path: CacheEntry(e.size, e.mtime_ns, e.facts, e.mtime_ns < now - RACY_NS)
            for path, e in self._new.items()
        }
        payload = {"stamp": _stamp(), "entries": entries}
        atomic_write(self.dir, self.path, pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))
