"""pytest plugin: each invariant and each smoke scenario of a contract as its own test item.

``pytest --truth-verify`` adds one item per invariant, ``pytest --truth-smoke URL`` one per
scenario; ``--truth-contract PATH`` names the contract (default ``product/truth.yaml``).
verify and smoke each run once per session, on the first item that needs them, and every
item reports its own invariant's or scenario's outcome, so per-check results reach
pytest's usual reporters (JUnit XML, -v, -k selection, IDEs).

The plugin loads in every pytest run once truthgate is installed (entry point ``pytest11``),
so without either option it only adds its options: it registers no collector, imports
nothing of truthgate's engines and costs nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from truthgate.model import InvariantResult, Outcome, RunReport, ScenarioResult

DEFAULT_CONTRACT = "product/truth.yaml"


def pytest_addoption(parser: pytest.Parser) -> None:
    """The plugin's options; nothing else happens until one of them is given."""
    group = parser.getgroup("truthgate", "truthgate contract checks")
    group.addoption("--truth-verify", action="store_true", default=False,
                    help="Collect each invariant of the contract as a test item.")
    group.addoption("--truth-smoke", metavar="URL", default=None,
                    help="Collect each smoke scenario as a test item, run against URL.")
    group.addoption("--truth-contract", metavar="PATH", default=DEFAULT_CONTRACT,
                    help=f"The contract file (default: {DEFAULT_CONTRACT}).")
    group.addoption("--truth-allow-unsafe", action="store_true", default=False,
                    help="Also run smoke scenarios marked unsafe (never on production).")


def pytest_configure(config: pytest.Config) -> None:
    """Register the collecting half only when asked to."""
    if config.getoption("--truth-verify") or config.getoption("--truth-smoke"):
        config.pluginmanager.register(_TruthCollection(config), "truthgate-collection")


class _TruthCollection:
    """Adds the contract's items to the session and runs each engine once, lazily."""

    def __init__(self, config: pytest.Config) -> None:
        raw = Path(config.getoption("--truth-contract"))
        self.contract_path = raw if raw.is_absolute() else config.invocation_params.dir / raw
        self.verify = bool(config.getoption("--truth-verify"))
        self.base_url: str | None = config.getoption("--truth-smoke")
        self.allow_unsafe = bool(config.getoption("--truth-allow-unsafe"))
        self._reports: dict[str, RunReport | BaseException] = {}

    def report(self, engine: str) -> RunReport:
        """The verify or smoke report, computed on first use; a crash is re-raised per item."""
        if engine not in self._reports:
            try:
                self._reports[engine] = self._run(engine)
            except Exception as exc:  # every item of the engine shows the same cause
                self._reports[engine] = exc
        got = self._reports[engine]
        if isinstance(got, BaseException):
            raise TruthFailure(f"truthgate {engine} could not run: {_describe(got)}")
        return got

    def _run(self, engine: str) -> RunReport:
        from truthgate import app

        if engine == "verify":
            # pytest runs the repository's own code (conftest.py) already; the contract's
            # command invariants are no further trust.
            return app.run_verify(self.contract_path, allow_commands=True)
        return app.run_smoke(self.contract_path, environ=dict(os.environ),
                             base_url=self.base_url, allow_unsafe=self.allow_unsafe)

    @pytest.hookimpl(tryfirst=True)  # before -k / -m deselection sees the items
    def pytest_collection_modifyitems(self, session: pytest.Session, config: pytest.Config,
                                      items: list[pytest.Item]) -> None:
        parent = ContractFile.from_parent(session, path=self.contract_path, truth=self)
        # Through the collect-report hooks, as pytest collects files itself, so the
        # terminal's "collected N items", --junitxml and other plugins count these items.
        report = session.ihook.pytest_make_collect_report(collector=parent)
        session.ihook.pytest_collectreport(report=report)
        if report.passed:
            items.extend(x for x in report.result if isinstance(x, pytest.Item))


class TruthFailure(Exception):
    """A red invariant or scenario; its text is the failure shown by pytest."""


