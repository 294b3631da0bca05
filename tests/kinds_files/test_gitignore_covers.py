"""gitignore_covers: real gitignore semantics, decided on synthesised sample paths."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from truthgate.verify.kinds import get_kind
from truthgate.verify.kinds.base import Violation
from truthgate.verify.kinds.gitignore_covers import sample_paths

from .conftest import Runner


def messages(found: list[Violation]) -> list[tuple[str, int, str]]:
    return [(v.path, v.line, v.message) for v in found]


@pytest.mark.parametrize(
    "gitignore",
    [
        ".env\n*.db\n__pycache__/\n",
        "# secrets\n.env*\n\n**/*.db\n*.py[cod]\n",  # *.pyc keeps __pycache__/ clean
        "*.env\n.env\n*.db\n**/__pycache__\n",
        "/*\n!/src/\n.env\n*.db\n__pycache__/\n",
    ],
)
def test_covering_gitignores_pass(run_kind: Runner, gitignore: str) -> None:
    assert run_kind("gitignore_covers", {}, {".gitignore": gitignore}) == []


def test_missing_gitignore_is_one_finding(run_kind: Runner) -> None:
    assert messages(run_kind("gitignore_covers", {}, {})) == [
        (".gitignore", 0, ".gitignore is missing, so nothing is ignored")
    ]


def test_look_alikes_do_not_cover(run_kind: Runner) -> None:
    # '/.env' covers only the root one, 'db/' is a directory not '*.db', '.env.local' is
    # another file, and '__pycache__.py' is not the directory.
    text = "/.env\n.env.local\ndb/\n__pycache__.py\n"
    files = {".gitignore": text, "store.py": "import sqlite3\n"}  # SQLite used: *.db counts
    assert messages(run_kind("gitignore_covers", {}, files)) == [
        (".gitignore", 0, ".gitignore does not ignore .env: pkg/.env could be committed"),
        (".gitignore", 0, ".gitignore does not ignore *.db: x.db could be committed"),
        (
            ".gitignore",
            0,
            ".gitignore does not ignore __pycache__/: __pycache__/m.pyc could be committed",
        ),
    ]


def test_negation_reincludes_and_points_at_its_line(run_kind: Runner) -> None:
    text = "*.db\n.env*\n__pycache__/\n\n# keep the sample\n!.env\n"
    assert messages(run_kind("gitignore_covers", {}, {".gitignore": text})) == [
        (
            ".gitignore",
            6,
            ".gitignore does not ignore .env: .env could be committed (re-included by '!.env')",
        ),
    ]


def test_negation_inside_ignored_directory_cannot_reinclude(run_kind: Runner) -> None:
    # git never looks inside an ignored directory, so '!secrets/.env' is moot.
    text = "secrets/\n!secrets/.env\n"
    assert run_kind("gitignore_covers", {"patterns": ["/secrets/.env"]}, {".gitignore": text}) == []


def test_must_stay_tracked(run_kind: Runner) -> None:
    raw = {"patterns": [".env", "!.env.example"]}
    assert run_kind("gitignore_covers", raw, {".gitignore": ".env\n"}) == []
    found = run_kind("gitignore_covers", raw, {".gitignore": ".env*\n"})
    assert messages(found) == [
        (
            ".gitignore",
            1,
            ".gitignore ignores .env.example, which must stay tracked "
            "(.env.example matches '.env*')",
        ),
    ]
    assert found[0].key == "!.env.example"


def test_custom_file(run_kind: Runner) -> None:
    raw = {"file": "deploy/.dockerignore", "patterns": [".git/"]}
    assert run_kind("gitignore_covers", raw, {"deploy/.dockerignore": ".git\n"}) == []


@pytest.mark.parametrize(
    ("pattern", "samples"),
    [
        (".env", (".env", "pkg/.env")),
        ("*.db", ("x.db", "pkg/x.db")),
        ("__pycache__/", ("__pycache__/m.pyc", "pkg/__pycache__/m.pyc")),
        ("/build/", ("build/file",)),
        ("docs/*.pdf", ("docs/x.pdf",)),
        ("**/secrets/", ("secrets/file", "pkg/secrets/file")),
        ("[Bb]in", ("Bin", "pkg/Bin")),
        ("a\\*b", ("a*b", "pkg/a*b")),
    ],
)
def test_sample_paths(pattern: str, samples: tuple[str, ...]) -> None:
    assert sample_paths(pattern) == samples


def test_empty_pattern_rejected() -> None:
    with pytest.raises(ValueError):
        get_kind("gitignore_covers").parse_params({"patterns": ["!/"]})


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"})


def _repo(root: Path, files: dict[str, str], commit: list[str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    _git(root, "init", "-q")
    _git(root, "add", "-f", *commit)
    _git(root, "commit", "-qm", "x")


def test_a_committed_env_is_a_stronger_finding(tmp_path: Path, run_kind: Runner) -> None:
    _repo(tmp_path, {".gitignore": ".env\n__pycache__/\n", ".env": "SECRET_KEY=abc\n",
                     "backend/.env": "X=1\n", "app.py": "x = 1\n"},
          [".gitignore", ".env", "backend/.env", "app.py"])
    (found,) = run_kind("gitignore_covers", {})
    assert found.path == ".env" and found.key == "committed:.env"
    assert found.message.startswith(".env, backend/.env are committed although .env must "
                                    "never be")
    assert "git rm --cached .env" in found.message


def test_ignored_and_untracked_env_is_no_committed_finding(tmp_path: Path,
                                                            run_kind: Runner) -> None:
    # Look-alike: the .env exists on disk but git does not track it; .env.example is tracked.
    _repo(tmp_path, {".gitignore": ".env\n__pycache__/\n", ".env": "SECRET_KEY=abc\n",
                     ".env.example": "SECRET_KEY=\n", "app.py": "x = 1\n"},
          [".gitignore", ".env.example", "app.py"])
    assert run_kind("gitignore_covers", {}) == []


def test_a_nested_gitignore_counts(run_kind: Runner) -> None:
    files = {"backend/.gitignore": ".env\n__pycache__/\n", "backend/app.py": "x = 1\n"}
    assert run_kind("gitignore_covers", {}, files) == []


def test_a_nested_gitignore_that_reincludes_is_reported(run_kind: Runner) -> None:
    files = {".gitignore": ".env\n__pycache__/\n", "backend/.gitignore": "!.env\n"}
    (found,) = run_kind("gitignore_covers", {}, files)
    assert (found.path, found.line) == ("backend/.gitignore", 1)
    assert found.message == (".gitignore does not ignore .env: backend/.env could be committed "
                             "(re-included by '!.env' in backend/.gitignore)")


def test_db_default_only_when_sqlite_is_used(run_kind: Runner) -> None:
    gitignore = {".gitignore": ".env\n__pycache__/\n"}
    postgres = {**gitignore, "db.py": "import os\nURL = os.getenv('DATABASE_URL', "
                "'postgresql://localhost/app')\n"}
    assert run_kind("gitignore_covers", {}, postgres) == []


@pytest.mark.parametrize("code", [
    "import sqlite3\n",
    "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': 'db.sqlite3'}}\n",
    "from sqlalchemy import create_engine\nengine = create_engine('sqlite:///./app.db')\n",
])
def test_sqlite_use_requires_db_ignored(run_kind: Runner, code: str) -> None:
    files = {".gitignore": ".env\n__pycache__/\n", "db.py": code}
    (found,) = run_kind("gitignore_covers", {}, files)
    assert found.message == ".gitignore does not ignore *.db: x.db could be committed"


def test_stated_db_pattern_always_counts(run_kind: Runner) -> None:
    files = {".gitignore": ".env\n"}
    (found,) = run_kind("gitignore_covers", {"patterns": ["*.db"]}, files)
    assert "*.db" in found.message
