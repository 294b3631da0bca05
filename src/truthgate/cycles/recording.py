"""Recording a run as the next cycle: when it is wanted and where the ledger lives."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from truthgate.contract.model import Contract
from truthgate.model import RunReport


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

    For ``verify``/``smoke``/``logs`` to call after the run. Raises OSError when the
    ledger cannot be written: the caller decides whether that fails the command.
    """
    from truthgate.cycles.ledger import record_cycle

    if not record_wanted(record, os.environ if environ is None else environ):
        return None
    return record_cycle(report, ledger_dir(contract)).path
