"""Recording a run as the next cycle: when it is wanted and where the ledger lives."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from truthgate.contract.model import Contract
from truthgate.errors import TruthgateError
from truthgate.model import RunReport


class RecordError(TruthgateError, ValueError):
    """The run finished but could not be recorded as a cycle (a usage error: exit 2)."""


def ledger_dir(contract: Contract) -> Path:
    """Where ``contract`` keeps its cycles: ``release.cycles_dir`` under its root."""
    return contract.root / contract.release.cycles_dir


def record_wanted(record: bool | None, environ: Mapping[str, str]) -> bool:
    """``--record``/``--no-record`` when given; otherwise on exactly when ``CI=true``."""
    if record is not None:
        return record
    return environ.get("CI", "").strip().lower() == "true"


def record_if_asked(
    report: RunReport,
    contract: Contract,
    record: bool | None,
    environ: Mapping[str, str] | None = None,
) -> Path | None:
    """Record ``report`` as the next cycle when asked; the cycle file, or None.

    For ``verify``/``smoke``/``logs`` to call after the run. Raises :class:`RecordError`
    saying why in words when the ledger cannot be written (read-only, full disk, not a
    directory); the ledger leaves no half-written cycle behind (temp file, then a link).
    """
    from truthgate.cycles.ledger import record_cycle

    if not record_wanted(record, os.environ if environ is None else environ):
        return None
    where = ledger_dir(contract)
    try:
        return record_cycle(report, where).path
    except OSError as exc:
        verdict = {0: "passed", 1: "failed"}.get(report.exit_code, "ended")
        raise RecordError(
            f"cannot record this {report.context.command or 'run'} as a cycle in "
            f"{where}: {exc.strerror or exc} (the run itself {verdict}; no cycle was "
            "written)") from None
