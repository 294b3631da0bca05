"""Issue 5, part 6: unsafe scenarios never reach production; every request loop is capped.

Every assertion about "no request" or "at most N requests" is made on what a real server
process received (its request log), not on what the report claims.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from truthgate.cli.main import app

from .hostile_server import Server, hostile

UNSAFE = """\
version: 1
product: {name: rails}
entrypoint: {path: app.py}
invariants: []
smoke:
  defaults: {timeout_s: 3}
  targets:
    prod: {base_url: "PROD_URL", production: true}
    staging: {base_url: "STAGING_URL"}
  scenarios:
    - {id: W, kind: fast_ack, unsafe: true, tags: [core],
       params: {request: {path: /webhook, json: {update_id: 1}}}}
    - id: G
      unsafe: true
      modes: [ACTIVE]
      steps:
        - request: {method: POST, path: /generate, json: {prompt: x}}
    - {id: H, kind: health, tags: [core]}
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "product").mkdir(exist_ok=True)
    path = tmp_path / "product" / "truth.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def smoke(contract: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["smoke", "-c", str(contract), *args], env={})
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def unsafe_hits(srv: Server) -> list[str]:
    return [r["path"] for r in srv.requests() if r["method"] == "POST"]


FLAG_SETS = [
    ["-t", "prod", "--allow-unsafe"],
    ["-t", "prod", "--allow-unsafe", "-s", "W", "-s", "G"],
    ["-t", "prod", "--allow-unsafe", "--mode", "ACTIVE", "--tag", "core"],
    ["-t", "prod", "--allow-unsafe", "-u", "STAGING_URL"],  # --base-url never unmarks it
    ["-u", "PROD_URL", "--allow-unsafe"],  # the production URL typed by hand
    ["-u", "PROD_URL/", "--allow-unsafe"],
    ["-u", "PROD_URL", "--allow-unsafe", "--concurrency", "1", "--wait-ready", "1"],
]


@pytest.mark.parametrize("flags", FLAG_SETS, ids=[" ".join(f) for f in FLAG_SETS])
def test_unsafe_never_reaches_production(tmp_path: Path, flags: list[str]) -> None:
    with hostile("ok", tmp_path) as prod, hostile("ok", tmp_path) as staging:
        contract = write(tmp_path, UNSAFE.replace("PROD_URL", prod.url)
                         .replace("STAGING_URL", staging.url))
        args = [f.replace("PROD_URL", prod.url).replace("STAGING_URL", staging.url)
                for f in flags]
        code, output = smoke(contract, *args, "-f", "json")
        report = json.loads(output)
        hits = unsafe_hits(prod) + unsafe_hits(staging)
    assert hits == [], f"unsafe requests reached a production target: {hits}"
    by_id = {s["id"]: s for s in report["scenarios"]}
    for sid in ("W", "G"):
        if sid in by_id:
            assert by_id[sid]["outcome"] == "skipped"
            if "--tag" not in flags:  # a tag filter may skip it first, for its own reason
                assert "production" in by_id[sid]["skip_reason"]
    assert code in (0, 1)


# Spellings of the production URL that point at the same server. Each one is a way around
# the "typed by hand" rule, which compares the strings after stripping a trailing '/'.
SPELLINGS = [
    ("upper-case-host", lambda url: url.replace("http://127.0.0.1", "HTTP://127.0.0.1")),
    ("path-below-production", lambda url: url + "/api"),
    ("dot-segment", lambda url: url + "/."),
    ("localhost-for-127.0.0.1", lambda url: url.replace("127.0.0.1", "localhost")),
]


@pytest.mark.parametrize("name,spell", SPELLINGS, ids=[s[0] for s in SPELLINGS])
def test_unsafe_never_reaches_production_spelled_differently(tmp_path: Path, name: str,
                                                             spell: object) -> None:
    with hostile("ok", tmp_path) as prod:
        contract = write(tmp_path, UNSAFE.replace("PROD_URL", prod.url)
                         .replace("STAGING_URL", "http://127.0.0.1:1"))
        smoke(contract, "-u", spell(prod.url), "--allow-unsafe", "-s", "W")  # type: ignore[operator]
        hits = unsafe_hits(prod)
    assert hits == [], f"{name}: unsafe requests reached production: {hits}"


def test_allow_unsafe_is_in_the_report_context(tmp_path: Path) -> None:
    with hostile("ok", tmp_path) as srv:
        contract = write(tmp_path, UNSAFE.replace("PROD_URL", "https://prod.invalid")
                         .replace("STAGING_URL", srv.url))
        _, as_json = smoke(contract, "-t", "staging", "--allow-unsafe", "-f", "json")
        _, as_text = smoke(contract, "-t", "staging", "--allow-unsafe", "-f", "text")
        _, as_md = smoke(contract, "-t", "staging", "--allow-unsafe", "-f", "markdown")
        _, without = smoke(contract, "-t", "staging", "-f", "json")
        assert unsafe_hits(srv), "a non-production target with the flag runs unsafe ones"
    assert "--allow-unsafe" in json.loads(as_json)["context"]["flags"]
    assert "--allow-unsafe" in as_text
    assert "--allow-unsafe" in as_md
    assert "--allow-unsafe" not in json.loads(without)["context"]["flags"]


