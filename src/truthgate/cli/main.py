"""truthgate's command line: parse flags, call the app layer, render, choose the exit code.

Exit codes: 0 pass, 1 gate failed, 2 contract or usage error, 3 internal error (a bug:
please report it). Errors are turned into exit codes in one place, ``cli/boundary.py``.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from truthgate.cli.boundary import GuardedGroup
from truthgate.cli.common import (
    EXIT_PASS,
    ContractOpt,
    FormatOpt,
    OutOpt,
    RecordOpt,
    RootOpt,
    _contract_path,
    _die,
    _emit_report,
)
from truthgate.cli.console import emit, escape_nonprintable, terminal_progress

# The subcommand modules below import only typer and cli/ at their top and defer every
# engine (contract -> jsonschema, cycles, reports, httpx, rich) into their command bodies,
# so registering them costs about a millisecond; `truthgate --help` lists every command
# without loading an engine. cli/test_startup.py keeps it that way.
from truthgate.cli.logs_cmd import logs_command
from truthgate.cli.monorepo_cmd import matrix_command, refuse_single_contract_options, verify_all
from truthgate.cli.release_cmd import release_command
from truthgate.cli.report_cmd import report_app

app = typer.Typer(
    name="truthgate",
    help="Turn product/truth.yaml into a gate: validate the contract, verify the repository, "
    "smoke a deployment, report cycles.\n\nExit codes: 0 pass, 1 gate failed, 2 contract or "
    "usage error, 3 internal error (please report).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    cls=GuardedGroup,
)


@app.callback()
def _options(
    debug: Annotated[bool, typer.Option(
        "--debug", help="Show the traceback of an internal error (exit code 3).")] = False,
) -> None:
    if debug:
        os.environ["TRUTHGATE_DEBUG"] = "1"


@app.command()
def validate(
    path: Annotated[Path | None, typer.Argument(help="Contract file.", show_default=False)] = None,
    root: RootOpt = None,
) -> None:
    """Check a contract against the schema; print every problem with file:line:col."""
    from truthgate.app import load_contract

    target = _contract_path(path)
    contract = load_contract(target, root=root)
    emit(
        # The name is the contract author's text: escaped, it cannot move the cursor,
        # recolour the terminal or forge a second line.
        f"{target}: valid contract for '{escape_nonprintable(contract.product.name)}' "
        f"({len(contract.invariants)} invariants, "
        f"{len(getattr(contract.smoke, 'scenarios', ()) or ())} scenarios)"
    )


@app.command()
def schema() -> None:
    """Print the contract's JSON Schema (draft 2020-12)."""
    from truthgate.app import contract_schema

    sys.stdout.write(json.dumps(contract_schema(), indent=2, sort_keys=False) + "\n")


