"""Baselines: accept today's findings so a legacy repository fails only on new ones.

A finding is identified by its fingerprint (kind, path, the violation's key and the text of
its source line, never the line number), so baselined findings survive code moving up or
down. Identical fingerprints are counted: two baselined copies excuse two findings, not ten.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from truthgate import __version__
from truthgate.errors import TruthgateError
from truthgate.model import RunReport
from truthgate.redact import scrub
from truthgate.safeio import read_regular

BASELINE_VERSION = 1

MAX_BASELINE_BYTES = 64 << 20  # refused past this, never read unbounded


class BaselineError(TruthgateError):
    """The baseline file is missing, unreadable or not a truthgate baseline."""


def fingerprint(kind: str, path: str, key: str, line_text: str) -> str:
    """The stable identity of a finding (hex sha256)."""
    raw = "\0".join((kind, path, key, line_text.strip()))
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Baseline:
    """Accepted fingerprints (with multiplicity)."""

    fingerprints: tuple[str, ...] = ()
    path: str = ""

    def counts(self) -> Counter[str]:
        """Fingerprint -> how many findings with it are accepted."""
        return Counter(self.fingerprints)


def write_baseline(report: RunReport, path: str | Path) -> int:
    """Write every finding of ``report`` as accepted; returns how many were written."""
    entries = sorted(
        (
            {
                "fingerprint": f.fingerprint,
                "invariant": f.invariant_id,
                "kind": f.kind,
                "path": f.location.path if f.location else "",
                "message": f.message,
            }
            for f in report.findings
            if f.fingerprint
        ),
        key=lambda e: (e["invariant"], e["path"], e["fingerprint"]),
    )
    doc: dict[str, object] = {
        "truthgate_baseline": BASELINE_VERSION,
        "truthgate_version": __version__,
        "findings": entries,
    }
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".baseline-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            # Through the redaction boundary: a baseline is committed (messages quote code).
            fh.write(scrub(json.dumps(doc, indent=2, sort_keys=True) + "\n"))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return len(entries)


def load_baseline(path: str | Path) -> Baseline:
    """Read a baseline written by ``write_baseline`` (BaselineError when it is not one)."""
    try:
        doc = json.loads(read_regular(path, MAX_BASELINE_BYTES).decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("truthgate_baseline") != BASELINE_VERSION:
        raise BaselineError(f"{path} is not a truthgate baseline (version {BASELINE_VERSION})")
    entries = doc.get("findings")
    if not isinstance(entries, list):
        raise BaselineError(f"{path}: 'findings' must be a list")
    prints = tuple(
        e["fingerprint"]
        for e in entries
        if isinstance(e, dict) and isinstance(e.get("fingerprint"), str)
    )
    return Baseline(prints, str(path))
