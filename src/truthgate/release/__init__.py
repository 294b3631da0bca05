"""``truthgate release``: the release captain's checklist, and a tag only when it is green.

``core`` is the flow (pure, runners injected); ``runners`` are git and the command runner
(``truthgate.app.release`` wires the engines and the ledger in); ``message`` writes the tag's
annotation; ``steps`` is a step's verdict, which both of those read.
"""

from truthgate.release.core import (
    CommandResult,
    GitError,
    ReleaseOptions,
    ReleaseResult,
    ReleaseRunners,
    ReleaseUsageError,
    StepVerdict,
    checklist,
    run_release,
)

__all__ = ["CommandResult", "GitError", "ReleaseOptions", "ReleaseResult", "ReleaseRunners",
           "ReleaseUsageError", "StepVerdict", "checklist", "run_release"]
