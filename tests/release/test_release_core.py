"""``run_release`` with injected runners: red and green steps without servers or git."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pytest
from cycles.samples import green, inv, red, report, scen

from truthgate.contract.model import (
    Contract,
    DefinitionOfDone,
    Entrypoint,
    Env,
    Kb,
    Legacy,
    Product,
    Release,
    ReleaseStep,
)
from truthgate.cycles.ledger import Cycle
from truthgate.model import Outcome, RunReport
from truthgate.release import (
    CommandResult,
    GitError,
    ReleaseOptions,
    ReleaseRunners,
    ReleaseUsageError,
    checklist,
    run_release,
)

HEAD = "c0ffee" * 6 + "abcd"


def contract(*steps: tuple[str, str], required: int = 1) -> Contract:
    return Contract(
        version=1, product=Product(name="shop", version="1.0"), entrypoint=Entrypoint("m.py"),
        env=Env(), kb=Kb(), legacy=Legacy(), invariants=(),
        release=Release(checklist=tuple(ReleaseStep(name=n, run=r, command="make check")
                                         for n, r in steps),
                        definition_of_done=DefinitionOfDone(consecutive_green_cycles=required)))


@dataclass
class FakeGit:
    heads: list[str] = field(default_factory=lambda: [HEAD])
    paths: tuple[str, ...] = ()
    tags: dict[str, tuple[str, str]] = field(default_factory=dict)
    fail_tag: bool = False

    def head(self) -> str:
        return self.heads.pop(0) if len(self.heads) > 1 else self.heads[0]

    def unclean(self) -> tuple[str, ...]:
        return self.paths

    def tag_exists(self, tag: str) -> bool:
        return tag in self.tags

    def create_tag(self, tag: str, commit: str, message: str) -> None:
        if self.fail_tag:
            raise GitError("cannot lock ref")
        self.tags[tag] = (commit, message)


@dataclass
class Fakes:
    verify: RunReport = field(default_factory=green)
    smoke: RunReport = field(default_factory=lambda: report(
        "smoke", scenarios=(scen("S1"),)))
    logs: RunReport | None = None
    command_rc: int = 0
    history: Sequence[Cycle] = ()
    git: FakeGit = field(default_factory=FakeGit)
    calls: list[str] = field(default_factory=list)
    recorded: list[RunReport] = field(default_factory=list)

    def runners(self) -> ReleaseRunners:
        def step(name: str, value: RunReport) -> RunReport:
            self.calls.append(name)
            return value

        def record(r: RunReport) -> Cycle:
            self.recorded.append(r)
            return Cycle(number=len(self.history) + 1, kind="release", report=r)

        return ReleaseRunners(
            verify=lambda: step("verify", self.verify),
            smoke=lambda target, url: step(f"smoke:{target}:{url}", self.smoke),
            logs=lambda s, src: self.logs,
            command=lambda cmd: CommandResult(self.command_rc, "boom output"),
            history=lambda: self.history, record=record, git=self.git)


FULL = (("verify", "verify"), ("smoke", "smoke"), ("dod", "dod"), ("build", "command"))


def test_all_green_tags_with_the_cycle_summary() -> None:
    fakes = Fakes(history=(Cycle(1, "smoke", green("smoke")),))
    result = run_release(contract(*FULL), ReleaseOptions(tag="v1.2.3", base_url="http://x"),
                         fakes.runners())
    assert result.status == "tagged" and result.exit_code == 0 and result.tag == "v1.2.3"
    assert [s.status for s in result.steps] == ["green"] * 4
    assert fakes.calls == ["verify", "smoke:None:http://x"]
    commit, message = fakes.git.tags["v1.2.3"]
    assert commit == HEAD
    assert message.startswith("Release v1.2.3 of shop")
    assert "Release cycle 2." in message and "verify: PASSED" in message
    assert "smoke: PASSED" in message
    assert "definition of done: 1 of 1 consecutive green cycles — met" in message
    assert "- build (command): green — exit status 0" in message
    # The recorded release cycle carries every check the steps ran.
    (rec,) = fakes.recorded
    assert rec.context.command == "release" and rec.passed
    assert [i.id for i in rec.invariants] == ["a", "b", "release:build"]
    assert [s.id for s in rec.scenarios] == ["S1"]


@pytest.mark.parametrize(("fakes", "red_at"), [
    (Fakes(verify=red()), "verify"),
    (Fakes(smoke=report("smoke", scenarios=(scen("S1", Outcome.FAIL),))), "smoke"),
    (Fakes(command_rc=3), "build"),
], ids=["verify", "smoke", "command"])
def test_stops_at_the_first_red_step(fakes: Fakes, red_at: str) -> None:
    steps = (("verify", "verify"), ("smoke", "smoke"), ("build", "command"), ("dod", "dod"))
    result = run_release(contract(*steps), ReleaseOptions(tag="v1"), fakes.runners())
    assert result.status == "red" and result.exit_code == 1
    assert result.message.startswith(f"release RED at step '{red_at}'")
    names = [s.name for s in result.steps]
    red_index = names.index(red_at)
    assert [s.status for s in result.steps[red_index + 1:]] == ["not run"] * (
        len(steps) - red_index - 1)
    assert fakes.git.tags == {} and len(fakes.recorded) == 1
    assert not fakes.recorded[0].passed or red_at == "build"


def test_dod_not_met_refuses_to_tag_and_records_a_red_cycle_saying_why() -> None:
    history = [Cycle(1, "verify", red()), Cycle(2, "verify", green()),
               Cycle(3, "release", green("release"))]
    fakes = Fakes(history=history)
    result = run_release(contract(("verify", "verify"), ("dod", "dod"), required=3),
                         ReleaseOptions(tag="v2"), fakes.runners())
    assert result.status == "red" and result.exit_code == 1 and fakes.git.tags == {}
    # Neither this release's own green verify nor the earlier release cycle is evidence.
    assert result.dod is not None and result.dod.streak == 1 and result.dod.last_red == 1
    assert "1 of 3 consecutive green cycles — not met" in result.message
    (rec,) = fakes.recorded
    assert not rec.passed  # the cycle's verdict is the exit code's
    verdict = rec.invariants[-1]
    assert verdict.id == "release" and verdict.outcome is Outcome.FAIL
    assert verdict.findings[0].message == result.message
    assert [i.outcome for i in rec.invariants[:-1]] == [Outcome.PASS] * 2  # verify's own


def test_retrying_a_refused_release_never_builds_its_own_streak() -> None:
    fakes = Fakes(history=[Cycle(1, "verify", green())])
    history: list[Cycle] = list(fakes.history)
    for attempt in range(6):
        fakes.history = tuple(history)
        result = run_release(contract(("verify", "verify"), ("dod", "dod"), required=2),
                             ReleaseOptions(tag="v3"), fakes.runners())
        assert result.status == "red" and result.exit_code == 1, attempt
        assert result.dod is not None and result.dod.streak == 1
        history.append(Cycle(len(history) + 1, "release", fakes.recorded[-1]))
    assert fakes.git.tags == {} and not any(r.passed for r in fakes.recorded)


@pytest.mark.parametrize(("git", "why"), [
    (FakeGit(paths=("modified: app.py", "untracked: kb/new.md")),
     "not the commit to tag (modified: app.py; untracked: kb/new.md)"),
    (FakeGit(tags={"v1": ("x", "")}), "tag v1 already exists"),
    (FakeGit(heads=[""]), "not a git repository"),
], ids=["dirty", "tag-exists", "no-repo"])
def test_refusals_before_any_step(git: FakeGit, why: str) -> None:
    fakes = Fakes(git=git)
    result = run_release(contract(*FULL), ReleaseOptions(tag="v1"), fakes.runners())
    assert result.status == "refused" and why in result.message and result.exit_code == 1
    assert result.steps == () and fakes.calls == []
    (rec,) = fakes.recorded  # recorded either way, red, saying why
    assert not rec.passed and why in rec.invariants[-1].findings[0].message


def test_an_unclean_tree_lists_at_most_twenty_paths() -> None:
    paths = tuple(f"untracked: f{i}.txt" for i in range(25))
    result = run_release(contract(*FULL), ReleaseOptions(tag="v1"),
                         Fakes(git=FakeGit(paths=paths)).runners())
    assert "f19.txt; and 5 more)" in result.message and "f20.txt" not in result.message


def test_head_moving_or_tag_failure_is_not_a_release() -> None:
    moved = Fakes(git=FakeGit(heads=[HEAD, "f" * 40]))
    result = run_release(contract(("verify", "verify")), ReleaseOptions(tag="v1"),
                         moved.runners())
    assert result.status == "refused" and "HEAD moved" in result.message
    broken = Fakes(git=FakeGit(fail_tag=True))
    result = run_release(contract(("verify", "verify")), ReleaseOptions(tag="v1"),
                         broken.runners())
    assert result.status == "refused" and "tagging failed: cannot lock ref" in result.message
    assert not result.report.passed  # recorded green before tagging; the verdict follows


def test_dry_run_and_no_tag_are_green_without_tagging() -> None:
    fakes = Fakes(history=(Cycle(1, "smoke", green("smoke")),))
    dry = run_release(contract(*FULL), ReleaseOptions(tag="v1", dry_run=True), fakes.runners())
    assert dry.status == "green" and "dry run" in dry.message and fakes.git.tags == {}
    plain = run_release(contract(*FULL), ReleaseOptions(), fakes.runners())
    assert plain.status == "green" and "no --tag" in plain.message


def test_a_logs_step_that_cannot_run_is_red_unless_optional() -> None:
    steps = (("verify", "verify"), ("logs", "logs"))
    fakes = Fakes()
    result = run_release(contract(*steps), ReleaseOptions(logs_source="app.log"),
                         fakes.runners())
    assert result.steps[1].status == "red" and "not available" in result.steps[1].detail
    assert not result.ok and not fakes.recorded[-1].passed
    fakes.logs = red("logs")
    result = run_release(contract(*steps), ReleaseOptions(logs_source="app.log"),
                         fakes.runners())
    assert result.steps[1].status == "red"
    no_source = replace(contract(*steps), release=Release(checklist=(
        ReleaseStep(name="logs", run="logs"),)))
    result = run_release(no_source, ReleaseOptions(tag="v9"), fakes.runners())
    assert result.status == "red" and "no log source" in result.steps[0].detail
    assert fakes.git.tags == {}
    optional = replace(contract(*steps), release=Release(checklist=(
        ReleaseStep(name="logs", run="logs", optional=True),)))
    result = run_release(optional, ReleaseOptions(tag="v9"), fakes.runners())
    assert result.status == "tagged" and result.steps[0].status == "skipped"
    assert "optional step not run: no log source" in result.steps[0].detail
    message = fakes.git.tags["v9"][1]
    assert "Optional steps NOT run (marked optional: true in the contract): logs." in message
    assert "- logs (logs): skipped — optional step not run: no log source" in message


def test_a_logs_step_reads_the_contract_source_under_the_root() -> None:
    seen: list[str | None] = []
    fakes = Fakes(logs=green("logs"))
    runners = replace(fakes.runners(), logs=lambda s, src: seen.append(src) or fakes.logs)
    sourced = replace(contract(), release=Release(checklist=(
        ReleaseStep(name="logs", run="logs", source="var/app.log"),)))
    assert run_release(sourced, ReleaseOptions(), runners).ok
    assert run_release(sourced, ReleaseOptions(logs_source="other.log"), runners).ok
    assert seen == [str(sourced.root / "var/app.log"), "other.log"]


def test_crashing_step_is_red_and_usage_errors_propagate() -> None:
    fakes = Fakes()
    runners = replace(fakes.runners(), verify=lambda: 1 / 0)  # type: ignore[arg-type,return-value]
    result = run_release(contract(("verify", "verify")), ReleaseOptions(), runners)
    assert result.status == "red" and "crashed: ZeroDivisionError" in result.message

    def bad_target(target: str | None, url: str | None) -> RunReport:
        raise ReleaseUsageError("unknown target 'prod'")

    with pytest.raises(ReleaseUsageError):
        run_release(contract(("smoke", "smoke")), ReleaseOptions(),
                    replace(fakes.runners(), smoke=bad_target))
    with pytest.raises(ReleaseUsageError, match="not a usable tag"):
        run_release(contract(), ReleaseOptions(tag="-rf"), fakes.runners())


def test_default_checklist() -> None:
    assert [s.run for s in checklist(contract())] == ["verify", "dod"]


@pytest.mark.parametrize("optional", [False, True])
def test_a_step_that_checked_nothing_is_not_green(optional: bool) -> None:
    nothing = report("logs", invariants=(inv("log:error-loop", Outcome.SKIPPED),))
    fakes = Fakes(logs=nothing, history=(Cycle(1, "verify", green()),))
    sourced = replace(contract(), release=Release(checklist=(
        ReleaseStep(name="logs", run="logs", source="app.log", optional=optional),
        ReleaseStep(name="dod", run="dod"))))
    result = run_release(sourced, ReleaseOptions(tag="v7"), fakes.runners())
    step = result.steps[0]
    assert "it checked nothing (1 skipped)" in step.detail
    if optional:
        assert step.status == "skipped" and result.status == "tagged"
    else:
        assert step.status == "red" and result.status == "red" and fakes.git.tags == {}
