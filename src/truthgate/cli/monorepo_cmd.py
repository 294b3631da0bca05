"""Many contracts below one root: ``truthgate verify --all [ROOT]`` and ``truthgate matrix``.

Exit codes as everywhere: ``verify --all`` exits 0 only when every contract passed, 1 when a
gate failed, 2 when a contract is invalid (the others still run) or nothing was found — a
gate that checked nothing must not say green. ``matrix`` exits 0 with invalid contracts
still listed (so their CI job fails where people look), 2 when nothing was found.

``verify --all --format github`` annotates files by their path in the git checkout holding
ROOT (the current directory outside a checkout), not by their path in each contract's own
root: the Actions runner resolves a relative ``file=`` against the repository, whatever the
step's working directory, so ``app.py`` of ``services/api`` must be ``services/api/app.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from truthgate.cli.common import EXIT_PASS, _die
from truthgate.cli.console import emit, escape_nonprintable

if TYPE_CHECKING:
    from truthgate.monorepo import ContractGate

ALL_FORMATS = ("text", "json", "github")
RootArg = Annotated[Path, typer.Argument(
    help="Directory to search for product/truth.yaml files (default: the current one).")]


def _nothing_found(root: Path) -> str:
    return (f"no product/truth.yaml found below {root} (.gitignore honoured; .git, .venv, "
            "node_modules and other tool directories skipped): a gate that checks nothing "
            "cannot pass")


def refuse_single_contract_options(**given: object) -> None:
    """``--all`` gates each contract with its own defaults: per-contract options make no sense.

    ``given`` maps each option's flag to its value; any value that is set is a usage error.
    """
    used = [flag for flag, value in given.items() if value not in (None, False, [], ())]
    if used:
        _die(f"{', '.join(used)} cannot be combined with --all: each contract is gated with "
             "its own settings; run 'truthgate matrix' to fan out one job per contract instead")


def verify_all(root: Path, fmt: str, *, use_cache: bool, jobs: int | None,
               record: bool | None, allow_commands: bool = False) -> NoReturn:
    """Gate every contract below ``root``; print per-contract verdicts and reports; exit."""
    from truthgate import app as usecases
    from truthgate.monorepo import combined_exit_code

    if fmt not in ALL_FORMATS:
        _die(f"--all prints {', '.join(ALL_FORMATS[:-1])} or {ALL_FORMATS[-1]}, got {fmt!r} "
             "(for SARIF, JUnit or a report file per contract, run one job per contract: see "
             "'truthgate matrix')")
    gates = usecases.run_verify_all(root, use_cache=use_cache, jobs=jobs, record=record,
                                    allow_commands=allow_commands)
    if not gates:
        _die(_nothing_found(root))
    if fmt == "json":
        from truthgate.redact import scrub

        sys.stdout.write(scrub(json.dumps([_gate_json(g) for g in gates], indent=2) + "\n"))
    elif fmt == "github":
        _print_github(root, gates)
    else:
        _print_text(root, gates)
    raise typer.Exit(combined_exit_code(gates))


def _verdict(gate: ContractGate) -> str:
    name = f" ({escape_nonprintable(gate.product)})" if gate.product else ""
    return f"{gate.status.upper():<8} {gate.found.contract}{name}"


def _print_text(root: Path, gates: tuple[ContractGate, ...]) -> None:
    from truthgate.reports import render

    for gate in gates:
        emit(f"== {_verdict(gate)} ==")
        if gate.report is None:
            emit(gate.error, err=True)
        else:
            emit(render("text", gate.report))
    _print_summary(root, gates)


def _print_github(root: Path, gates: tuple[ContractGate, ...]) -> None:
    """Each contract's annotations, folded in a log group, within one budget for the command.

    Paths are re-based from each contract's root onto the checkout, where the runner looks
    them up (see the module docstring); an invalid contract is an error on its file.
    """
    from truthgate.monorepo import checkout_root, path_from, relocated
    from truthgate.reports.common import verdict_lines
    from truthgate.reports.github import Budget, annotation_lines, command

    base = checkout_root(root) or Path.cwd()
    # One step, one budget: GitHub's 10 annotations per level hold for the whole command,
    # so the contracts share it and one notice at the end gives the total.
    budget = Budget()
    for gate in gates:
        emit(command("group", _verdict(gate)))
        if gate.report is None:
            lines = budget.take([("error", command(
                "error", gate.error, file=path_from(base, gate.found.path),
                title="truthgate: invalid contract"))])
        else:
            prefix = path_from(base, gate.found.repo_root)
            report = relocated(gate.report, prefix)
            lines = budget.take(annotation_lines(report)) + verdict_lines(report)
        if lines:
            emit("\n".join(lines))
        emit("::endgroup::")
    summary = budget.summary("verify --all")
    if summary:
        emit(summary)
    _print_summary(root, gates)


def _print_summary(root: Path, gates: tuple[ContractGate, ...]) -> None:
    counts = {s: sum(g.status == s for g in gates) for s in ("passed", "failed", "invalid")}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    emit(f"{len(gates)} contract{'s' if len(gates) != 1 else ''} below {root}: {summary}")
    for gate in gates:
        emit(_verdict(gate))


def _gate_json(gate: ContractGate) -> dict[str, Any]:
    from truthgate.reports import render

    return {
        "contract": gate.found.contract,
        "root": gate.found.root,
        "product": gate.product or None,
        "status": gate.status,
        "exit_code": gate.exit_code,
        "error": gate.error or None,
        "report": json.loads(render("json", gate.report)) if gate.report is not None else None,
    }


def matrix_command(root: RootArg = Path(".")) -> None:
    """Print every contract below ROOT as a GitHub Actions matrix (one JSON line).

    Use it as `strategy.matrix: ${{ fromJSON(needs.<job>.outputs.matrix) }}`; each entry has
    name (the product), contract and root (paths relative to ROOT). Invalid contracts stay
    listed, so their job fails visibly; a warning names them here.
    """
    from truthgate import app as usecases

    entries = usecases.contract_names(root)
    if not entries:
        _die(_nothing_found(root))
    include = [{"name": name, "contract": found.contract, "root": found.root}
               for found, name, _ in entries]
    # ensure_ascii: one plain-ASCII line whatever the product names, safe in $GITHUB_OUTPUT.
    from truthgate.redact import scrub

    sys.stdout.write(scrub(json.dumps({"include": include}, separators=(",", ":")) + "\n"))
    for found, _, error in entries:
        if error:
            emit(f"warning: {found.contract} is invalid (listed, so its job fails):\n{error}",
                 err=True)
    raise typer.Exit(EXIT_PASS)


__all__ = ["ALL_FORMATS", "matrix_command", "refuse_single_contract_options",
           "verify_all"]
