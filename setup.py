"""Ship the example project inside the wheel, so ``truthgate demo`` works from a wheel.

``examples/demo`` stays the one copy in the repository (the README and the tests use it
there). A non-editable build copies it to ``truthgate/_examples/demo`` in the wheel;
``MANIFEST.in`` puts it in the sdist, so a wheel built from the sdist has it too.
Everything else is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

EXAMPLE = Path("examples") / "demo"
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".truthgate_cache", "reports", ".venv",
                              "*.db", ".env")


class BuildPyWithExample(build_py):
    """build_py, plus the example project as package data of ``truthgate._examples``."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install finds examples/demo in the checkout itself
        source = Path(__file__).resolve().parent / EXAMPLE
        if not (source / "product" / "truth.yaml").is_file():
            raise SystemExit(f"{source}: the example project is missing; "
                             "it must be in the sdist (MANIFEST.in)")
        target = Path(self.build_lib) / "truthgate" / "_examples" / "demo"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(source, target, ignore=SKIP)


setup(cmdclass={"build_py": BuildPyWithExample})
