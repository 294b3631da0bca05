"""Use cases between the CLI and the engines: load, run, stamp the context. No printing.

One layer (kb/architecture.md): this package, ``app.logs`` (the log gate's use case),
``app.release`` (the release checklist wired to the engines) and ``app.sections`` (what the
contract loader is handed from above).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from truthgate import __version__, redact
from truthgate.app.sections import wire
from truthgate.contract import Contract, ContractError, load_contract
from truthgate.contract.schema import contract_schema
from truthgate.errors import DemoError
from truthgate.gitinfo import git_info
from truthgate.model import RunReport

# The contract loader gets the kinds it validates and types from here (it cannot import
# them: they live above it). Every path that loads a contract goes through this package.
wire()

__all__ = ["ContractError", "contract_schema", "load_contract", "load_guarded", "run_demo",
           "run_smoke", "run_verify", "run_verify_all", "stamp"]

if TYPE_CHECKING:
    from truthgate.monorepo import ContractGate, FoundContract


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


# ${NAME:-default} in a contract: the default is sent when NAME is unset, so the default of
# a secret is as secret as the value it stands in for.
_TEMPLATE_DEFAULT = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.]*):-([^}]*)\}")


def contract_secrets(contract: Contract, environ: Mapping[str, str],
                     base_url: str | None = None) -> frozenset[str]:
    """Every value a run of ``contract`` must keep out of its outputs.

    The declared secret env vars' values, the ``:-default`` of a template that reads one,
    and the password of ``base_url``.
    """
    names = contract.env.secret_names
    values = {environ[n] for n in names if environ.get(n)}
    try:
        text = contract.source.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    values.update(default for name, default in _TEMPLATE_DEFAULT.findall(text)
                  if name in names and default)
    if base_url:
        try:
            password = urlsplit(base_url.strip()).password
        except ValueError:  # not a URL: the smoke runner refuses it with a usage error
            password = None
        if password:
            values.update((password, unquote(password)))
    return frozenset(values)


def load_guarded(contract_path: Path, *, root: Path | None = None,
                 environ: Mapping[str, str] | None = None,
                 base_url: str | None = None) -> Contract:
    """Load the contract and teach the redaction boundary the secrets a run of it knows."""
    import os

    contract = load_contract(contract_path, root=root)
    env = os.environ if environ is None else environ
    redact.add_secrets(contract_secrets(contract, env, base_url))
    return contract


def stamp(report: RunReport, contract: Contract, flags: Sequence[str] = ()) -> RunReport:
    """Fill the run context with product, contract and git facts the engines do not know.

    ``flags`` are added to those the engine already noted (smoke notes its selection and
    --allow-unsafe itself); a flag is listed once.
    """
    git = git_info(contract.root)
    ctx = dataclasses.replace(
        report.context,
        product=contract.product.name,
        product_version=contract.product.version,
        contract_path=_rel(contract.source, contract.root),
        contract_hash=contract.sha256,
        truthgate_version=__version__,
        started_at=report.context.started_at or utc_now(),
        finished_at=report.context.finished_at or utc_now(),
        git_commit=git.commit,
        git_branch=git.branch,
        git_dirty=git.dirty,
        flags=tuple(dict.fromkeys((*report.context.flags, *flags))),
    )
    return dataclasses.replace(report, context=ctx)


def _rel(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def record_cycle(
    report: RunReport,
    contract: Contract,
    wanted: bool | None,
    environ: Mapping[str, str] | None = None,
) -> RunReport:
    """Record the run as the next cycle when wanted (default: under CI=true); note where."""
    from truthgate.cycles.recording import record_if_asked

    path = record_if_asked(report, contract, wanted, environ)
    if path is None:
        return report
    return dataclasses.replace(report, notes=(*report.notes, f"recorded cycle {path.name}"))


def run_verify(
    contract_path: Path,
    *,
    root: Path | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    baseline: Path | None = None,
    use_cache: bool = True,
    jobs: int | None = None,
    record: bool | None = False,
    progress: Callable[[int, int], None] | None = None,
    allow_commands: bool = False,
) -> RunReport:
    """Load the contract and run every selected invariant over its repository.

    ``allow_commands``: run the contract's ``command`` invariants (off: each is an error).
    """
    from truthgate.verify.engine import run_verify as engine_verify

    contract = load_guarded(contract_path, root=root)
    report = engine_verify(
        contract,
        select=tuple(select),
        ignore=tuple(ignore),
        baseline=baseline,
        use_cache=use_cache and contract.verify.cache,
        jobs=jobs,
        progress=progress,
        allow_commands=allow_commands,
    )
    return record_cycle(stamp(report, contract), contract, record)


def run_smoke(
    contract_path: Path,
    *,
    root: Path | None = None,
    environ: Mapping[str, str],
    record: bool | None = False,
    **options: Any,
) -> RunReport:
    """Load the contract and run its smoke scenarios against a live deployment."""
    from truthgate.smoke.runner import run_smoke as engine_smoke

    contract = load_guarded(contract_path, root=root, environ=environ,
                            base_url=options.get("base_url"))
    report = engine_smoke(contract, environ=environ,
                          extra_secrets=redact.active().secrets, **options)
    return record_cycle(stamp(report, contract), contract, record, environ)


class DemoUnavailable(DemoError):
    """The bundled example project is not next to the installed package."""


def example_project() -> Path:
    """The example project's contract: the copy inside the installed package (a wheel),
    else examples/demo of the checkout truthgate runs from (an editable install)."""
    import truthgate

    here = Path(truthgate.__file__).resolve()  # the package, wherever this module sits in it
    packaged = here.parent / "_examples" / "demo" / "product" / "truth.yaml"
    if packaged.is_file():
        return packaged
    for parent in here.parents:
        candidate = parent / "examples" / "demo" / "product" / "truth.yaml"
        if candidate.is_file():
            return candidate
    raise DemoUnavailable(
        "the bundled example project was not found (truthgate/_examples/demo in a wheel, "
        "examples/demo in a checkout): reinstall truthgate from a wheel or a checkout"
    )


def run_demo(faults: Sequence[str] = (), environ: Mapping[str, str] | None = None) -> RunReport:
    """Serve the demo, verify its example project, smoke it; one combined report.

    Scenarios that only apply to a mode other than the service's default (ACTIVE) are run
    against a second instance started in that mode, so the report covers S0..S8 for real.
    """
    import os
    import secrets

    try:
        from truthgate.demo.server import serve_demo_process
    except ModuleNotFoundError as exc:
        if exc.name != "uvicorn":
            raise
        # uvicorn serves the demo only: it is an extra, not a dependency of the gate.
        raise DemoError("the demo service needs uvicorn: pip install 'truthgate[demo]' "
                        "(the README's install, '.[dev]', has it)") from None

    contract_path = example_project()
    contract = load_contract(contract_path)
    # A fresh admin token per run: the smoke scenarios read it from the environment, and it is
    # declared secret in the example contract, so no report ever shows it.
    token = secrets.token_urlsafe(24)
    env = {**(environ if environ is not None else os.environ), "DEMO_ADMIN_TOKEN": token}
    verified = run_verify(contract_path, use_cache=False)
    scenarios = tuple(getattr(contract.smoke, "scenarios", ()) or ())
    passive_only = tuple(s.id for s in scenarios if s.modes and "ACTIVE" not in s.modes)
    with serve_demo_process(faults, mode="ACTIVE", env={"DEMO_ADMIN_TOKEN": token}) as url:
        smoked = run_smoke(
            contract_path, environ=env, base_url=url, allow_unsafe=True, mode="ACTIVE"
        )
    results = {s.id: s for s in smoked.scenarios}
    if passive_only:
        with serve_demo_process(faults, mode="PASSIVE", env={"DEMO_ADMIN_TOKEN": token}) as url:
            passive = run_smoke(
                contract_path,
                environ=env,
                base_url=url,
                allow_unsafe=True,
                mode="PASSIVE",
                scenario_ids=passive_only,
            )
        results.update({s.id: s for s in passive.scenarios})
    ordered = tuple(results[s.id] for s in scenarios if s.id in results)
    ctx = dataclasses.replace(
        smoked.context, command="demo", flags=tuple(f"--faults={f}" for f in faults)
    )
    return RunReport(
        context=ctx,
        invariants=verified.invariants,
        scenarios=ordered,
        notes=verified.notes + smoked.notes,
        skipped_files=verified.skipped_files,
    )


def run_verify_all(
    search_root: Path,
    *,
    use_cache: bool = True,
    jobs: int | None = None,
    record: bool | None = False,
    allow_commands: bool = False,
) -> tuple[ContractGate, ...]:
    """Gate every contract below ``search_root`` (monorepo.find_contracts), one after another.

    An invalid contract does not stop the others: its gate carries the located error. Each
    contract is verified against its own repository root and records in its own ledger.
    """
    from truthgate.monorepo import ContractGate, find_contracts

    gates: list[ContractGate] = []
    for found in find_contracts(search_root):
        try:
            report = run_verify(found.path, root=found.repo_root, use_cache=use_cache,
                                jobs=jobs, record=record, allow_commands=allow_commands)
        except ContractError as exc:
            gates.append(ContractGate(found, error=exc.render()))
            continue
        except (ValueError, OSError) as exc:  # e.g. an unreadable ledger directory
            gates.append(ContractGate(found, error=f"{found.contract}: {exc}"))
            continue
        gates.append(ContractGate(found, product=report.context.product, report=report))
    return tuple(gates)


def contract_names(search_root: Path) -> tuple[tuple[FoundContract, str, str], ...]:
    """(contract, product name, error) for every contract below ``search_root``.

    An invalid contract keeps its place with the name of its repository directory and its
    rendered error, so a CI matrix built from this still has a job that fails on it.
    """
    from truthgate.monorepo import find_contracts

    out: list[tuple[FoundContract, str, str]] = []
    for found in find_contracts(search_root):
        try:
            contract = load_contract(found.path, root=found.repo_root)
        except ContractError as exc:
            fallback = found.repo_root.resolve().name or found.root
            out.append((found, fallback, exc.render()))
            continue
        out.append((found, contract.product.name, ""))
    return tuple(out)
