"""What both caches under ``<root>/.truthgate_cache/`` share: where they live, how they are
written, and how a stored entry proves it still describes the present.

* ``atomic_write``: a temp file then ``os.replace``, so a concurrent reader sees the old or the
  new file whole, and a read-only checkout just runs uncached;
* ``stat_sig`` and ``RACY_NS``: a (size, mtime_ns) pair is trusted only when the file was not
  modified within the racy window before the cache was written (it could change again within
  the same mtime tick without its size changing);
* ``code_stamp`` and ``digest_of``: the identity of the verify code in use and a
  hash-seed-independent digest of contract data, which key both caches;
* ``paused_gc``: (un)pickling and a run build millions of small acyclic objects, which the
  cyclic GC would otherwise rescan over and over;
* ``seal`` and ``unseal``: every cache file carries an HMAC-SHA256 of its bytes under a
  per-user key kept outside the repository (``$XDG_CACHE_HOME/truthgate/cache-key``, 0600).
  A cache file committed in a pull request, copied from another machine or edited by hand
  fails the check and is ignored, so it cannot turn a red verdict green (kb/reliability.md
  section 7). Without a usable key the caches are neither read nor written.
"""

from __future__ import annotations

import contextlib
import dataclasses
import enum
import functools
import gc
import hashlib
import hmac
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from truthgate import __version__
from truthgate.safeio import read_regular

CACHE_DIR = ".truthgate_cache"
MAX_CACHE_BYTES = 1 << 30  # a cache file past this (or not a regular file) is ignored
# A file modified this close to the cache write may change again within the same mtime tick
# without its size changing; such entries are re-hashed on the next run instead of trusted.
RACY_NS = 2_000_000_000


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
            # Everything built while paused counts as young: re-enabled as is, the next
            # allocation would start a collection that scans all of it (a third of a
            # second on Django). Moved to the oldest generation instead (freeze, then
            # unfreeze), it is scanned only by a full collection, if one ever comes;
            # cycles in it are still found then.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def stat_sig(abspath: str) -> tuple[int, int]:
    """(size, mtime_ns) of a path, (-1, 0) when it does not exist."""
    try:
        st = os.stat(abspath)
    except OSError:
        return -1, 0
    return st.st_size, st.st_mtime_ns


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
    verify_dir = os.path.dirname(os.path.abspath(__file__))
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


def atomic_write(directory: Path, target: Path, data: bytes) -> None:
    """Replace ``target`` (inside the cache ``directory``) with ``data``, sealed; best effort.

    The directory is created with a ``.gitignore`` of ``*`` so the cache is never committed.
    Nothing is written without a cache key (``seal``).
    """
    sealed = seal(data)
    if sealed is None:
        return
    data = sealed
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


_KEY_BYTES = 32
MAC_BYTES = 32


def key_path() -> Path | None:
    """Where this user's cache key lives: outside every repository, in the user's cache."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    return Path(base) / "truthgate" / "cache-key"


@functools.lru_cache(maxsize=4)
def _key_at(path: Path) -> bytes | None:
    try:
        key = read_regular(path, 4096)
        if len(key) == _KEY_BYTES and os.stat(path).st_uid == os.getuid():
            return key
    except OSError:
        pass
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".key-", dir=path.parent)  # mode 0600
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(os.urandom(_KEY_BYTES))
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        key = read_regular(path, 4096)  # a concurrent writer may have won: use its key
    except OSError:
        return None
    return key if len(key) == _KEY_BYTES else None


def cache_key() -> bytes | None:
    """This user's cache key (created on first use), None when it cannot be kept."""
    path = key_path()
    return _key_at(path) if path is not None else None


def seal(data: bytes) -> bytes | None:
    """``data`` prefixed with its HMAC under this user's key; None without a key."""
    key = cache_key()
    if key is None:
        return None
    return hmac.new(key, data, hashlib.sha256).digest() + data


def unseal(raw: bytes) -> bytes | None:
    """The data of a sealed cache file, or None when its HMAC is not this user's."""
    key = cache_key()
    if key is None or len(raw) < MAC_BYTES:
        return None
    mac, data = raw[:MAC_BYTES], raw[MAC_BYTES:]
    if not hmac.compare_digest(mac, hmac.new(key, data, hashlib.sha256).digest()):
        return None
    return data
