"""``truthgate release``: run the checklist, tag only when green. Printing happens here only.

Exit codes: 0 green (tagged, or nothing to tag), 1 red or refused, 2 usage or contract error.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from truthgate.cli.console import emit

EXIT_PASS, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def release_command(
    tag: Annotated[str | None, typer.Option(
        "--tag", help="Create this annotated tag (e.g. v1.2.3) when every step is green.",
        show_default=False)] = None,
    base_url: Annotated[str | None, typer.Option(
        "--base-url", "-u", help="Deployment checked by smoke steps that name no target "
        "(a step's own target always uses that target's URL).", show_default=False)] = None,
    target: Annotated[str | None, typer.Option(
        "--target", "-t", help="Smoke target for steps that name none.",
        show_default=False)] = None,
    logs: Annotated[str | None, typer.Option(
        "--logs", help="Log file (or -) for logs steps; overrides a step's source: in "
        "the contract.", show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Run every step, but never create the tag.")] = False,
    record: Annotated[bool, typer.Option(
        "--record/--no-record", help="Record a release cycle (on by default).")] = True,
    contract: Annotated[Path | None, typer.Option(
        "--contract", "-c", help="Contract file (default: product/truth.yaml).",
        show_default=False)] = None,
    root: Annotated[Path | None, typer.Option(
        "--root", help="Repository root (default: the parent of product/).",
        show_default=False)] = None,
    fmt: Annotated[str, typer.Option(
        "--format", "-f", help="How to print the release cycle: text or markdown.")] = "text",
) -> None:
    """Run the release checklist (verify -> smoke -> logs -> dod -> command) and tag if green."""
    from truthgate.app import load_contract
    from truthgate.app.release import default_runners
    from truthgate.release import ReleaseOptions, run_release

    if fmt not in ("text", "markdown"):
        emit(f"error: --format is text or markdown, got {fmt!r}", err=True)
        raise typer.Exit(EXIT_USAGE)
    loaded = load_contract(contract or Path("product") / "truth.yaml", root=root)
    options = ReleaseOptions(tag=tag or "", base_url=base_url, target=target,
                             logs_source=logs, dry_run=dry_run)
    try:
        result = run_release(loaded, options,
                             default_runners(loaded, dict(os.environ), record=record))
    except OSError as exc:  # the ledger could not be written
        emit(f"error: cannot record the release cycle: {exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_FAIL) from None
    for step in result.steps:
        emit(step.line())
    if result.cycle is not None and result.cycle.path is not None:
        emit(f"recorded {result.cycle.label}: {result.cycle.path}")
    if fmt == "markdown":
        from truthgate.reports import render

        emit(render("markdown", result.report))
    emit(("PASSED: " if result.ok else "FAILED: ") + result.message, err=not result.ok)
    raise typer.Exit(result.exit_code)
