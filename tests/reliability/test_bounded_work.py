"""Issue 18, everything bounded: what a contract or a repository writes cannot hang a run.

Each case is the real CLI in a child process with a hang guard (``HANG_S``, far beyond a
normal run: only a hang reaches it). Before the fix each of the first three hung: Python's
``re`` took 2.8 s on 24 characters of ``(a+)+$`` and doubled per character; a .gitignore
glob ``*a*a*a*a*a*a*a*a*a*ab`` took 0.9 s on a 31-character name and minutes on 41.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .hostile_server import hostile

HANG_S = 120
EVIL_RE = "(x+)+y"  # backtracks exponentially on a run of x's with no y after it
EVIL_GLOB = "*x*x*x*x*x*x*x*x*x*xy"
LONG = "x" * 60


def run(*args: str, cwd: Path) -> tuple[int, str]:
    env = {**os.environ, "NO_COLOR": "1"}
    try:
        proc = subprocess.run([sys.executable, "-m", "truthgate", *args], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=HANG_S, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"truthgate {args[0]} hung (no answer in {HANG_S} s)")
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out, out
    return proc.returncode, out


def contract(root: Path, body: str) -> Path:
    (root / "product").mkdir(parents=True, exist_ok=True)
    path = root / "product" / "truth.yaml"
    path.write_text("version: 1\nproduct: {name: bounded}\nentrypoint: {path: app.py}\n"
                    + body, encoding="utf-8")
    (root / "app.py").write_text(f"# {LONG}\nprint('hi')\n", encoding="utf-8")
    return path


def test_a_catastrophic_pattern_regex_does_not_hang_verify(tmp_path: Path) -> None:
    path = contract(tmp_path, "invariants:\n"
                    f"  - {{id: evil, kind: pattern, regex: '{EVIL_RE}', paths: ['*.py']}}\n"
                    f"  - {{id: found, kind: pattern, regex: '(x+)+', paths: ['*.py']}}\n")
    code, out = run("verify", "--no-cache", "-c", str(path), cwd=tmp_path)
    assert code == 1, out  # `found` matches the x's; `evil` matches nothing
    assert "evil" in out and f"matches /(x+)+/: '{LONG}'" in out


def test_catastrophic_globs_in_a_gitignore_and_the_contract_do_not_hang_verify(
        tmp_path: Path) -> None:
    path = contract(tmp_path, "verify:\n"
                    f"  exclude: ['{EVIL_GLOB}']\n"
                    "invariants:\n"
                    f"  - {{id: lines, kind: max_file_lines, limit: 100, "
                    f"paths: ['*.py'], exclude: ['{EVIL_GLOB}']}}\n")
    (tmp_path / ".gitignore").write_text(f"{EVIL_GLOB}\n/sub/{EVIL_GLOB}\n")
    (tmp_path / "sub").mkdir()
    for name in (LONG + ".py", "sub/" + LONG + "z.py", LONG + "y"):
        (tmp_path / name).write_text("x = 1\n")
    code, out = run("verify", "--no-cache", "-c", str(path), cwd=tmp_path)
    assert code == 0, out


def test_a_catastrophic_body_regex_does_not_hang_smoke(tmp_path: Path) -> None:
    with hostile("reflect", tmp_path, arg="200") as srv:
        path = contract(tmp_path, "invariants: []\nsmoke:\n"
                        f"  base_url: {srv.url}\n  scenarios:\n"
                        f"    - id: R\n      steps:\n        - request: {{path: /{LONG}}}\n"
                        f"          expect: {{body_regex: ['{EVIL_RE}'], "
                        f"body_not_regex: ['(x+)+$x']}}\n")
        code, out = run("smoke", "-c", str(path), cwd=tmp_path)
    assert code == 1, out
    assert f"expected to match /{EVIL_RE}/" in out


@pytest.mark.parametrize(("regex", "why"), [
    (r"(a)\\1", "invalid escape sequence"),
    ("(?=a)b", "invalid perl operator"),
    ("(?<!a)b", "invalid perl operator"),
])
def test_constructs_re2_lacks_are_located_contract_errors(tmp_path: Path, regex: str,
                                                         why: str) -> None:
    path = contract(tmp_path, "invariants:\n"
                    f"  - {{id: p, kind: pattern, regex: \"{regex}\"}}\n")
    code, out = run("validate", str(path), cwd=tmp_path)
    assert code == 2, out
    assert why in out and "linear time by RE2" in out and "truth.yaml:5:" in out
    assert "re2.cc" not in out  # RE2's own log line never reaches the user


# --- release `run: command` steps have a time limit -----------------------------------------

SLEEPER = ("import subprocess, sys, time\n"
           "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
           "print('started', flush=True)\ntime.sleep(60)\n")


def test_a_release_command_step_is_killed_at_its_timeout(tmp_path: Path) -> None:
    from truthgate.app.release import default_runners
    from truthgate.contract.loader import load_contract_text

    text = ("version: 1\nproduct: {name: bounded}\nentrypoint: {path: app.py}\n"
            "invariants: []\nrelease:\n  checklist:\n"
            "    - name: build\n      run: command\n"
            f"      command: '{sys.executable} sleeper.py'\n"
            "      timeout_seconds: 1\n")
    (tmp_path / "sleeper.py").write_text(SLEEPER, encoding="utf-8")
    contract_obj = load_contract_text(text, root=tmp_path)
    step = contract_obj.release.checklist[0]
    assert step.timeout_seconds == 1
    runners = default_runners(contract_obj, cycles_dir=tmp_path / "cycles", record=False)
    # The grandchild keeps the pipes open: only killing the process group ends the wait.
    done = runners.command(step.command)
    assert done.returncode == 124
    assert "timed out after 1 s and was killed" in done.output and "started" in done.output


@pytest.mark.parametrize(("value", "ok"), [("5", True), ("0", False), ("-1", False),
                                           ("100000", False), ("'x'", False)])
def test_a_release_step_timeout_is_validated(tmp_path: Path, value: str, ok: bool) -> None:
    path = contract(tmp_path, "invariants: []\nrelease:\n  checklist:\n"
                    f"    - {{name: b, run: command, command: 'true', timeout_seconds: {value}}}\n")
    code, out = run("validate", str(path), cwd=tmp_path)
    assert code == (0 if ok else 2), out


# --- contract problems are capped ---------------------------------------------------------


def test_a_contract_with_thousands_of_problems_shows_fifty_and_counts_the_rest(
        tmp_path: Path) -> None:
    many = "".join(f"  - {{id: i{n}, kind: no_such_kind_{n}}}\n" for n in range(2000))
    path = contract(tmp_path, "invariants:\n" + many + "unknown_key: " + "x" * 100_000 + "\n")
    code, out = run("validate", str(path), cwd=tmp_path)
    assert code == 2
    assert out.count("^") < 60 * 170 and len(out) < 200_000, len(out)
    assert "more problems not shown" in out
    assert out.rstrip().splitlines()[-1].startswith("2001 problems in ")
