"""What every command shares: exit codes, common options, usage errors, report output."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from truthgate.cli.console import emit
from truthgate.formats import help_list

if TYPE_CHECKING:
    from truthgate.model import RunReport

EXIT_PASS, EXIT_FAIL, EXIT_USAGE = 0, 1, 2

ContractOpt = Annotated[
    Path | None,
    typer.Option(
        "--contract",
        "-c",
        help="Contract file (default: product/truth.yaml under the current directory).",
        show_default=False,
    ),
]
RootOpt = Annotated[
    Path | None,
    typer.Option(
        "--root",
        help="Repository root (default: the parent of product/, else the contract's folder).",
        show_default=False,
    ),
]
FormatOpt = Annotated[
    str,
    typer.Option("--format", "-f", help=f"Output on stdout: {help_list()}."),
]
OutOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--out",
        "-o",
        help=f"Also write a report: FORMAT:PATH (repeatable), e.g. sarif:verify.sarif; "
        f"FORMAT is one of {help_list()}.",
        show_default=False,
    ),
]


def _die(message: str, code: int = EXIT_USAGE) -> NoReturn:
    emit(f"error: {message}", err=True)
    raise typer.Exit(code)


def _contract_path(contract: Path | None) -> Path:
    return contract if contract is not None else Path("product") / "truth.yaml"


RecordOpt = Annotated[bool | None, typer.Option(
    "--record/--no-record", help="Record this run as a numbered cycle (default: on when "
    "CI=true).", show_default=False)]


# Formats GitHub reads against the repository checkout (annotations, code scanning).
CHECKOUT_FORMATS = frozenset({"github", "sarif"})


def _emit_report(report: RunReport, fmt: str, outs: list[str] | None,
                 root: Path | None = None) -> None:
    """Render ``report`` to stdout as ``fmt`` and to each ``--out`` file.

    ``root``: the repository root the report's paths are relative to. When it lies below
    the git checkout (a service in a monorepo), github and sarif output name files by
    their path in the checkout, where GitHub looks them up.
    """
    from truthgate.reports import REPORTERS, render, write_atomic

    targets = []
    for spec in outs or []:
        name, sep, path = spec.partition(":")
        if not sep or not path or name not in REPORTERS:
            _die(f"--out takes FORMAT:PATH with FORMAT one of {', '.join(REPORTERS)}; got {spec!r}")
        targets.append((name, path))
    if fmt not in REPORTERS:
        _die(f"unknown format {fmt!r}; choose one of {', '.join(REPORTERS)}")
    rebased = _rebased(report, root) if root is not None else report

    def text(name: str) -> str:
        return render(name, rebased if name in CHECKOUT_FORMATS else report)

    for name, path in targets:
        try:
            write_atomic(Path(path), text(name))
        except OSError as exc:
            _die(f"cannot write {path}: {exc.strerror or exc}")
    emit(text(fmt))


def _rebased(report: RunReport, root: Path) -> RunReport:
    """``report`` with finding paths relative to the git checkout holding ``root``."""
    from truthgate.monorepo import checkout_root, path_from, relocated

    base = checkout_root(root)
    return report if base is None else relocated(report, path_from(base, root))
