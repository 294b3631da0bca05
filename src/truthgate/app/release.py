"""The release use case: the release checklist's steps wired to the real engines.

``release/`` runs a checklist over injectable runners and knows git; this module gives it
the real verify, smoke and log gate, the cycle ledger and git, for one contract. It sits in
the use-case layer because it composes engines (kb/architecture.md).
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from truthgate.app import stamp
from truthgate.app.logs import run_logs
from truthgate.contract.model import Contract, ReleaseStep
from truthgate.cycles.ledger import Cycle, list_cycles, record_cycle, rewrite_cycle
from truthgate.model import RunReport
from truthgate.release.core import LogSourceError, ReleaseRunners, ReleaseUsageError
from truthgate.release.runners import DEFAULT_TIMEOUT_S, Git, run_command
from truthgate.release.targets import runs_unsafe

LOGS_COMMAND_TIMEOUT_S = 600


def logs_from_command(contract: Contract, command: str, env: Mapping[str, str]) -> RunReport:
    """Gate the standard output of ``command`` (shell-free, in the repository root).

    The output goes to a temporary file first (constant memory, however long the log);
    a command that cannot run or exits non-zero raises LogSourceError: the step cannot
    run, rather than a silently empty, green log.
    """
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise LogSourceError(f"cannot parse the log command: {exc}") from None
    if not argv:
        raise LogSourceError("the log command is empty")
    with tempfile.TemporaryDirectory(prefix="truthgate-logs-") as tmp:
        path = Path(tmp) / "log"
        try:
            with path.open("wb") as out:
                done = subprocess.run(argv, cwd=contract.root, stdout=out,
                                      stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                      env=dict(env), timeout=LOGS_COMMAND_TIMEOUT_S,
                                      check=False)
        except FileNotFoundError:
            raise LogSourceError(f"log command {argv[0]}: command not found") from None
        except subprocess.TimeoutExpired:
            raise LogSourceError(f"log command timed out after {LOGS_COMMAND_TIMEOUT_S} s "
                                 f"({command})") from None
        except OSError as exc:
            raise LogSourceError(f"log command {argv[0]}: {exc.strerror or exc}") from None
        if done.returncode != 0:
            tail = done.stderr.decode("utf-8", "replace").strip()[-500:]
            raise LogSourceError(f"log command exited {done.returncode} ({command})"
                                 + (f": {tail}" if tail else ""))
        return run_logs(contract.source, str(path), root=contract.root, environ=env,
                        name=f"`{command}`")


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
            return stamp(run_smoke(contract, target=target, base_url=base_url, environ=env,
                                   allow_unsafe=runs_unsafe(contract, target)), contract)
        except SmokeUsageError as exc:
            raise ReleaseUsageError(f"smoke: {exc}") from None

    def logs(step: ReleaseStep, source: str | None) -> RunReport | None:
        if source is None and step.source_command:
            return logs_from_command(contract, step.source_command, env)
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
