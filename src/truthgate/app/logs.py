"""The ``logs`` use case: load the contract, stream the log through the scan, stamp it.

In the use-case layer (it loads, stamps and records like every use case), above the
log gate's pure scan in ``logs/``.

This is the shell around the pure scan: it reads the environment (secret values to mask)
and the file system (the contract, the log). The release flow calls :func:`run_logs` too.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from truthgate import redact
from truthgate.app import load_guarded, record_cycle, stamp, utc_now
from truthgate.logs.report import logs_report
from truthgate.logs.scan import scan_blocks
from truthgate.logs.source import display_name, open_blocks
from truthgate.model import RunReport


def run_logs(contract_path: Path, source: str = "-", *, root: Path | None = None,
             environ: Mapping[str, str] | None = None, record: bool | None = False,
             name: str | None = None) -> RunReport:
    """Scan ``source`` (a path, or ``-`` for stdin) against the contract's observability rules.

    ``record`` as for verify: True records a cycle, None records under CI=true, False never
    (the release flow records its own cycle). ``name`` is how reports name the log (default:
    the path, or ``<stdin>``). Raises the contract loader's errors for a bad
    contract and OSError for an unreadable log.
    """
    env = os.environ if environ is None else environ
    contract = load_guarded(contract_path, root=root, environ=env)
    secrets = redact.active().secrets
    started = utc_now()
    with open_blocks(source) as blocks:
        scan = scan_blocks(blocks, contract.observability, secrets)
    report = logs_report(scan, name or display_name(source), started_at=started,
                         finished_at=utc_now())
    return record_cycle(stamp(report, contract), contract, record, env)
