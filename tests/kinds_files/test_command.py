"""command: real subprocesses — exit codes, output tails, time limits, SARIF folding."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from truthgate.verify.kinds import get_kind
from truthgate.verify.kinds.command import TAIL_LINES, sarif_violations, tail

from .conftest import Runner

PY = sys.executable


def test_exit_zero_passes(run_kind: Runner) -> None:
    assert run_kind("command", {"argv": [PY, "-c", "print('all good')"]}) == []


def test_failure_reports_command_and_output_tail(run_kind: Runner) -> None:
    script = (
        "import sys\n"
        "for i in range(100): print('line', i)\n"
        "sys.stderr.write('boom\\n')\n"
        "sys.exit(3)\n"
    )
    found = run_kind("command", {"argv": [PY, "check.py"]}, {"check.py": script})
    assert len(found) == 1
    head, *rest = found[0].message.splitlines()
    assert head == f"`{PY} check.py` exited with code 3"
    assert len(rest) == TAIL_LINES
    assert rest[0] == "line 61" and rest[-2:] == ["line 99", "boom"]
    assert (found[0].path, found[0].key) == (".", "exit-code")


def test_ok_exit_codes_and_cwd(run_kind: Runner) -> None:
    files = {"sub/marker.txt": "x"}
    argv = [PY, "-c", "import os,sys; sys.exit(1 if os.path.exists('marker.txt') else 5)"]
    assert run_kind("command", {"argv": argv, "ok_exit_codes": [0, 1], "cwd": "sub"}, files) == []
    found = run_kind("command", {"argv": argv, "ok_exit_codes": [0, 1]})
    assert found[0].message.splitlines()[0].endswith("exited with code 5")


def test_missing_executable(run_kind: Runner) -> None:
    found = run_kind("command", {"argv": ["truthgate-no-such-tool-xyz", "--version"]})
    assert [(v.message, v.key) for v in found] == [
        (
            "`truthgate-no-such-tool-xyz --version` executable not found: "
            "truthgate-no-such-tool-xyz",
            "not-run",
        )
    ]


def test_missing_cwd(run_kind: Runner) -> None:
    found = run_kind("command", {"argv": [PY, "-V"], "cwd": "nope"})
    assert [v.message for v in found] == [f"`{PY} -V` cannot run: no directory nope"]


def test_timeout_kills_and_reports(run_kind: Runner) -> None:
    # The child spawns a grandchild that would keep the pipes open: both must die.
    script = (
        "import subprocess, sys, time\n"
        "print('started', flush=True)\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "time.sleep(60)\n"
    )
    raw = {"argv": [PY, "slow.py"], "timeout_seconds": 1}
    found = run_kind("command", raw, {"slow.py": script})
    # Only the first line is asserted: whether 'started' was printed before the kill
    # depends on how loaded the machine is.
    assert [(v.message.splitlines()[0], v.key) for v in found] == [
        (f"`{PY} slow.py` timed out after 1 s and was killed", "not-run")
    ]


SARIF_WRITER = """\
import json, pathlib, sys
doc = {
  "version": "2.1.0",
  "runs": [{
    "tool": {"driver": {"name": "fakelint", "rules": [
        {"id": "FL001", "shortDescription": {"text": "rule text"}}]}},
    "originalUriBaseIds": {"SRC": {"uri": pathlib.Path.cwd().as_uri() + "/"}},
    "results": [
      {"ruleId": "FL001", "level": "error", "message": {"text": "bad thing"},
       "locations": [{"physicalLocation": {
           "artifactLocation": {"uri": "app/main.py"},
           "region": {"startLine": 3, "startColumn": 5, "endLine": 3, "endColumn": 9}}}]},
      {"ruleIndex": 0, "message": {"id": "x"},
       "locations": [{"physicalLocation": {
           "artifactLocation": {"uri": "a%20b.py", "uriBaseId": "SRC"},
           "region": {"startLine": 1}}}]},
      {"ruleId": "FL002", "message": {"text": "waived"}, "suppressions": [{"kind": "inSource"}]},
      {"ruleId": "FL003", "kind": "pass", "message": {"text": "fine"}}
    ]
  }]
}
text = json.dumps(doc)
if sys.argv[1] == "stdout":
    print(text)
