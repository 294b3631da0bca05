"""Which deployment each smoke step of a release checks, and how their results stay apart.

A checklist can smoke several targets in order (staging, then production). Three rules:

- A step that names a ``target`` smokes that target's own URL: ``--base-url`` and
  ``--target`` only fill in for smoke steps that name none, so a checklist that says
  "production" can never be pointed at another URL by a flag.
- Every target a checklist names is checked against ``smoke.targets`` before the first step
  runs: a typo must not surface as a usage error after staging was already smoked.
- When a checklist smokes more than once, each scenario id is prefixed with its target
  (``staging:S0``, ``production:S0``), so the release cycle does not hold two ``S0``s that
  diffs and the definition of done would confuse.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from truthgate.contract.model import Contract, ReleaseStep
from truthgate.model import RunReport


def smoke_args(step: ReleaseStep, target: str | None,
               base_url: str | None) -> tuple[str | None, str | None]:
    """(target, base URL) for a smoke step, given the release's --target and --base-url."""
    if step.target:
        return step.target, None
    return target, base_url


def unknown_target(contract: Contract, steps: Sequence[ReleaseStep],
                   target: str | None) -> str:
    """Why a smoke step names a target the contract does not declare; '' when none does."""
    known = [t.name for t in getattr(contract.smoke, "targets", ()) or ()]
    # --target is checked even when every step names its own: a typo in a flag that ends up
    # unused would otherwise pass silently.
    named = [("--target", target)] if target else []
    named += [(f"step {s.name!r}", s.target) for s in steps if s.run == "smoke" and s.target]
    for where, name in named:
        if name not in known:
            return (f"{where} names smoke target {name!r}, which the contract does not "
                    f"declare (known: {', '.join(known) or 'none'})")
    return ""


def runs_unsafe(contract: Contract, target: str | None) -> bool:
    """Whether a release smoke step against ``target`` runs the unsafe scenarios: only on a
    target the contract marks ``preview: true`` (never production: the engine refuses)."""
    if not target:
        return False
    spec = contract.smoke
    found = spec.target(target) if spec is not None and hasattr(spec, "target") else None
    return bool(found is not None and found.preview and not found.production)


def several_smoke_steps(steps: Sequence[ReleaseStep]) -> bool:
    """True when the checklist smokes more than once (scenario ids then need a prefix)."""
    return sum(step.run == "smoke" for step in steps) > 1


def qualify(report: RunReport, target: str) -> RunReport:
    """``report`` with each scenario id prefixed by its target ('staging:S0')."""
    scenarios = tuple(dataclasses.replace(s, id=f"{target}:{s.id}") for s in report.scenarios)
    return dataclasses.replace(report, scenarios=scenarios)


__all__ = ["qualify", "runs_unsafe", "several_smoke_steps", "smoke_args", "unknown_target"]
