"""One checklist step's verdict: what the release printed, recorded and wrote in the tag."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StepVerdict:
    """A step's name, what it ran, its status and why."""

    name: str
    run: str
    status: str  # green | red | skipped | not run
    detail: str = ""

    def line(self) -> str:
        text = f"step {self.name!r} ({self.run}): {self.status}"
        return text + (f" — {self.detail}" if self.detail else "")
