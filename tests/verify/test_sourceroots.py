"""Source roots: modules named the way the service runs, so its import cycles are found."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from verify_support import Write, make_contract, spec

from truthgate.verify.engine import run_verify
from truthgate.verify.sourceroots import detect_source_roots

SERVICE = {
    "services/api/app/__init__.py": "",
    "services/api/app/db.py": "from app.models import Model\n",
    "services/api/app/models.py": "from app.db import session\n",
    "services/api/app/main.py": "from app import db\n",
}


def _cycles(tmp_path: Path, **verify: object) -> list[str]:
    contract = make_contract(tmp_path, spec("cycles", "no_import_cycles"), cache=False)
    if verify:
        contract = dataclasses.replace(contract,
                                       verify=dataclasses.replace(contract.verify, **verify))
    (r,) = run_verify(contract).invariants
    return [f.message for f in r.findings]


@pytest.mark.parametrize("deploy", [
    {"services/api/Dockerfile": "FROM python:3.12\nCOPY . /srv\nWORKDIR /srv\n"
                                "CMD [\"gunicorn\", \"app.main:app\"]\n"},
    {"Dockerfile": "FROM python:3.12\nCOPY . /srv\nWORKDIR /srv/services/api\n"
                   "CMD [\"gunicorn\", \"app.main:app\"]\n"},
    {"Procfile": "web: cd services/api && gunicorn app.main:app\n"},
    {"docker-compose.yml": "services:\n  api:\n    build: .\n    environment:\n"
                           "      PYTHONPATH: services/api\n"},
])
def test_cycle_found_under_a_detected_root(tmp_path: Path, write: Write,
                                           deploy: dict[str, str]) -> None:
    for rel, text in {**SERVICE, **deploy}.items():
        write(rel, text)
    assert _cycles(tmp_path) == ["import cycle: app.db -> app.models -> app.db"]


def test_without_a_root_the_imports_name_nothing(tmp_path: Path, write: Write) -> None:
    # Look-alike: nothing says the service runs from services/api, so 'app' is not a
    # repository module and no cycle is claimed.
    for rel, text in SERVICE.items():
        write(rel, text)
    assert _cycles(tmp_path) == []


def test_declared_root(tmp_path: Path, write: Write) -> None:
    for rel, text in SERVICE.items():
        write(rel, text)
    assert _cycles(tmp_path, source_roots=("services/api",)) == [
        "import cycle: app.db -> app.models -> app.db"]


def test_packaging_roots() -> None:
    files = {"pyproject.toml": '[tool.setuptools.packages.find]\nwhere = ["lib"]\n',
             "setup.cfg": "[options]\npackage_dir =\n    =code\n"}
    paths = ["lib/pkg/__init__.py", "code/x/__init__.py", "other/y.py"]
    assert detect_source_roots((), files.get, paths) == ("lib", "code")
    poetry = {"pyproject.toml": '[tool.poetry]\npackages = [{include = "svc", from = "src"}]\n'}
    assert detect_source_roots((), poetry.get, ["src/svc/a.py"]) == ("src",)
    # a root that is no directory of the repository is dropped
    assert detect_source_roots(("nowhere",), {}.get, ["a.py"]) == ()
