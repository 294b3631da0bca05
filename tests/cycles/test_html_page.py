"""``truthgate report html``: the captain's question first, byte-for-byte deterministic,
and rendered by a real browser (headless Chromium, when installed) without console errors
and with the verdict above the fold.

Regenerate the golden after an intended change with
``TRUTHGATE_UPDATE_GOLDEN=1 pytest tests/cycles/test_html_page.py``.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cycles.samples import green, red, report, scen
from cycles.test_cycle_views import _check
from truthgate.cli.main import app
from truthgate.model import Outcome, RunReport

GOLDEN = Path(__file__).parent / "data" / "trend.html"
UPDATE = os.environ.get("TRUTHGATE_UPDATE_GOLDEN") == "1"
FOLD_PX = 600  # what a laptop shows of the page without scrolling

CONTRACT = """\
version: 1
product: {name: shop, version: "2.0"}
entrypoint: {path: app/main.py}
invariants: []
smoke:
  base_url: http://127.0.0.1:9
  defaults: {budget_ms: 200}
  scenarios:
    - {id: S0, name: health, kind: health, params: {path: /health, budget_ms: 50}}
    - {id: S1, name: ready, kind: health, params: {path: /ready}}
release:
  definition_of_done: {consecutive_green: 3, of: smoke, distinct: deployment,
                       deployment_field: version}
"""


def _deployed(r: RunReport, version: str) -> RunReport:
    return dataclasses.replace(r, context=dataclasses.replace(r.context, deployment=version))


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    from truthgate.cycles.ledger import record_cycle

    (tmp_path / "product").mkdir()
    (tmp_path / "product" / "truth.yaml").write_text(CONTRACT)
    ledger = tmp_path / "reports" / "cycles"
    times = iter(f"2025-03-14T09:0{i}:00Z" for i in range(10))
    smoke = [report("smoke", scenarios=(scen("S0", latencies=(20.0, 30.0)),
                                        scen("S1", latencies=(100.0,)))),
             report("smoke", scenarios=(scen("S0", Outcome.FAIL, latencies=(90.0,)),
                                        scen("S1", latencies=(120.0,)))),
             report("smoke", scenarios=(scen("S0", latencies=(25.0,)),
                                        scen("S1", latencies=(110.0,))))]
    record_cycle(green(), ledger, now=lambda: next(times))
    for i, r in enumerate(smoke):
        record_cycle(_deployed(r, f"2.0.{i}"), ledger, now=lambda: next(times))
    record_cycle(red(), ledger, now=lambda: next(times))
    return tmp_path


def _html(repo: Path, *extra: str) -> str:
    result = CliRunner().invoke(app, ["report", "html", "--contract",
                                      str(repo / "product" / "truth.yaml"), *extra])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_page_answers_the_captain_first(repo: Path) -> None:
    page = _html(repo)
    _check(page)
    order = [page.index(marker) for marker in (
        'id="verdict"', "Not ready to release", 'id="dod"', "What blocks a release",
        '<table class="cycles">', "Latest cycle: 5", 'class="chart pass-rate"',
        'class="chart latency"')]
    assert order == sorted(order)
    assert "1 of 3 green deploys — not met; last red: cycle 3, S0" in page
    assert "the latest verify run (cycle 5) is red: b" in page
    # The cycle table, newest first: cycle, kind, recorded, commit, deployment, verdict.
    rows = re.findall(r"<tr><td>(\d+)</td><td>(\w+)</td><td>[^<]*</td><td><code>(\w+)</code>"
                      r"</td><td>([^<]*)</td><td><span class=\"(\w+)\"", page)
    assert rows == [("5", "verify", "abababababab", "-", "fail"),
                    ("4", "smoke", "abababababab", "2.0.2", "pass"),
                    ("3", "smoke", "abababababab", "2.0.1", "fail"),
                    ("2", "smoke", "abababababab", "2.0.0", "pass"),
                    ("1", "verify", "abababababab", "-", "pass")]
    # Each latency chart carries its scenario's budget (its own, else the defaults').
    assert re.findall(r'class="budget-label" text-anchor="end">budget ([^<]+)<', page) == [
        "50.0 ms", "200.0 ms"]


def test_the_page_is_deterministic(repo: Path) -> None:
    page = _html(repo)
    assert _html(repo) == page
    if UPDATE:
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_bytes(page.encode("utf-8"))
    assert GOLDEN.read_bytes() == page.encode("utf-8"), (
        "the HTML page changed: run with TRUTHGATE_UPDATE_GOLDEN=1 if that was intended")


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which(
        "google-chrome")


PROBE = """<script>
const v = document.getElementById('verdict').getBoundingClientRect();
const d = document.getElementById('dod').getBoundingClientRect();
document.body.setAttribute('data-probe', [v.top, v.bottom, d.bottom].map(Math.round).join(','));
console.error('probe-control');
</script></body>"""


@pytest.mark.skipif(_chromium() is None, reason="chromium is not installed")
def test_chromium_renders_it_with_the_verdict_above_the_fold(repo: Path,
                                                             tmp_path: Path) -> None:
    page = _html(repo)
    # The page has no script; the probe (test-only) measures the layout Chromium made and
    # logs one console error on purpose, so the console check below is known to work.
    probe = tmp_path / "probe.html"
    probe.write_text(page.replace("</body>", PROBE), encoding="utf-8")
    shot = tmp_path / "page.png"
    common = [str(_chromium()), "--headless", "--no-sandbox", "--disable-gpu",
              "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--no-first-run", "--window-size=1280,800",
              "--enable-logging=stderr", "--v=0"]
    done = subprocess.run(
        [*common, f"--user-data-dir={tmp_path / 'profile-a'}", "--dump-dom", probe.as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.search(r'data-probe="(-?\d+),(-?\d+),(-?\d+)"', done.stdout)
    assert found, done.stdout[-2000:]
    top, bottom, dod_bottom = map(int, found.groups())
    assert 0 <= top < bottom <= FOLD_PX and dod_bottom <= FOLD_PX
    console = [ln for ln in done.stderr.splitlines() if ":CONSOLE" in ln]
    assert len(console) == 1 and "probe-control" in console[0], console

    page_file = tmp_path / "page.html"
    page_file.write_text(page, encoding="utf-8")
    done = subprocess.run(
        [*common, f"--user-data-dir={tmp_path / 'profile-b'}", f"--screenshot={shot}",
         page_file.as_uri()], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert [ln for ln in done.stderr.splitlines() if ":CONSOLE" in ln] == []
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
