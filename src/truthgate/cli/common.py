"""What every command shares: exit codes, common options, usage errors, report output."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from truthgate.cli.console import emit

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
    typer.Option(
        "--format", "-f", help="Output on stdout: text, json, sarif, junit, github, markdown."
    ),
]
OutOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--out",
        "-o",
        help="Also write a report: FORMAT:PATH (repeatable), e.g. sarif:verify.sarif.",
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


def _emit_report(report: RunReport, fmt: str, outs: list[str] | None) -> None:
    from truthgate.reports import REPORTERS, render, write_atomic

    targets = []
    for spec in outs or []:
        name, sep, path = spec.partition(":")
        if not sep or not path or name not in REPORTERS:
            _die(f"--out takes FORMAT:PATH with FORMAT one of {', '.join(REPORTERS)}; got {spec!r}")
        targets.append((name, path))
    if fmt not in REPORTERS:
        _die(f"unknown format {fmt!r}; choose one of {', '.join(REPORTERS)}")
    for name, path in targets:
        try:
            write_atomic(Path(path), render(name, report))
        except OSError as exc:
            _die(f"cannot write {path}: {exc.strerror or exc}")
    emit(render(fmt, report))
