"""What every masked value becomes, in log lines, smoke reports and every output alike."""

from __future__ import annotations

MASK = "***"
