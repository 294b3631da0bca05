"""``truthgate logs [FILE|-]``: gate a deployment's logs on the contract's observability rules.

Registered by cli/main.py as ``app.command("logs")(logs_command)``. Exit codes as every
command: 0 clean, 1 a rule was broken, 2 a bad contract or an unreadable log.

The options and helpers are cli/main.py's own, reached through the module object (and the
annotations are strings, resolved when typer builds the command): main.py may import this
module at its top or its bottom without a circular-import failure.
"""

from __future__ import annotations

from typing import Annotated

import typer

from truthgate.cli import common as cli


def logs_command(
    source: Annotated[str, typer.Argument(
        help="Log file to read, or '-' for standard input (kubectl logs ... | truthgate "
        "logs -).")] = "-",
    contract: cli.ContractOpt = None,
    root: cli.RootOpt = None,
    fmt: cli.FormatOpt = "text",
    out: cli.OutOpt = None,
    record: cli.RecordOpt = None,
) -> None:
    """Check deployment logs for forbidden patterns and error loops (streams any size)."""
    # Here, not at the top: the engine imports the contract package, which loads jsonschema,
    # and every command's start-up (and --help) would pay for it.
    from truthgate.app.logs import run_logs

    try:
        report = run_logs(cli._contract_path(contract), source, root=root, record=record)
    except OSError as exc:
        cli._die(f"cannot read log {source}: {exc.strerror or exc}")
    cli._emit_report(report, fmt, out)
    raise typer.Exit(report.exit_code)
