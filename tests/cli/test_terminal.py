"""On a terminal: progress on stderr, coloured verdicts, the demo's text report and next
steps. In pipes and in CI: none of it. The real CLI in a subprocess, on real
pseudo-terminals (``pty``), so ``isatty()`` answers as it does for a person.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from smoke.service import serve

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "demo" / "product" / "truth.yaml"
ANSI_COLOUR = "\x1b[1;32m"  # bold green, as rich writes PASS/PASSED


def _drain(fd: int, into: list[bytes]) -> None:
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: every writer of the pty is gone
            return
        if not chunk:
            return
        into.append(chunk)


def run(argv: list[str], *, stdout_tty: bool, stderr_tty: bool,
        env: Mapping[str, str] = (), cwd: Path = ROOT) -> tuple[int, str, str]:
    """Run ``python -m truthgate ARGV`` with stdout/stderr on a pty or a pipe each."""
    full_env = {k: v for k, v in os.environ.items()
                if k not in ("NO_COLOR", "FORCE_COLOR", "CI", "COLUMNS")}
    full_env.update({"COLUMNS": "120", "TERM": "xterm-256color", **dict(env)})
    outputs: list[list[bytes]] = [[], []]
    masters, slaves, streams = [], [], []
    for on_tty in (stdout_tty, stderr_tty):
        if on_tty:
            master, slave = pty.openpty()
            masters.append(master)
            slaves.append(slave)
            streams.append(slave)
        else:
            masters.append(-1)
            streams.append(subprocess.PIPE)
    proc = subprocess.Popen([sys.executable, "-m", "truthgate", *argv], cwd=cwd, env=full_env,
                            stdin=subprocess.DEVNULL, stdout=streams[0], stderr=streams[1])
    for slave in slaves:
        os.close(slave)
    threads = []
    for i, master in enumerate(masters):
        if master >= 0:
            threads.append(threading.Thread(target=_drain, args=(master, outputs[i])))
        else:
            pipe = proc.stdout if i == 0 else proc.stderr
            assert pipe is not None
            threads.append(threading.Thread(target=_drain, args=(pipe.fileno(), outputs[i])))
    for t in threads:
        t.start()
    code = proc.wait(timeout=600)
    for t in threads:
        t.join(timeout=60)
    for master in masters:
        if master >= 0:
            os.close(master)
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()
    out, err = (b"".join(o).decode("utf-8", "replace") for o in outputs)
    return code, out, err


def test_verify_on_a_terminal_shows_files_parsed_and_colours_the_verdicts() -> None:
    argv = ["verify", "--contract", str(DEMO), "--no-cache", "--jobs", "1"]
    code, out, err = run(argv, stdout_tty=True, stderr_tty=True)
    assert code == 0, out + err
    assert "verify: parsing" in err and "15/15" in err  # every file of the example project
    assert ANSI_COLOUR + "PASS" in out
    # An empty NO_COLOR is no NO_COLOR (no-color.org); a non-empty one turns colour off.
    code, out, err = run(argv, stdout_tty=True, stderr_tty=True, env={"NO_COLOR": ""})
    assert ANSI_COLOUR + "PASS" in out
    code, out, err = run(argv, stdout_tty=True, stderr_tty=True, env={"NO_COLOR": "1"})
    assert "\x1b[" not in out and "PASS" in out
    assert "15/15" in err  # progress is not colour: still shown


def test_pipes_and_ci_get_no_progress_and_no_colour() -> None:
    argv = ["verify", "--contract", str(DEMO), "--no-cache", "--jobs", "1"]
    code, out, err = run(argv, stdout_tty=False, stderr_tty=False)
    assert code == 0 and err == "" and "\x1b" not in out
    code, out, err = run(argv, stdout_tty=True, stderr_tty=True, env={"CI": "true"})
    assert code == 0 and "parsing" not in err and "15/15" not in err


@pytest.fixture()
def smoke_contract(tmp_path: Path) -> Iterator[Path]:
    with serve() as (url, _state):
        contract = tmp_path / "product" / "truth.yaml"
        contract.parent.mkdir()
        contract.write_text(f"""\
version: 1
product: {{name: tty}}
entrypoint: {{path: app.py}}
invariants: []
smoke:
  base_url: {url}
  scenarios:
    - {{id: S0, name: health, kind: health, params: {{path: /health}}}}
    - {{id: S1, name: stats, kind: responsive, params: {{request: {{path: /stats}}, budget_ms: 2000}}}}
    - {{id: S2, name: writes, kind: health, unsafe: true, params: {{path: /health}}}}
""")
        yield contract


def test_smoke_on_a_terminal_counts_scenarios(smoke_contract: Path) -> None:
    argv = ["smoke", "--contract", str(smoke_contract), "--no-record"]
    code, out, err = run(argv, stdout_tty=False, stderr_tty=True)
    assert code == 0, out + err
    assert "smoke" in err and "3/3" in err and "scenarios" in err
    assert "\x1b" not in out  # stdout is a pipe: plain
    code, out, err = run(argv, stdout_tty=False, stderr_tty=False)
    assert code == 0 and err == ""


def test_demo_on_a_terminal_prints_text_and_what_to_try_next() -> None:
    code, out, err = run(["demo"], stdout_tty=True, stderr_tty=True, env={"NO_COLOR": "1"})
    assert code == 0, out[-3000:] + err[-2000:]
    assert out.startswith("truthgate demo") and "| --- |" not in out and "## " not in out
    assert out.rstrip().splitlines()[-1].strip().startswith("truthgate smoke --base-url")
    assert "what to try next:" in out and "truthgate demo --faults" in out
    code, out, err = run(["demo"], stdout_tty=False, stderr_tty=False)
    assert code == 0 and out.startswith("# ") and "what to try next" not in out and err == ""


def test_colour_marks_whole_words_and_the_outcome_column(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from truthgate.cli.console import emit

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    emit("PASS   S4  PASSIVE refuses writes\nFAIL   S9  error_leak: an error\n"
         "verify: PASSED")
    out = capsys.readouterr().out
    assert "\x1b[1;32mPASS\x1b[0m   S4  PASSIVE" in out  # the column, not the mode's name
    assert "\x1b[1;31mFAIL\x1b[0m" in out
    assert "S9  error_leak:" in out
    assert out.count("\x1b[31merror\x1b[0m") == 1  # "an error", not "error_leak"
    monkeypatch.setenv("NO_COLOR", "")  # empty: as if unset
    emit("verify: PASSED")
    assert "\x1b[" in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "yes")
    emit("verify: PASSED")
    assert "\x1b[" not in capsys.readouterr().out
