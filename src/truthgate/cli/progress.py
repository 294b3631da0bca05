"""Progress for long work, on stderr, only when a person is watching a terminal.

A bar (rich) appears only when stderr is a TTY and the run is not in CI (``CI`` set to
anything but empty/0/false): CI logs and pipes get nothing, so their output is exactly the
report. The bar is transient (erased when the work ends), so what stays on the terminal is
the report too. Every label goes through the redaction boundary like any other output.

Engines know nothing of this: they take a plain callback (``done, total`` for verify's
files, each finished scenario for smoke), and the commands adapt it with :func:`bar`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO


def wants_progress(stream: TextIO | None = None) -> bool:
    """A bar on ``stream`` (stderr): a terminal, and not a CI job."""
    stream = sys.stderr if stream is None else stream
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


class Bar:
    """One task's progress; this base class shows nothing (no terminal, or CI)."""

    def update(self, done: int | None = None, total: int | None = None,
               note: str | None = None) -> None:
        """Set how much is done (of ``total``) and what is in flight."""

    def advance(self, steps: int = 1) -> None:
        """Count ``steps`` more units as done."""


class _RichBar(Bar):
    def __init__(self, progress: Any, task: Any) -> None:
        self._progress, self._task = progress, task

    def update(self, done: int | None = None, total: int | None = None,
               note: str | None = None) -> None:
        from truthgate.redact import scrub

        fields: dict[str, Any] = {}
        if done is not None:
            fields["completed"] = done
        if total is not None:
            fields["total"] = total
        if note is not None:
            fields["note"] = scrub(note)[:80]
        self._progress.update(self._task, **fields)

    def advance(self, steps: int = 1) -> None:
        self._progress.advance(self._task, steps)


@contextmanager
def bar(description: str, total: int | None = None, unit: str = "") -> Iterator[Bar]:
    """A progress bar for the ``with`` block (a silent one when nobody is watching)."""
    if not wants_progress():
        yield Bar()
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    from truthgate.cli.console import wants_colour
    from truthgate.redact import scrub

    console = Console(file=sys.stderr, no_color=not wants_colour(sys.stderr))
    if total is None and not unit:  # work that cannot be counted: a spinner and the time
        columns = [SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn()]
    else:
        columns = [SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                   MofNCompleteColumn(), TextColumn(unit), TimeElapsedColumn(),
                   TextColumn("{task.fields[note]}")]
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task(scrub(description), total=total, note="")
        yield _RichBar(progress, task)


def scenario_tracker(shown: Bar) -> tuple[Callable[[Any, int], None], Callable[[Any], None]]:
    """(started, finished) callbacks for the smoke runner that keep ``shown`` current:
    scenarios done of the run's total, and the ids in flight."""
    in_flight: dict[str, None] = {}
    counts = {"done": 0, "total": 0}

    def note() -> str:
        ids = list(in_flight)
        return ("running " + ", ".join(ids[:4]) + (" ..." if len(ids) > 4 else "")) if ids else ""

    def started(scenario: Any, total: int) -> None:
        counts["total"] = total
        in_flight[str(scenario.id)] = None
        shown.update(counts["done"], total, note())

    def finished(result: Any) -> None:
        in_flight.pop(str(result.id), None)
        counts["done"] += 1
        shown.update(counts["done"], counts["total"] or None, note())

    return started, finished
