"""The CLI's one error boundary: every command's errors end here, with their exit code.

A :class:`~truthgate.errors.TruthgateError` is the user's to fix: its ``render()`` goes to
stderr and the process exits with its ``exit_code`` (2). Anything else escaping a command
is a bug in truthgate: "internal error, please report" and exit 3, the traceback only with
``--debug`` (or ``TRUTHGATE_DEBUG=1``), so a stack trace is never mistaken for a verdict.
"""

from __future__ import annotations

import os
import traceback
from typing import Any

import typer
from typer.core import TyperGroup

from truthgate.cli.console import emit
from truthgate.errors import EXIT_INTERNAL, TruthgateError

ISSUES_HINT = "internal error in truthgate, please report it with the command you ran"


def debugging() -> bool:
    """Whether ``--debug`` (or ``TRUTHGATE_DEBUG``) asked for tracebacks."""
    return os.environ.get("TRUTHGATE_DEBUG", "") not in ("", "0")


class GuardedGroup(TyperGroup):
    """The top-level command group; sub-groups' commands run inside its ``invoke``."""

    # ``ctx`` is typer's (vendored) click Context; Any keeps the override exact.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise  # typer's own: exit codes, --help, bad flags (exit 2 with usage)
        except TruthgateError as exc:
            emit(exc.render(), err=True)
            raise typer.Exit(exc.exit_code) from None
        except Exception as exc:
            if debugging():
                emit("".join(traceback.format_exception(exc)), err=True)
            emit(f"error: {ISSUES_HINT} ({type(exc).__name__}: {exc}); run again with "
                 "--debug for the traceback", err=True)
            raise typer.Exit(EXIT_INTERNAL) from None
