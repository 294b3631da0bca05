"""``truthgate report ...`` through the typer sub-app, and ``record_if_asked``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cycles.samples import green, red, report, scen
from truthgate.cli.report_cmd import report_app
from truthgate.contract import load_contract
from truthgate.cycles.ledger import cycle_path, list_cycles, record_cycle
from truthgate.cycles.recording import record_if_asked, record_wanted

CONTRACT = """\
version: 1
product: {name: shop}
entrypoint: {path: app/main.py}
invariants: []
release:
  cycles_dir: ledger/cycles
  definition_of_done: {consecutive_green_cycles: 2, criteria: [Docs reviewed]}
"""


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    (tmp_path / "product").mkdir()
    (tmp_path / "product" / "truth.yaml").write_text(CONTRACT)
    ledger = tmp_path / "ledger" / "cycles"
    record_cycle(red(), ledger)
    record_cycle(report("smoke", scenarios=(scen("S1", latencies=(10.0,)),)), ledger)
    record_cycle(green(), ledger)
    return tmp_path


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(report_app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_list_uses_the_contracts_cycles_dir(repo: Path) -> None:
    code, out, _ = _run("list", "--contract", str(repo / "product" / "truth.yaml"))
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == ["#", "1", "2", "3", "definition"]
    assert out.splitlines()[-1] == "definition of done: 2 of 2 consecutive green cycles — met"
    code, out, _ = _run("list", "--cycles-dir", str(repo / "ledger" / "cycles"), "--last", "1")
    assert [line.split()[0] for line in out.splitlines()] == ["#", "3"]


def test_show_markdown_with_changes_and_dod(repo: Path) -> None:
    contract = str(repo / "product" / "truth.yaml")
    code, out, _ = _run("show", "3", "--contract", contract)
    assert code == 0
    assert "## Changes since cycle 1" in out
    assert "2 of 2 consecutive green cycles — met" in out  # smoke 2 + verify 3
    assert "- [ ] Docs reviewed" in out
    code, out, _ = _run("show", "latest", "-f", "json", "--contract", contract)
    assert json.loads(out)["cycle"]["number"] == 3
    code, out, _ = _run("show", "2", "-f", "text", "--contract", contract)
    assert code == 0 and "smoke" in out


def test_diff_trend_and_html(repo: Path, tmp_path: Path) -> None:
    ledger = str(repo / "ledger" / "cycles")
    code, out, _ = _run("diff", "1", "3", "--cycles-dir", ledger)
    assert code == 0 and "fixed (1):\n  invariant b: fail -> pass" in out
    code, out, _ = _run("trend", "--cycles-dir", ledger, "--last", "2")
    assert code == 0 and out.splitlines()[1].split()[0] == "2"
    page = tmp_path / "out" / "trend.html"
    code, out, _ = _run("html", "--cycles-dir", ledger, "--out", str(page))
    assert code == 0 and "wrote" in out
    assert page.read_text().count('class="chart latency"') == 1


def test_usage_errors_exit_2(repo: Path, tmp_path: Path) -> None:
    ledger = str(repo / "ledger" / "cycles")
    assert _run("show", "9", "--cycles-dir", ledger)[0] == 2
    assert _run("show", "x", "--cycles-dir", ledger)[0] == 2
    assert _run("show", "1", "-f", "pdf", "--cycles-dir", ledger)[0] == 2
    assert _run("diff", "1", "9", "--cycles-dir", ledger)[0] == 2
    code, _, err = _run("list", "--contract", str(tmp_path / "nope.yaml"))
    assert code == 2 and "--cycles-dir" in err
    assert _run("show", "--cycles-dir", str(tmp_path / "empty"))[0] == 2


def test_corrupt_cycle_is_a_warning_not_a_crash(repo: Path) -> None:
    ledger = repo / "ledger" / "cycles"
    cycle_path(ledger, 4).write_text("{")
    code, out, err = _run("list", "--cycles-dir", str(ledger))
    assert code == 0 and "warning: skipped 0004.json" in err
    assert len(out.splitlines()) == 4


def test_record_if_asked(repo: Path) -> None:
    contract = load_contract(repo / "product" / "truth.yaml")
    assert record_if_asked(green(), contract, None, environ={}) is None
    path = record_if_asked(green(), contract, None, environ={"CI": "true"})
    assert path == repo / "ledger" / "cycles" / "0004.json"
    assert record_if_asked(green(), contract, False, environ={"CI": "true"}) is None
    assert record_if_asked(green(), contract, True, environ={}) is not None
    assert len(list_cycles(repo / "ledger" / "cycles").cycles) == 5
    assert record_wanted(None, {"CI": "TRUE"}) and not record_wanted(None, {"CI": "1"})
