"""truthgate's errors: one tree, each class with the exit code the CLI gives it.

::

    TruthgateError             exit 2  a problem the user can fix; ``render()`` says which
    ├── ContractError                  the contract is invalid (contract/problems.py: every
    │                                  problem at file:line:col with its key path)
    ├── UsageError                     a flag, an argument or a target cannot be honoured
    │   ├── SmokeUsageError            no base URL, an unknown target, a bad concurrency
    │   ├── ReleaseUsageError          a tag name git would refuse, an unknown target
    │   ├── MonorepoUsageError         ``verify --all`` on something that is not a directory
    │   ├── ScaffoldError              ``init`` on something that is not a directory
    │   ├── UnknownInvariantError      ``--select``/``--ignore`` names no invariant id
    │   ├── DemoError                  the bundled example is missing, an unknown fault
    │   └── UnknownFormatError         a report format nobody registered
    ├── BaselineError                  the baseline file cannot be read
    └── CycleError                     the cycle ledger cannot be read or written

The CLI has one error boundary (``cli/boundary.py``): a ``TruthgateError`` is printed with
``render()`` and exits with its ``exit_code``; anything else escaping a command is a bug in
truthgate, printed as "internal error, please report" with exit code 3 (``--debug`` shows
the traceback). Only the standard library here: the CLI imports this module at start-up.
"""

from __future__ import annotations

EXIT_PASS, EXIT_FAIL, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class TruthgateError(Exception):
    """A problem the user can fix: the CLI prints ``render()`` and exits ``exit_code``."""

    exit_code = EXIT_USAGE

    def render(self) -> str:
        """The message the CLI prints (one or more lines, no trailing newline)."""
        return f"error: {self}"


class UsageError(TruthgateError):
    """A flag, an argument or a target cannot be honoured."""


class ScaffoldError(UsageError, ValueError):
    """``init`` cannot scaffold the directory it was given."""


class DemoError(UsageError, ValueError):
    """The bundled example cannot run as asked (missing from the install, unknown fault)."""