else:
    pathlib.Path(sys.argv[1]).parent.mkdir(parents=True, exist_ok=True)
    pathlib.Path(sys.argv[1]).write_text(text)
sys.exit(1)
"""


@pytest.mark.parametrize("mode", ["file", "stdout"])
def test_sarif_results_become_violations(run_kind: Runner, mode: str) -> None:
    out = "out/lint.sarif"
    raw: dict[str, object] = {"argv": [PY, "lint.py", out if mode == "file" else "stdout"]}
    raw.update({"sarif_output": out} if mode == "file" else {"sarif": "stdout"})
    found = run_kind("command", raw, {"lint.py": SARIF_WRITER})
    assert [(v.path, v.line, v.col, v.end_line, v.end_col, v.message) for v in found] == [
        ("a b.py", 1, 0, 0, 0, "fakelint FL001: rule text"),
        ("app/main.py", 3, 5, 3, 9, "fakelint FL001: bad thing"),
    ]
    assert found[1].key == "fakelint:FL001:bad thing"


def test_stale_sarif_is_removed_and_missing_sarif_reported(run_kind: Runner) -> None:
    stale = json.dumps({"runs": [{"results": [{"ruleId": "OLD", "message": {"text": "x"}}]}]})
    raw = {"argv": [PY, "-c", "pass"], "sarif_output": "r.sarif"}
    found = run_kind("command", raw, {"r.sarif": stale})
    assert len(found) == 1
    assert found[0].message.startswith(f"`{PY} -c pass` left no readable SARIF in r.sarif: ")
    assert found[0].key == "sarif-unreadable"


def test_garbage_sarif_on_stdout_with_failure(run_kind: Runner) -> None:
    argv = [PY, "-c", "import sys; print('not json'); sys.stderr.write('crash'); sys.exit(2)"]
    found = run_kind("command", {"argv": argv, "sarif": "stdout"})
    assert [v.key for v in found] == ["sarif-unreadable", "exit-code"]
    assert found[1].message.endswith("exited with code 2\ncrash")


def test_sarif_uri_outside_root_and_file_scheme(tmp_path: Path) -> None:
    inside = (tmp_path / "pkg" / "m.py").as_uri()
    doc = {
        "runs": [
            {
                "results": [
                    {
                        "ruleId": "R",
                        "message": {"text": "t"},
                        "locations": [{"physicalLocation": {"artifactLocation": {"uri": inside}}}],
                    },
                    {
                        "ruleId": "R",
                        "message": {"text": "t"},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": "file:///elsewhere/x.py"}
                                }
                            }
                        ],
                    },
                ]
            }
        ]
    }
    found = sarif_violations(doc, tmp_path, tmp_path)
    assert [(v.path, v.message) for v in found] == [
        ("pkg/m.py", "tool R: t"),
        ("/elsewhere/x.py", "tool R: t"),
    ]


def test_tail_bounds_bytes() -> None:
    out = tail("x" * 10_000)
    assert out.startswith("…") and len(out.encode()) <= 4096 + len("…".encode())


@pytest.mark.parametrize(
    "raw",
    [
        {"argv": "ruff check ."},
        {"argv": []},
        {"argv": ["ruff"], "timeout_seconds": 0},
        {"argv": ["ruff"], "sarif": "file"},
        {"argv": ["ruff"], "sarif": "stdout", "sarif_output": "x.sarif"},
        {"argv": ["ruff"], "cwd": "../elsewhere"},
        {"argv": ["ruff"], "sarif_output": "/tmp/x.sarif"},
    ],
)
def test_bad_params(raw: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        get_kind("command").parse_params(raw)


def test_a_tool_beside_truthgate_is_found_off_path(run_kind: Runner,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # ruff lives in truthgate's own environment; PATH does not name that directory.
    monkeypatch.setenv("PATH", "/nonexistent")
    assert run_kind("command", {"argv": ["ruff", "--version"]}) == []


def test_an_unknown_tool_is_still_a_finding(run_kind: Runner,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    (found,) = run_kind("command", {"argv": ["no-such-tool-xyz"]})
    assert "executable not found: no-such-tool-xyz" in found.message
