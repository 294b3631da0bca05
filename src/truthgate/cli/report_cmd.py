"""``truthgate report``: browse and compare recorded cycles; ``record_if_asked`` for runs.

The ledger directory is ``--cycles-dir`` when given, else the contract's
``release.cycles_dir`` under its repository root. Exit codes as everywhere: 0 done,
2 usage (no such cycle, no contract to find the ledger with).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from truthgate.cli.console import emit

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from truthgate.cycles.dod import DodRule
    from truthgate.cycles.ledger import Cycle, LedgerScan

EXIT_PASS, EXIT_FAIL, EXIT_USAGE = 0, 1, 2

report_app = typer.Typer(
    name="report", help="Browse and compare recorded cycles (list, show, diff, trend, html).",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]})

ContractOpt = Annotated[Path | None, typer.Option(
    "--contract", "-c", help="Contract file (default: product/truth.yaml).", show_default=False)]
RootOpt = Annotated[Path | None, typer.Option(
    "--root", help="Repository root (default: the parent of product/).", show_default=False)]
CyclesDirOpt = Annotated[Path | None, typer.Option(
    "--cycles-dir", help="Cycle ledger directory (default: the contract's release.cycles_dir).",
    show_default=False)]
LastOpt = Annotated[int | None, typer.Option(
    "--last", "-n", min=1, help="Only the newest K cycles.", show_default=False)]




def _die(message: str, code: int = EXIT_USAGE) -> NoReturn:
    emit(f"error: {message}", err=True)
    raise typer.Exit(code)


def _resolve_dir(cycles_dir: Path | None, contract: Path | None, root: Path | None) -> Path:
    if cycles_dir is not None:
        return cycles_dir
    from truthgate.app import ContractError, load_contract
    from truthgate.cycles.recording import ledger_dir

    path = contract if contract is not None else Path("product") / "truth.yaml"
    try:
        return ledger_dir(load_contract(path, root=root))
    except ContractError as exc:
        emit(exc.render(), err=True)
        _die("cannot find the cycle ledger without a valid contract; pass --cycles-dir")


def _scan(cycles_dir: Path, progress: Callable[[int, int], None] | None = None) -> LedgerScan:
    from truthgate.cycles.ledger import list_cycles

    scan = list_cycles(cycles_dir, progress)
    for note in scan.notes:
        emit(f"warning: {note}", err=True)
    return scan


def _pick(scan: LedgerScan, which: str) -> Cycle:
    """A cycle by number, or ``latest``."""
    if not scan.cycles:
        _die("no cycles recorded")
    if which == "latest":
        return scan.cycles[-1]
    try:
        number = int(which)
    except ValueError:
        _die(f"a cycle is a number or 'latest', got {which!r}")
    found = scan.get(number)
    if found is None:
        _die(f"no readable cycle {number} (cycles {scan.cycles[0].number}.."
             f"{scan.cycles[-1].number})")
    return found


def _required(contract: Path | None, root: Path | None) -> tuple[DodRule | None,
                                                                  tuple[str, ...]]:
    """The contract's definition of done; (None, ()) when there is no readable contract."""
    from truthgate.app import ContractError, load_contract
    from truthgate.cycles.dod import DodRule

    path = contract if contract is not None else Path("product") / "truth.yaml"
    try:
        loaded = load_contract(path, root=root)
    except ContractError:
        return None, ()
    return DodRule.from_contract(loaded), loaded.release.definition_of_done.criteria


def _budgets(contract: Path | None, root: Path | None) -> dict[str, float]:
    """Each smoke scenario's latency budget in ms (its own, else the defaults'), by id."""
    from truthgate.app import ContractError, load_contract

    path = contract if contract is not None else Path("product") / "truth.yaml"
    try:
        spec = load_contract(path, root=root).smoke
    except ContractError:
        return {}
    if spec is None:
        return {}
    default = getattr(spec.defaults, "budget_ms", None)
    out: dict[str, float] = {}
    for sc in spec.scenarios:
        if not hasattr(sc.params, "budget_ms"):
            continue  # a kind without a latency budget (headers, CORS, ...)
        budget = sc.params.budget_ms or default
        if isinstance(budget, (int, float)) and budget > 0:
            out[sc.id] = float(budget)
    return out


def _streak_line(cycles: Sequence[Cycle], cycles_dir: Path | None, contract: Path | None,
                 root: Path | None) -> str:
    """``definition of done: 3 of 5 green deploys — not met; last red: cycle 41, S6``;
    '' without a readable contract (the ledger alone does not say what counts) or for a
    ledger named by --cycles-dir alone (it may not be this contract's)."""
    from truthgate.cycles.history import dod_at

    if cycles_dir is not None and contract is None:
        return ""
    rule, _ = _required(contract, root)
    if rule is None:
        return ""
    return f"definition of done: {dod_at(cycles, rule).summary()}\n"


