"""Remember which contract texts already passed schema validation.

JSON Schema validation is most of a contract's load time (about 0.9 s of a smoke run's
start-up for the demo contract on a slow VM, and it imports jsonschema). A contract rarely
changes between runs, so a text that validated once is marked valid under a key of its
sha256, a fingerprint of truthgate's own sources (which the schema is built from) and the
truthgate version; the next run with the same key skips the validator. Only successes are remembered: an invalid contract is validated
every time, so its located problems are always fresh.

The marks are empty files in the user's cache directory (``$XDG_CACHE_HOME/truthgate`` or
``~/.cache/truthgate``), so an empty file is the whole record and cannot be half written.
``TRUTHGATE_NO_CONTRACT_CACHE=1`` turns this off. Anyone who can write that directory
could mark an invalid text as valid; they could equally edit the contract, so the cache
adds no power over the gate.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path

from truthgate import __version__
from truthgate.contract.schema import contract_schema

MAX_MARKS = 256  # old marks are pruned past this many (fuzzers validate thousands)


def _cache_dir() -> Path | None:
    if os.environ.get("TRUTHGATE_NO_CONTRACT_CACHE") == "1":
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    return Path(base) / "truthgate" / "valid-contracts"


PACKAGE_DIR = Path(__file__).resolve().parent.parent


@functools.lru_cache(maxsize=1)
def _schema_fingerprint() -> str:
    """A key that changes whenever the schema may have: any edit to truthgate's code.

    The schema is assembled from every kind's parameters, so hashing it means importing
    all the verify kinds (~40 modules) before a smoke run can even look its mark up. The
    size and mtime of every module of the package give the same guarantee (an editable
    install edited in place changes them) for a directory walk: ~0.5 ms instead of ~45.
    """
    try:
        stamps = _source_stamps(PACKAGE_DIR)
    except OSError:  # a package dir we cannot list (zipped): hash the schema itself
        stamps = json.dumps(contract_schema(), sort_keys=True, default=repr)
    return hashlib.sha256(f"{__version__}\n{stamps}".encode()).hexdigest()[:32]


def _source_stamps(directory: Path) -> str:
    """``relative path:size:mtime_ns`` of every .py file below ``directory``, sorted."""
    lines: list[str] = []
    pending = [directory]
    while pending:
        current = pending.pop()
        with os.scandir(current) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        pending.append(Path(entry.path))
                elif entry.name.endswith(".py"):
                    st = entry.stat()
                    rel = os.path.relpath(entry.path, directory)
                    lines.append(f"{rel}:{st.st_size}:{st.st_mtime_ns}")
    if not lines:
        raise OSError(f"no Python sources found in {directory}")
    return "\n".join(sorted(lines))


def _mark(text_sha256: str) -> Path | None:
    directory = _cache_dir()
    if directory is None:
        return None
    return directory / f"{text_sha256[:40]}-{_schema_fingerprint()}"


def known_valid(text_sha256: str) -> bool:
    """True when this exact text passed this exact schema before."""
    mark = _mark(text_sha256)
    return mark is not None and mark.is_file()


def remember_valid(text_sha256: str) -> None:
    """Mark the text valid; best effort (a read-only home only costs speed)."""
    mark = _mark(text_sha256)
    if mark is None:
        return
    try:
        mark.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(mark, os.O_CREAT | os.O_WRONLY, 0o644))
        _prune(mark.parent)
    except OSError:
        return


def _prune(directory: Path) -> None:
    with os.scandir(directory) as it:
        entries = [e for e in it if e.is_file()]
    if len(entries) <= MAX_MARKS:
        return
    entries.sort(key=lambda e: e.stat().st_mtime_ns)
    for e in entries[: len(entries) - MAX_MARKS // 2]:
        try:
            os.unlink(e.path)
        except OSError:
            continue
