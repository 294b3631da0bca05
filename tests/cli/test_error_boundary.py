"""One error boundary: user errors exit 2 with their message, bugs exit 3 without a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from truthgate import errors
from truthgate.cli.main import app


def _repo(tmp_path: Path) -> Path:
    (tmp_path / "product").mkdir()
    (tmp_path / "product" / "truth.yaml").write_text(
        "version: 1\nproduct: {name: x}\nentrypoint: {path: app.py}\n"
        "invariants:\n  - {id: star, kind: no_wildcard_imports}\n", encoding="utf-8")
    (tmp_path / "app.py").write_text("print('hi')\n", encoding="utf-8")
    return tmp_path


def _explode(*_: object, **__: object) -> None:
    raise KeyError("a bug in truthgate")


def test_a_bug_exits_3_with_a_report_request_and_no_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A bug cannot be produced for real (it would be fixed): the use case is made to raise.
    monkeypatch.setattr("truthgate.app.run_verify", _explode)
    monkeypatch.delenv("TRUTHGATE_DEBUG", raising=False)
    result = CliRunner().invoke(app, ["verify", "-c", str(_repo(tmp_path) / "product/truth.yaml")])
    assert result.exit_code == 3
    assert "internal error in truthgate, please report it" in result.stderr
    assert "KeyError" in result.stderr and "--debug" in result.stderr
    assert "Traceback" not in result.output


def test_debug_shows_the_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("truthgate.app.run_verify", _explode)
    monkeypatch.delenv("TRUTHGATE_DEBUG", raising=False)
    result = CliRunner().invoke(
        app, ["--debug", "verify", "-c", str(_repo(tmp_path) / "product/truth.yaml")])
    assert result.exit_code == 3
    assert "Traceback (most recent call last)" in result.stderr
    assert "_explode" in result.stderr


@pytest.mark.parametrize("args,words", [
    (["smoke", "-u", "http://127.0.0.1:9"], "declares no smoke scenarios"),
    (["release", "--tag", "not a tag"], "not a usable tag name"),
    (["verify", "--all", "nowhere"], "is not a directory"),
    (["demo", "--faults", "no_such_fault"], "unknown demo fault"),
])
def test_usage_errors_exit_2_with_one_error_line(tmp_path: Path, args: list[str],
                                                  words: str) -> None:
    repo = _repo(tmp_path)
    if args[0] in ("smoke", "release"):
        args = [*args, "-c", str(repo / "product/truth.yaml")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert words in result.stderr
    assert result.stderr.startswith("error: ")
    assert "Traceback" not in result.output


def test_every_error_class_has_exit_code_2_and_is_drawn_in_the_tree() -> None:
    from truthgate.contract import ContractError
    from truthgate.cycles.ledger import CycleError
    from truthgate.monorepo import MonorepoUsageError
    from truthgate.release.core import ReleaseUsageError
    from truthgate.reports import UnknownFormatError
    from truthgate.smoke.runner import SmokeUsageError
    from truthgate.verify.baseline import BaselineError
    from truthgate.verify.engine import UnknownInvariantError

    for cls in (ContractError, CycleError, MonorepoUsageError, ReleaseUsageError,
                UnknownFormatError, SmokeUsageError, BaselineError, UnknownInvariantError,
                errors.ScaffoldError,
                errors.DemoError):
        assert issubclass(cls, errors.TruthgateError)
        assert cls.exit_code == errors.EXIT_USAGE
        assert cls.__name__ in (errors.__doc__ or ""), cls


def test_the_demo_without_uvicorn_says_which_extra_to_install() -> None:
    import subprocess
    import sys

    # uvicorn is an extra ('truthgate[demo]'): a Python where it cannot be imported.
    code = ("import sys; sys.modules['uvicorn'] = None\n"
            "from truthgate.cli.main import run\n"
            "sys.argv = ['truthgate', 'demo']\n"
            "run()\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 2, done.stderr
    assert "pip install 'truthgate[demo]'" in done.stderr
    assert "Traceback" not in done.stderr
