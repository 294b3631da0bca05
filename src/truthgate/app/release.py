"""The release use case: the release checklist's steps wired to the real engines.

``release/`` runs a checklist over injectable runners and knows git; this module gives it
the real verify, smoke and log gate, the cycle ledger and git, for one contract. It sits in
the use-case layer because it composes engines (kb/architecture.md).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from truthgate.app import stamp
from truthgate.app.logs import run_logs
from truthgate.contract.model import Contract, ReleaseStep
from truthgate.cycles.ledger import Cycle, list_cycles, record_cycle, rewrite_cycle
from truthgate.model import RunReport
from truthgate.release.core import ReleaseRunners, ReleaseUsageError
from truthgate.release.runners import DEFAULT_TIMEOUT_S, Git, run_command


def default_runners(contract: Contract, environ: Mapping[str, str] | None = None,
                    cycles_dir: Path | None = None, record: bool = True) -> ReleaseRunners:
    """Runners that do the real thing for ``contract``'s repository."""
    env = dict(os.environ if environ is None else environ)
    ledger = cycles_dir or contract.root / contract.release.cycles_dir

    def verify() -> RunReport:
        from truthgate.verify.engine import run_verify

        # A release runs the checklist's own `run: command` steps already: the person who
        # releases runs the contract's programs, so its command invariants run too.
        return stamp(run_verify(contract, use_cache=contract.verify.cache, allow_commands=True),
                     contract)

    def smoke(target: str | None, base_url: str | None) -> RunReport:
        from truthgate.smoke.runner import SmokeUsageError, run_smoke

        try:
            return stamp(run_smoke(contract, target=target, base_url=base_url, environ=env),
                         contract)
        except SmokeUsageError as exc:
            raise ReleaseUsageError(f"smoke: {exc}") from None

    def logs(step: ReleaseStep, source: str | None) -> RunReport | None:
        return run_logs(contract.source, source or "-", root=contract.root, environ=env)

    def history() -> Sequence[Cycle]:
        return list_cycles(ledger).cycles

    def save(report: RunReport) -> Cycle | None:
        return record_cycle(report, ledger, kind="release") if record else None

    def resave(cycle: Cycle, report: RunReport) -> Cycle | None:
        return rewrite_cycle(cycle, report)

    # Each command step's time limit, by its command line (the runner protocol passes the
    # line only; two steps running the same line get the longer limit).
    limits: dict[str, float] = {}
    for step in contract.release.checklist:
        limits[step.command] = max(limits.get(step.command, 0.0), step.timeout_seconds)

    return ReleaseRunners(
        verify=verify, smoke=smoke, logs=logs,
        command=lambda cmd: run_command(cmd, contract.root, limits.get(cmd, DEFAULT_TIMEOUT_S)),
        history=history, record=save,
        git=Git(contract.root, ledger), stamp=lambda r: stamp(r, contract, r.context.flags),
        rerecord=resave)