@report_app.command("list")
def list_command(cycles_dir: CyclesDirOpt = None, contract: ContractOpt = None,
                 root: RootOpt = None, last: LastOpt = None) -> None:
    """One line per recorded cycle: number, kind, time, commit, verdict, counts."""
    from truthgate.cycles.text import list_text

    cycles = _scan(_resolve_dir(cycles_dir, contract, root)).cycles
    emit(list_text(cycles[-last:] if last else cycles) + _streak_line(cycles, cycles_dir, contract, root))


@report_app.command("show")
def show_command(
    cycle: Annotated[str, typer.Argument(help="Cycle number, or 'latest'.")] = "latest",
    fmt: Annotated[str, typer.Option(
        "--format", "-f", help="markdown (with changes and definition of done), or any "
        "report format: text, json, sarif, junit, github, html.")] = "markdown",
    cycles_dir: CyclesDirOpt = None, contract: ContractOpt = None, root: RootOpt = None,
) -> None:
    """Print one cycle; as Markdown it adds the changes since the previous cycle and the DoD."""
    from truthgate.cycles.history import changes_for, dod_at
    from truthgate.cycles.ledger import cycle_document
    from truthgate.cycles.markdown import render_cycle
    from truthgate.reports import REPORTERS, render

    if fmt != "markdown" and fmt not in REPORTERS:
        _die(f"unknown format {fmt!r}; choose one of {', '.join(REPORTERS)}")
    scan = _scan(_resolve_dir(cycles_dir, contract, root))
    chosen = _pick(scan, cycle)
    if fmt == "markdown":
        rule, criteria = _required(contract, root)
        emit(render_cycle(chosen, changes_for(scan.cycles, chosen),
                          dod_at(scan.cycles, rule or 1, chosen.number), criteria))
    elif fmt == "json":
        emit(cycle_document(chosen.report, chosen.number, chosen.kind, chosen.recorded_at))
    else:
        emit(render(fmt, chosen.report))


@report_app.command("diff")
def diff_command(
    before: Annotated[str, typer.Argument(help="The earlier cycle (number or 'latest').")],
    after: Annotated[str, typer.Argument(help="The later cycle (number or 'latest').")],
    ratio: Annotated[float, typer.Option(
        "--latency-ratio", help="Relative growth of a scenario's p50 that counts.")] = 0.20,
    min_ms: Annotated[float, typer.Option(
        "--latency-ms", help="Absolute growth in ms that counts (both must be exceeded).")] = 50.0,
    cycles_dir: CyclesDirOpt = None, contract: ContractOpt = None, root: RootOpt = None,
) -> None:
    """What changed from cycle A to cycle B: new failures, fixes, latency, findings."""
    from truthgate.cycles.diff import LatencyThreshold
    from truthgate.cycles.history import diff_cycles
    from truthgate.cycles.text import diff_text

    scan = _scan(_resolve_dir(cycles_dir, contract, root))
    a, b = _pick(scan, before), _pick(scan, after)
    emit(diff_text(diff_cycles(a, b, LatencyThreshold(ratio=ratio, min_delta_ms=min_ms))))


@report_app.command("trend")
def trend_command(last: LastOpt = None, cycles_dir: CyclesDirOpt = None,
                  contract: ContractOpt = None, root: RootOpt = None) -> None:
    """Pass rate per cycle and each scenario's median latency across cycles."""
    from truthgate.cycles.text import trend_text

    cycles = _scan(_resolve_dir(cycles_dir, contract, root)).cycles
    emit(trend_text(cycles[-last:] if last else cycles) + _streak_line(cycles, cycles_dir, contract, root))


@report_app.command("html")
def html_command(
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write the page here (default: stdout).", show_default=False)] = None,
    last: LastOpt = None, cycles_dir: CyclesDirOpt = None, contract: ContractOpt = None,
    root: RootOpt = None,
) -> None:
    """A self-contained HTML page: the newest cycle and trend charts across cycles."""
    from truthgate.cli.progress import bar
    from truthgate.cycles.history import dod_at
    from truthgate.cycles.html import render_trend_html
    from truthgate.reports import write_atomic

    ledger = _resolve_dir(cycles_dir, contract, root)
    with bar("report html: reading cycles", unit="cycles") as progress:
        cycles = _scan(ledger, lambda done, total: progress.update(done, total)).cycles
    # A ledger named by --cycles-dir alone may not be this contract's: no DoD, no budgets.
    known = cycles_dir is None or contract is not None
    rule = _required(contract, root)[0] if known else None
    dod = dod_at(cycles, rule) if rule is not None else None
    page = render_trend_html(cycles[-last:] if last else cycles, dod,
                             _budgets(contract, root) if known else {})
    if out is None:
        emit(page)
        return
    try:
        write_atomic(out, page)
    except OSError as exc:
        _die(f"cannot write {out}: {exc.strerror or exc}")
    emit(f"wrote {out} ({len(cycles[-last:] if last else cycles)} cycles)")