@app.command()
def verify(
    search_root: Annotated[Path | None, typer.Argument(
        metavar="[ROOT]", help="With --all: the directory to search (default: the current one).",
        show_default=False)] = None,
    all_contracts: Annotated[bool, typer.Option(
        "--all", help="Gate every product/truth.yaml below ROOT (a monorepo): exit 0 only if "
        "all pass, 1 if a gate failed, 2 if a contract is invalid.")] = False,
    contract: ContractOpt = None,
    root: RootOpt = None,
    fmt: FormatOpt = "text",
    out: OutOpt = None,
    select: Annotated[
        list[str] | None,
        typer.Option(
            "--select", help="Run only these invariant ids (repeatable).", show_default=False
        ),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option("--ignore", help="Skip these invariant ids (repeatable).", show_default=False),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            help="Fail only on findings not in this baseline file.",
            show_default=False,
        ),
    ] = None,
    write_baseline: Annotated[
        Path | None,
        typer.Option(
            "--write-baseline",
            help="Record today's findings as the baseline and exit 0.",
            show_default=False,
        ),
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Ignore the facts cache.")] = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs", "-j", help="Parallel parsers (default: CPU count).", show_default=False
        ),
    ] = None,
    record: RecordOpt = None,
    allow_commands: Annotated[bool, typer.Option(
        "--allow-commands", help="Run the contract's `command` invariants (programs named by "
        "the contract). Without it each is reported 'not run' and fails the gate; leave it off "
        "for contracts from untrusted pull requests.")] = False,
) -> None:
    """Check the repository against the contract's invariants, statically."""
    if all_contracts:
        refuse_single_contract_options(**{
            "--contract": contract, "--root": root, "--select": select, "--ignore": ignore,
            "--baseline": baseline, "--write-baseline": write_baseline, "--out": out})
        verify_all(search_root or Path("."), fmt, use_cache=not no_cache, jobs=jobs,
                   record=record, allow_commands=allow_commands)
    if search_root is not None:
        _die(f"ROOT ({search_root}) is for --all; gate one contract with --contract and --root")
    from truthgate import app as usecases
    from truthgate.cli.progress import bar

    path = _contract_path(contract)
    with bar("verify: parsing", unit="files") as progress:
        report = usecases.run_verify(
            path,
            root=root,
            select=select or (),
            ignore=ignore or (),
            baseline=baseline,
            use_cache=not no_cache,
            jobs=jobs,
            record=record and write_baseline is None,
            progress=lambda done, total: progress.update(done, total),
            allow_commands=allow_commands,
        )
    if write_baseline is not None:
        from truthgate.verify.baseline import write_baseline as write

        write(report, write_baseline)
        emit(f"baseline written: {write_baseline} ({len(report.findings)} findings)")
        raise typer.Exit(EXIT_PASS)
    from truthgate.contract.loader import default_root

    _emit_report(report, fmt, out, root=root or default_root(path))
    raise typer.Exit(report.exit_code)


@app.command()
def smoke(
    contract: ContractOpt = None,
    root: RootOpt = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            "-u",
            help="Deployment to smoke (overrides the contract).",
            show_default=False,
        ),
    ] = None,
    target: Annotated[
        str | None,
        typer.Option(
            "--target",
            "-t",
            help="A named target from the contract's smoke.targets.",
            show_default=False,
        ),
    ] = None,
    scenario: Annotated[
        list[str] | None,
        typer.Option(
            "--scenario", "-s", help="Run only these scenario ids (repeatable).", show_default=False
        ),
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option("--tag", help="Run only scenarios with these tags.", show_default=False),
    ] = None,
    mode: Annotated[
        str | None,
        typer.Option(
            "--mode",
            help="The mode the deployment is in (skips scenarios for other modes).",
            show_default=False,
        ),
    ] = None,
    allow_unsafe: Annotated[
        bool,
        typer.Option(
            "--allow-unsafe", help="Run scenarios that write (never on a production target)."
        ),
    ] = False,
    wait_ready: Annotated[
        float, typer.Option("--wait-ready", help="Seconds to wait for health before starting.")
    ] = 0.0,
    concurrency: Annotated[int, typer.Option("--concurrency", help="Scenarios at once.")] = 4,
    timeout: Annotated[
        float | None,
        typer.Option("--timeout", help="Per-request timeout in seconds.", show_default=False),
    ] = None,
    deadline: Annotated[
        float | None,
        typer.Option("--deadline", help="Whole-run deadline in seconds.", show_default=False),
    ] = None,
    deployment_id: Annotated[
        str | None,
        typer.Option(
            "--deployment-id",
            help="The deployment being smoked (a version or commit), recorded in the cycle; "
            "default: the contract's definition_of_done.deployment_field, read from health.",
            show_default=False,
        ),
    ] = None,
    fmt: FormatOpt = "text",
    out: OutOpt = None,
    record: RecordOpt = None,
) -> None:
    """Run the contract's smoke scenarios (S0..S8) over HTTP against a live deployment."""
    from truthgate import app as usecases
    from truthgate.cli.progress import bar, scenario_tracker

    with bar("smoke", unit="scenarios") as progress:
        started, finished = scenario_tracker(progress)
        report = usecases.run_smoke(
            _contract_path(contract),
            root=root,
            environ=dict(os.environ),
            base_url=base_url,
            target=target,
            scenario_ids=tuple(scenario or ()),
            tags=tuple(tag or ()),
            mode=mode,
            allow_unsafe=allow_unsafe,
            concurrency=concurrency,
            request_timeout_s=timeout,
            deadline_s=deadline,
            wait_ready_s=wait_ready,
            deployment_id=deployment_id.strip() if deployment_id and deployment_id.strip()
            else None,
            record=record,
            started=started,
            progress=finished,
        )
    from truthgate.contract.loader import default_root

    _emit_report(report, fmt, out, root=root or default_root(_contract_path(contract)))
    raise typer.Exit(report.exit_code)


