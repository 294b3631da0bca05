"""A release that smokes several targets: each with its own URL, in order, red stops it.

The end-to-end tests run ``truthgate release`` against two real HTTP services on
127.0.0.1 (tests/smoke/service.py), one per target; the unit tests drive ``run_release``
with injected runners.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from smoke.service import State, serve
from typer.testing import CliRunner

from truthgate.cli.main import app as truthgate_cli
from truthgate.contract.model import Contract, Release, ReleaseStep
from truthgate.cycles.ledger import list_cycles
from truthgate.model import RunReport
from truthgate.release import ReleaseOptions, ReleaseUsageError, run_release
from truthgate.smoke.model import SmokeSpec, Target

from .test_release_core import Fakes, contract

CONTRACT = """\
version: 1
product: {{name: shop}}
entrypoint: {{path: app.py}}
invariants: []
smoke:
  targets:
    staging: {{base_url: "{staging}"}}
    production: {{base_url: "{production}", production: true}}
  scenarios:
    - {{id: S0, name: Health, kind: health, params: {{path: /health}}}}
release:
  checklist:
    - {{name: smoke staging, run: smoke, target: staging}}
    - {{name: smoke production, run: smoke, target: production}}
"""

# The real CLI (its error boundary turns usage errors into exit 2), not a bare command.
app = truthgate_cli


def release(tmp_path: Path, staging: str, production: str, *args: str) -> tuple[int, str]:
    (tmp_path / "product").mkdir(exist_ok=True)
    (tmp_path / "app.py").write_text("print('hello')\n")
    contract_file = tmp_path / "product" / "truth.yaml"
    contract_file.write_text(CONTRACT.format(staging=staging, production=production))
    result = CliRunner().invoke(app, ["release", "--contract", str(contract_file), *args])
    return result.exit_code, result.output


def test_smokes_staging_then_production_each_at_its_own_url(tmp_path: Path) -> None:
    with serve() as (staging, st), serve() as (production, prod):
        # --base-url is for steps that name no target: it must not redirect either step.
        code, out = release(tmp_path, staging, production, "--base-url", "http://127.0.0.1:9")
    assert code == 0, out
    assert "step 'smoke staging' (smoke): green — target staging: 1 pass" in out
    assert "step 'smoke production' (smoke): green — target production: 1 pass" in out
    assert out.index("smoke staging") < out.index("smoke production")
    assert st.last_headers and prod.last_headers  # each service was really asked
    (cycle,) = list_cycles(tmp_path / "reports" / "cycles").cycles
    assert [s.id for s in cycle.report.scenarios] == ["staging:S0", "production:S0"]
    assert cycle.report.context.target == "staging, production"


def test_red_staging_stops_before_production_is_touched(tmp_path: Path) -> None:
    with serve(State(faults={"cold_start"})) as (staging, _), \
            serve() as (production, prod):
        code, out = release(tmp_path, staging, production)
    assert code == 1
    assert "step 'smoke staging' (smoke): red — target staging: 1 fail" in out
    assert "step 'smoke production' (smoke): not run" in out
    assert "release RED at step 'smoke staging'" in out
    assert prod.last_headers == {}  # production never received a request


def test_red_production_after_green_staging_is_red(tmp_path: Path) -> None:
    with serve() as (staging, _), serve(State(faults={"cold_start"})) as (production, _):
        code, out = release(tmp_path, staging, production)
    assert code == 1
    assert "smoke staging' (smoke): green" in out
    assert "release RED at step 'smoke production'" in out


def test_unknown_target_is_refused_before_any_step_runs(tmp_path: Path) -> None:
    with serve() as (staging, st), serve() as (production, prod):
        code, out = release(tmp_path, staging, production, "--target", "qa")
        assert code == 2 and "--target names smoke target 'qa'" in out
        contract_file = tmp_path / "product" / "truth.yaml"
        contract_file.write_text(contract_file.read_text().replace(
            "target: production}", "target: prodution}"))
        result = CliRunner().invoke(app, ["release", "--contract", str(contract_file)])
    assert result.exit_code == 2
    assert "step 'smoke production' names smoke target 'prodution'" in result.output
    assert "known: staging, production" in result.output
    # Neither service was smoked first, and no release cycle was recorded.
    assert st.last_headers == {} and prod.last_headers == {}
    assert not (tmp_path / "reports").exists()


def with_targets(*steps: ReleaseStep) -> Contract:
    spec = SmokeSpec(targets=(Target(name="staging", base_url="http://s"),
                              Target(name="production", base_url="http://p",
                                     production=True)))
    return replace(contract(), smoke=spec, release=Release(checklist=steps))


def test_a_single_smoke_step_keeps_plain_ids_and_flags_fill_in_for_unnamed_steps() -> None:
    fakes = Fakes()
    one = with_targets(ReleaseStep(name="smoke", run="smoke"))
    result = run_release(one, ReleaseOptions(target="staging", base_url="http://x"),
                         fakes.runners())
    assert result.ok and fakes.calls == ["smoke:staging:http://x"]
    assert [s.id for s in fakes.recorded[0].scenarios] == ["S1"]


def test_unknown_release_target_flag_is_a_usage_error_before_any_step() -> None:
    fakes = Fakes()
    steps = (ReleaseStep(name="verify", run="verify"), ReleaseStep(name="smoke", run="smoke"))
    with pytest.raises(ReleaseUsageError, match="--target names smoke target 'qa'"):
        run_release(with_targets(*steps), ReleaseOptions(target="qa"),
                    fakes.runners())
    assert fakes.calls == [] and fakes.recorded == []


def test_mixed_steps_prefix_only_targeted_scenarios() -> None:
    fakes = Fakes()
    steps = (ReleaseStep(name="canary", run="smoke"),
             ReleaseStep(name="prod", run="smoke", target="production"))
    result = run_release(with_targets(*steps), ReleaseOptions(base_url="http://canary"),
                         fakes.runners())
    assert result.ok
    assert fakes.calls == ["smoke:None:http://canary", "smoke:production:None"]
    report: RunReport = fakes.recorded[0]
    assert [s.id for s in report.scenarios] == ["S1", "production:S1"]
