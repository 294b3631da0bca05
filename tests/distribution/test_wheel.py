"""Packaging proved: the built wheel, installed in a fresh venv, runs ``truthgate demo``.

``python -m build`` makes the sdist and then the wheel *from the sdist*, so a file the
sdist leaves out (MANIFEST.in) or the wheel leaves out (setup.py's copy of the example
project, package data) fails here, as it would for a user installing the wheel. The fresh
venv has no access to the checkout: the demo must find everything inside the package.
Dependencies come from pip's configured index (a local one on the development VM).
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def _run(argv: list[str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)


def test_the_built_wheel_runs_the_demo(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = _run([sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)], tmp_path)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    wheels, sdists = list(dist.glob("*.whl")), list(dist.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1
    checked = _run([sys.executable, "-m", "twine", "check", "--strict", *map(str, wheels),
                    *map(str, sdists)], tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    names = zipfile.ZipFile(wheels[0]).namelist()
    for needed in ("truthgate/_examples/demo/product/truth.yaml",
                   "truthgate/_examples/demo/product/health.schema.json",
                   "truthgate/_examples/demo/.env.example",
                   "truthgate/py.typed"):
        assert needed in names, f"{needed} is not in the wheel"
    assert not [n for n in names if "__pycache__" in n or n.startswith("tests/")]

    venv = tmp_path / "venv"
    made = _run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    assert made.returncode == 0, made.stderr
    pip = _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                f"{wheels[0]}[demo]"], tmp_path)
    assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]

    elsewhere = tmp_path / "elsewhere"  # not a checkout: nothing to find by walking up
    elsewhere.mkdir()
    where = _run([str(venv / "bin" / "python"), "-c",
                  "import truthgate.app as a; print(a.example_project())"], elsewhere)
    assert where.returncode == 0, where.stderr
    assert str(venv) in where.stdout and "_examples" in where.stdout
    demo = _run([str(venv / "bin" / "truthgate"), "demo", "--format", "text"], elsewhere)
    assert demo.returncode == 0, demo.stdout[-4000:] + demo.stderr[-2000:]
    assert "verify: PASSED" in demo.stdout and "smoke: PASSED" in demo.stdout
    broken = _run([str(venv / "bin" / "truthgate"), "demo", "--faults", "health_schema",
                   "--format", "text"], elsewhere)
    assert broken.returncode == 1, broken.stdout[-4000:] + broken.stderr[-2000:]
