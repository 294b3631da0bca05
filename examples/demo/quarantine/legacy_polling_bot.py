"""RETIRED: the long-polling bot that the webhook relay replaced. Do not run.

Kept so its message handling can be compared with app/service.py; it is quarantined and
never imported by the blessed path.
"""

from __future__ import annotations

import time


def poll_forever(interval_s: float = 1.0, rounds: int = 3) -> None:
    """What the old bot did: ask for updates in a loop (bounded here, it is only a record)."""
    for _ in range(rounds):
        time.sleep(interval_s)


if __name__ == "__main__":
    poll_forever()
