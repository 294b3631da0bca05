"""gitignore_covers: real gitignore semantics, decided on synthesised sample paths."""

from __future__ import annotations

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
    assert messages(run_kind("gitignore_covers", {}, {".gitignore": text})) == [
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
