"""In-memory state of one demo app: mode, queue counters, idempotency keys, rate buckets.

All of it is touched only from the event loop thread, and no handler awaits between reading
and updating it, so check-then-set sequences are atomic without locks.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass, field

# Bounds on per-key memory: an attacker sending fresh ids or client addresses must not grow
# the process without limit. The oldest entries are forgotten first.
MAX_IDEMPOTENCY_KEYS = 10_000
MAX_RATE_CLIENTS = 4_096


@dataclass
class Counters:
    received: int = 0
    processed: int = 0
    duplicates: int = 0
    rejected: int = 0
    generated: int = 0

    @property
    def depth(self) -> int:
        return self.received - self.processed


class IdempotencyStore:
    """Remembers which keys were seen and how often each was processed (bounded LRU)."""

    def __init__(self, capacity: int = MAX_IDEMPOTENCY_KEYS) -> None:
        self._processed: OrderedDict[str, int] = OrderedDict()
        self._capacity = capacity

    def first_time(self, key: str) -> bool:
        """True the first time ``key`` is offered; remembers it either way."""
        if key in self._processed:
            self._processed.move_to_end(key)
            return False
        self._processed[key] = 0
        if len(self._processed) > self._capacity:
            self._processed.popitem(last=False)
        return True

    def mark_processed(self, key: str) -> None:
        self._processed[key] = self._processed.get(key, 0) + 1

    def times_processed(self, key: str) -> int:
        """How often ``key``'s update was processed: 1 when idempotency holds, 0 if unseen.

        A per-key count lets a smoke check measure its own request's effect even while
        other scenarios send webhooks concurrently (a global counter would race).
        """
        return self._processed.get(key, 0)

    def __len__(self) -> int:
        return len(self._processed)


class RateLimiter:
    """A token bucket per client: ``rate`` requests a second, bursts of up to ``rate``."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def acquire(self, client: str, now: float | None = None) -> float:
        """0.0 when the request may pass, else the seconds until a token is available."""
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.pop(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / self.rate
        self._buckets[client] = (tokens, now)
        if len(self._buckets) > MAX_RATE_CLIENTS:
            self._buckets.popitem(last=False)
        return wait

    @staticmethod
    def retry_after(wait: float) -> str:
        """Retry-After takes whole seconds; round up so a client honouring it is not refused."""
        return str(max(1, math.ceil(wait)))


@dataclass
class DemoState:
    mode: str
    rate_limit_per_s: float
    started_at: float = field(default_factory=time.monotonic)
    counters: Counters = field(default_factory=Counters)
    idempotency: IdempotencyStore = field(default_factory=IdempotencyStore)
    limiter: RateLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.limiter = RateLimiter(self.rate_limit_per_s)

    def uptime_s(self) -> float:
        return time.monotonic() - self.started_at
