"""``truthgate release``: the release captain's checklist, and a tag only when it is green.

``core`` is the flow (pure, runners injected); ``runners`` are the real side effects
(engines, git, the ledger); ``message`` writes the tag's annotation.
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