LOOPS = """\
version: 1
product: {name: loops}
entrypoint: {path: app.py}
invariants: []
smoke:
  defaults: {timeout_s: 2}
  scenarios:
    - {id: RATE, kind: rate_limit, params: {request: {path: /limited}, burst: 25}}
    - {id: COLD, kind: cold_start, params: {path: /health, budget_s: 2, interval_ms: 100}}
    - {id: COLDCAP, kind: cold_start,
       params: {path: /health, budget_s: 30, interval_ms: 10, max_attempts: 4}}
    - id: POLL
      steps:
        - request: {path: /poll}
          poll: {until_s: 2, interval_ms: 50}
          expect: {status: 200}
    - id: POLLCAP
      steps:
        - request: {path: /pollcap}
          poll: {until_s: 60, interval_ms: 10, max_attempts: 3}
          expect: {status: 200}
    - {id: IDEM, kind: idempotency, unsafe: true,
       params: {request: {path: /idem, json: {u: 1}}, repeat: 20}}
"""


def _count(srv: Server, path: str) -> int:
    return sum(1 for r in srv.requests() if r["path"].split("?")[0] == path)


def test_every_loop_is_capped_against_a_server_that_never_complies(tmp_path: Path) -> None:
    # 503 forever: never ready, never rate limited, never the expected status.
    with hostile("status", tmp_path, arg="503") as srv:
        contract = write(tmp_path, LOOPS)
        started = time.monotonic()
        code, output = smoke(contract, "-u", srv.url, "--allow-unsafe", "-f", "json",
                             "--concurrency", "6")
        took = time.monotonic() - started
        time.sleep(0.2)
        counts = {p: _count(srv, p) for p in ("/limited", "/health", "/poll", "/pollcap",
                                              "/idem")}
    report = {s["id"]: s for s in json.loads(output)["scenarios"]}
    assert code == 1
    assert all(s["outcome"] in ("fail", "error") for s in report.values()), report
    assert counts["/limited"] <= 25
    assert counts["/health"] <= 2 / 0.1 + 2 + 4  # COLD by time, COLDCAP by count
    assert counts["/poll"] <= 2 / 0.05 + 2
    assert counts["/pollcap"] == 3
    assert counts["/idem"] <= 20
    assert "not ready within 2 s" in report["COLD"]["failures"][0]
    # Every time-capped loop here is ~2 s; the count-capped ones are fast.
    assert took < 60, took


def test_slow_burst_is_capped_by_count_times_timeout_and_by_the_deadline(
        tmp_path: Path) -> None:
    text = LOOPS.replace("burst: 25", "burst: 200")
    with hostile("status", tmp_path, arg="200", delay=0.3) as srv:
        contract = write(tmp_path, text)
        started = time.monotonic()
        code, output = smoke(contract, "-u", srv.url, "-s", "RATE", "--deadline", "3",
                             "-f", "json")
        took = time.monotonic() - started
        sent = _count(srv, "/limited")
    assert code == 1
    assert took < 30, took
    assert sent < 200, sent  # the deadline, not the burst size, ended it
    rate = json.loads(output)["scenarios"][0]
    assert rate["outcome"] in ("fail", "error")


def test_wait_ready_gives_up_in_time(tmp_path: Path) -> None:
    with hostile("status", tmp_path, arg="503") as srv:
        contract = write(tmp_path, LOOPS)
        started = time.monotonic()
        code, output = smoke(contract, "-u", srv.url, "-s", "RATE", "--wait-ready", "1.5")
        took = time.monotonic() - started
        probes = _count(srv, "/health") + _count(srv, "/")
    assert code == 1
    assert "not ready after 1.5 s of --wait-ready" in output
    assert probes <= 1.5 / 0.2 + 2
    assert took < 60


def test_a_burst_without_deadline_is_capped_by_the_scenario_time_cap(tmp_path: Path) -> None:
    # No --deadline: only the scenario's own time cap can stop 200 requests of 0.3 s each.
    text = LOOPS.replace("burst: 25", "burst: 200").replace(
        "defaults: {timeout_s: 2}", "defaults: {timeout_s: 2, scenario_timeout_s: 2}")
    with hostile("status", tmp_path, arg="200", delay=0.3) as srv:
        contract = write(tmp_path, text)
        started = time.monotonic()
        code, output = smoke(contract, "-u", srv.url, "-s", "RATE", "-f", "json")
        took = time.monotonic() - started
        sent = _count(srv, "/limited")
    rate = json.loads(output)["scenarios"][0]
    assert code == 1
    assert sent < 20, sent
    assert rate["outcome"] == "error", rate
    assert "scenario's time cap (2 s" in rate["error"], rate["error"]
    assert took < 30, took