@app.command()
def demo(
    faults: Annotated[
        str,
        typer.Option(
            "--faults", help="Comma-separated fault switches to turn on in the demo service."
        ),
    ] = "",
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="Output on stdout (default: text on a terminal, "
                     "markdown otherwise, e.g. for a job summary).", show_default=False),
    ] = None,
    out: OutOpt = None,
) -> None:
    """Start the bundled demo service, verify its example project, smoke it, print the report."""
    import sys

    from truthgate import app as usecases
    from truthgate.cli.progress import bar

    chosen = tuple(f.strip() for f in faults.split(",") if f.strip())
    on_terminal = sys.stdout.isatty()
    with bar("demo: serving, verifying and smoking the example service"):
        report = usecases.run_demo(chosen)
    _emit_report(report, fmt or ("text" if on_terminal else "markdown"), out)
    if on_terminal:
        emit(_demo_next_steps(report.passed, chosen))
    raise typer.Exit(report.exit_code)


def _demo_next_steps(passed: bool, faults: tuple[str, ...]) -> str:
    """What to try after the demo (printed on a terminal only, after the report)."""
    from truthgate.demo.faults import FAULT_DESCRIPTIONS

    names = ", ".join(sorted(FAULT_DESCRIPTIONS))
    lines = ["", "what to try next:"]
    if faults:
        lines.append("  truthgate demo                          # the healthy service: all green")
    lines += [
        "  truthgate demo --faults slow,crash       # break promises and watch the gate go red",
        f"                                           (faults: {names})",
        "  truthgate init path/to/your/service      # a contract for your own repository",
        "  truthgate validate && truthgate verify   # then gate it, in CI too (kb/workflows.md)",
        "  truthgate smoke --base-url URL           # and smoke a deployment of it",
    ]
    if not passed and faults:
        lines.insert(1, "the demo is red because of --faults " + ",".join(faults)
                     + ": each fault breaks the promise one scenario checks")
    return "\n".join(lines)


@app.command()
def init(
    directory: Annotated[Path, typer.Argument(help="Repository to scaffold.")] = Path("."),
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
) -> None:
    """Scaffold product/truth.yaml, kb/ stubs, quarantine/ and a CI workflow from the repo."""
    from truthgate.scaffold.init import PLACEHOLDER, install_line, installed_direct_url, scaffold

    install = install_line(installed_direct_url())
    written, kept, unsure = scaffold(directory, force=force, install=install,
                                     progress=terminal_progress("init: reading"))
    for path in written:
        emit(f"wrote {path}")
    for path in kept:
        emit(f"kept  {path} (exists; --force to overwrite)")
    workflow = ".github/workflows/truth_gate.yml"
    if workflow in written and PLACEHOLDER in install:
        emit(f"edit {workflow}: in '{install}', replace {PLACEHOLDER} with the GitHub owner of "
             "the truthgate repository you use (README: 'Use it in your repository')")
    for notice in unsure:
        emit(f"notice: {notice} (marked TODO(init) in product/truth.yaml)")
    emit("next: review product/truth.yaml, then run 'truthgate validate' and 'truthgate verify'")


@app.command()
def version() -> None:
    """Print truthgate's version."""
    from truthgate import __version__

    emit(__version__)


app.add_typer(report_app, name="report")
app.command("release")(release_command)
app.command("logs")(logs_command)
app.command("matrix")(matrix_command)


def run() -> None:
    """Console-script entry point."""
    # Start-up builds a few hundred thousand long-lived objects (modules, classes, the
    # contract) and next to no garbage cycles; at the default threshold of 700 the cyclic
    # GC runs ~130 times before the first request, rescanning them (~4% of smoke's
    # start-up, counted in instructions). A process that lives seconds to minutes
    # loses nothing by collecting young objects in batches of 50k.
    gc.set_threshold(50_000, 20, 20)
    app()
