"""The annotated tag's message: what was checked, in which cycle, with what verdict.

``git show vX.Y.Z`` is where someone looks months later to learn whether a release was
gated; the message answers that without access to the CI logs or the ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from truthgate.cycles.dod import DodStatus
from truthgate.cycles.ledger import Cycle
from truthgate.model import RunReport
from truthgate.reports.common import defang, short_commit, verdict_lines

if TYPE_CHECKING:
    from truthgate.release.steps import StepVerdict


def tag_message(tag: str, report: RunReport, cycle: Cycle | None, dod: DodStatus | None,
                steps: Sequence[StepVerdict]) -> str:
    """Subject line, then context, verdicts, definition of done and each step."""
    ctx = report.context
    product = " ".join(x for x in (ctx.product, ctx.product_version) if x)
    lines = [f"Release {tag}" + (f" of {product}" if product else ""), ""]
    where = f"commit {short_commit(ctx.git_commit)}" if ctx.git_commit else "this commit"
    if ctx.git_branch:
        where += f" on {ctx.git_branch}"
    lines.append(f"Gated by truthgate {ctx.truthgate_version or ''}".rstrip() + f" at {where}.")
    if cycle is not None:
        when = f", recorded {cycle.recorded_at}" if cycle.recorded_at else ""
        lines.append(f"Release cycle {cycle.number}{when}.")
    if ctx.contract_hash:
        lines.append(f"Contract {ctx.contract_path} (sha256 {ctx.contract_hash[:12]}).")
    lines += [""] + verdict_lines(report)
    if dod is not None:
        lines.append(f"definition of done: {dod.summary()}")
    skipped = [s.name for s in steps if s.status == "skipped"]
    if skipped:
        lines.append("Optional steps NOT run (marked optional: true in the contract): "
                     + ", ".join(skipped) + ".")
    lines += ["", "Checklist:"] + [f"- {s.name} ({s.run}): {s.status}"
                                   + (f" — {s.detail}" if s.detail else "") for s in steps]
    return defang("\n".join(lines)) + "\n"
