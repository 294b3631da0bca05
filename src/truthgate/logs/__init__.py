"""The log gate: a deployment's logs against the contract's ``observability`` rules.

``scan_logs`` (pure, streaming) finds forbidden patterns over their thresholds and error
loops; ``logs_report`` turns the scan into a :class:`~truthgate.model.RunReport`;
the use case the CLI and the release flow call is ``truthgate.app.logs.run_logs``.
"""

from __future__ import annotations

from truthgate.logs.report import logs_report
from truthgate.logs.scan import ErrorLoop, LogScan, PatternScan, Quote, scan_logs
from truthgate.logs.source import iter_lines, open_source

__all__ = [
    "ErrorLoop",
    "LogScan",
    "PatternScan",
    "Quote",
    "iter_lines",
    "logs_report",
    "open_source",
    "scan_logs",
]