class ContractFile(pytest.File):
    """The contract as a pytest collector: its children are invariants and scenarios."""

    def __init__(self, *, truth: _TruthCollection, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.truth = truth

    def collect(self) -> Iterator[pytest.Item]:
        from truthgate.app import ContractError, load_contract

        try:
            contract = load_contract(self.truth.contract_path)
        except (ContractError, OSError) as exc:
            text = exc.render() if isinstance(exc, ContractError) else str(exc)
            yield TruthItem.from_parent(self, name="contract", check=_broken(text), line=0)
            return
        if self.truth.verify:
            for spec in contract.invariants:
                yield TruthItem.from_parent(self, name=f"verify[{spec.id}]", line=spec.line,
                                            check=self._invariant_check(spec.id))
        if self.truth.base_url:
            scenarios = getattr(contract.smoke, "scenarios", ()) or ()
            if not scenarios:
                yield TruthItem.from_parent(self, name="smoke", line=0, check=_broken(
                    "--truth-smoke given but the contract declares no smoke scenarios"))
            for sc in scenarios:
                yield TruthItem.from_parent(self, name=f"smoke[{sc.id}]", line=sc.line,
                                            check=self._scenario_check(sc.id))

    def _invariant_check(self, rid: str) -> Callable[[], None]:
        def check() -> None:
            report = self.truth.report("verify")
            found = [r for r in report.invariants if r.id == rid]
            if not found:
                pytest.skip(f"verify did not report invariant {rid!r}")
            _judge_invariant(found[0])
        return check

    def _scenario_check(self, sid: str) -> Callable[[], None]:
        def check() -> None:
            report = self.truth.report("smoke")
            found = [s for s in report.scenarios if s.id == sid]
            if not found:
                pytest.skip(f"smoke did not report scenario {sid!r}")
            _judge_scenario(found[0])
        return check


class TruthItem(pytest.Item):
    """One invariant or scenario; passes, fails with its findings, or skips with a reason."""

    def __init__(self, *, check: Callable[[], None], line: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._check = check
        self._line = line

    def runtest(self) -> None:
        self._check()

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str:
        # Through the redaction boundary: pytest prints this and writes it to --junitxml.
        from truthgate.redact import scrub

        if isinstance(excinfo.value, TruthFailure):
            return scrub(str(excinfo.value))
        return scrub(str(super().repr_failure(excinfo)))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        # reportinfo lines are 0-based; the contract's are 1-based (0: unknown).
        return self.path, (self._line - 1 if self._line else None), f"truth {self.name}"


def _broken(text: str) -> Callable[[], None]:
    def check() -> None:
        raise TruthFailure(text)
    return check


def _describe(exc: BaseException) -> str:
    render = getattr(exc, "render", None)
    return str(render()) if callable(render) else f"{type(exc).__name__}: {exc}"


def _judge_invariant(r: InvariantResult) -> None:
    if r.outcome is Outcome.SKIPPED:
        pytest.skip(r.error or "skipped")
    if r.outcome is Outcome.ERROR:
        raise TruthFailure(f"{r.id} could not run: {r.error or 'unknown error'}")
    if r.outcome is Outcome.FAIL:
        lines = [f"{r.id} [{r.kind}] failed: {r.description}".rstrip(": ")]
        for f in r.findings:
            where = f"{f.location}: " if f.location else ""
            lines.append(f"  {where}{f.severity.value}: {f.message}")
            if f.hint:
                lines.append(f"    hint: {f.hint}")
        raise TruthFailure("\n".join(lines))


def _judge_scenario(s: ScenarioResult) -> None:
    if s.outcome is Outcome.SKIPPED:
        pytest.skip(s.skip_reason or "skipped")
    if s.outcome is Outcome.NOT_RUN:
        pytest.skip(f"not run: {s.skip_reason or 'precondition not met'}")
    if s.outcome not in (Outcome.FAIL, Outcome.ERROR):
        return
    # Each problem once: the scenario's own, then each bad step's under that step. An
    # error a step ended the scenario with is that step's (``error_step``), shown there.
    word = "failed" if s.outcome is Outcome.FAIL else "errored"
    lines = [f"{s.id} ({s.name}) {word}:"]
    lines += [f"  {msg}" for msg in s.failures]
    if s.outcome is Outcome.ERROR and s.error_shown_by_step() is None:
        lines.append(f"  {_classed(s.error_class, s.error) or '?'}")
    for step in s.steps:
        if step.outcome in (Outcome.FAIL, Outcome.ERROR):
            lines.append(f"  step {step.name!r}: {step.outcome.value}")
            lines += [f"    {msg}" for msg in step.failures]
            if step.error:
                lines.append(f"    {_classed(step.error_class, step.error)}")
    raise TruthFailure("\n".join(lines))


def _classed(error_class: str, error: str) -> str:
    """``"<class>: <error>"`` as the reports write an error; either part may be missing."""
    return ": ".join(p for p in (error_class, error) if p)
