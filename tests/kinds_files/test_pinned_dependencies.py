"""pinned_dependencies: requirements files and pyproject.toml, each unpinned line reported."""

from __future__ import annotations

import pytest

from truthgate.verify.kinds import get_kind
from truthgate.verify.kinds.pinned_dependencies import logical_lines, unpinned_reason

from .conftest import Runner

SHA = "0123456789abcdef0123456789abcdef01234567"

REQUIREMENTS = f"""\
# a comment with flask>=2 in it
--index-url https://pypi.org/simple
flask==3.0.3  # pinned, the comment mentions requests>=2
Django~=5.0
requests>=2.31
pydantic[email]==2.7.1 ; python_version < "3.12"
uvicorn[standard]>=0.30 ; python_version<"3.11"
-e .
./libs/local_pkg
numpy==1.26.4 \\
    --hash=sha256:aaaa \\
    --hash=sha256:bbbb
gunicorn
lib @ git+https://github.com/org/lib@{SHA}
other @ git+https://github.com/org/other@main
pkg @ https://files.example.com/pkg-1.0.tar.gz#sha256=abcdef
wild==1.*
"""


def test_requirements_file_lines(run_kind: Runner) -> None:
    found = run_kind("pinned_dependencies", {}, {"requirements.txt": REQUIREMENTS})
    assert [(v.path, v.line, v.col, v.key, v.message) for v in found] == [
        (
            "requirements.txt",
            5,
            1,
            "requests",
            "dependency requests is not pinned (>=2.31); use == or ~=",
        ),
        (
            "requirements.txt",
            7,
            1,
            "uvicorn",
            "dependency uvicorn is not pinned (>=0.30); use == or ~=",
        ),
        ("requirements.txt", 13, 1, "gunicorn", "dependency gunicorn has no version"),
        (
            "requirements.txt",
            15,
            1,
            "other",
            "dependency other points at a URL without a commit hash or sha256",
        ),
        ("requirements.txt", 17, 1, "wild", "dependency wild is not pinned (==1.*); use == or ~="),
    ]


def test_all_pinned_passes(run_kind: Runner) -> None:
    files = {
        "requirements-dev.txt": "pytest==8.2.0\nruff~=0.5.0\n-r requirements.txt\n",
        "requirements.txt": "flask==3.0.3\n",
    }
    assert run_kind("pinned_dependencies", {}, files) == []


def test_includes_are_followed_and_constraints_pin(run_kind: Runner) -> None:
    files = {
        "requirements.txt": "-r base/common.in\n-c constraints.txt\nrequests\n",
        "base/common.in": "# shared\nhttpx>=0.27\n",
        "constraints.txt": "requests==2.32.3\nhttpx>=0.20\n",
    }
    found = run_kind("pinned_dependencies", {}, files)
    assert [(v.path, v.line, v.message) for v in found] == [
        ("base/common.in", 2, "dependency httpx is not pinned (>=0.27); use == or ~="),
    ]


def test_missing_include_is_reported(run_kind: Runner) -> None:
    found = run_kind("pinned_dependencies", {}, {"requirements.txt": "x==1\n-r gone.txt\n"})
    assert [(v.line, v.message) for v in found] == [
        (2, "included requirements file gone.txt does not exist")
    ]


PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]

[project]
name = "demo"
dependencies = [
    "fastapi==0.111.0",
    'sqlalchemy>=2',  # unpinned
    "Jinja2 ~= 3.1",
]

[project.optional-dependencies]
dev = ["pytest>=8", "mypy==1.10.0"]

[tool.other]
dependencies = ["not-a-dep>=1"]
"""


def test_pyproject_dependencies_located(run_kind: Runner) -> None:
    found = run_kind("pinned_dependencies", {}, {"pyproject.toml": PYPROJECT})
    assert [(v.path, v.line, v.col, v.message) for v in found] == [
        ("pyproject.toml", 8, 5, "dependency sqlalchemy is not pinned (>=2); use == or ~="),
        ("pyproject.toml", 13, 8, "dependency pytest is not pinned (>=8); use == or ~="),
    ]


def test_invalid_pyproject_is_a_finding(run_kind: Runner) -> None:
    found = run_kind("pinned_dependencies", {}, {"pyproject.toml": "[project\nname=1\n"})
    assert len(found) == 1
    assert found[0].message.startswith("cannot read pyproject.toml: not valid TOML")


def test_lock_file_allows_ranges_only_when_enabled(run_kind: Runner) -> None:
    files = {"pyproject.toml": PYPROJECT, "uv.lock": "version = 1\n"}
    assert run_kind("pinned_dependencies", {"allow_lock_file": True}, files) == []


def test_lock_file_ignored_without_allow(run_kind: Runner) -> None:
    files = {"pyproject.toml": PYPROJECT, "uv.lock": "version = 1\n"}
    assert len(run_kind("pinned_dependencies", {}, files)) == 2


def test_custom_lock_file_name_and_operators(run_kind: Runner) -> None:
    files = {"svc/requirements.txt": "a>=1\nb===2.0\n", "svc/deps.lock": "x"}
    raw = {"allow_lock_file": True, "lock_files": ["other.lock"], "allowed_operators": ["=="]}
    found = run_kind("pinned_dependencies", raw, files)
    assert [(v.path, v.line, v.key) for v in found] == [
        ("svc/requirements.txt", 1, "a"),
        ("svc/requirements.txt", 2, "b"),
    ]
    raw["lock_files"] = ["deps.lock"]
    assert run_kind("pinned_dependencies", raw, {}) == []


@pytest.mark.parametrize(
    ("text", "pinned"),
    [
        ("a==1.0", True),
        ("a (==1.0)", True),
        ("a>=1,==1.2", True),
        ("a~=1.2,!=1.2.3", True),
        ("a!=1.0", False),
        ("a<2", False),
        ("file:../x", True),
        ("https://example.com/x.whl", False),
        (f"git+https://x/y@{SHA}#egg=y", True),
    ],
)
def test_unpinned_reason(text: str, pinned: bool) -> None:
    assert (unpinned_reason(text, ("==", "~=")) is None) is pinned


def test_logical_lines_join_and_strip() -> None:
    text = "a==1 \\\n  --hash=x\n\n# c\nb==2 # note\nurl#frag==1\n"
    assert list(logical_lines(text)) == [(1, "a==1 --hash=x"), (5, "b==2"), (6, "url#frag==1")]


def test_bad_operator_rejected() -> None:
    with pytest.raises(ValueError):
        get_kind("pinned_dependencies").parse_params({"allowed_operators": ["=~"]})


@pytest.mark.parametrize(("text", "pinned"), [
    ("pyyaml>=6.0,<6.1", True),           # tighter than ~=6.0: pinned (was "unpinned")
    ("django>=4.2,<5", True),             # exactly ~=4.2
    ("sqlalchemy<2.1,>=2.0.30", True),    # order does not matter
    ("requests>=2.31,<3", True),
    ("requests>=1.2,<3", False),          # wider than ~=1.2
    ("requests<3", False),                # no lower bound
    ("requests>=2,<=2.99", True),
    ("python-dotenv>=1.2.1,<2", True),    # no looser than ~=1.2
    ("whitenoise<7,>=6.11.0", True),
    ("requests>=2.0,<2.*", False),        # a wildcard is no bound
    ("requests>=2,!=2.5", False),
    ("Django~=5.0", True),
    ("flask==3.0.3", True),
])
def test_bounded_range_policy(text: str, pinned: bool) -> None:
    assert (unpinned_reason(text, ("==", "~=")) is None) is pinned


def test_bounded_ranges_can_be_turned_off(run_kind: Runner) -> None:
    found = run_kind("pinned_dependencies", {"bounded_ranges": False},
                     {"requirements.txt": "pyyaml>=6.0,<6.1\n"})
    assert [v.key for v in found] == ["pyyaml"]


def test_unreadable_requirement_is_reported_not_crashed() -> None:
    assert unpinned_reason("flask===", ("==",)) == ("flask", "is not a requirement truthgate "
                                                    "can read")


POETRY = """\
[tool.poetry]
name = "svc"

[tool.poetry.dependencies]
python = "^3.12"
fastapi = "^0.110.0"
sqlalchemy = ">=2.0.1,<4"
pydantic = "2.7.1"
httpx = "~0.27.0"
celery = {version = "^5.3", extras = ["redis"]}
mylib = {path = "../mylib", develop = true}
pinnedgit = {git = "https://github.com/o/p.git", rev = "0123456789abcdef0123456789abcdef01234567"}
branchgit = {git = "https://github.com/o/q.git", branch = "main"}
anything = "*"

[tool.poetry.group.dev.dependencies]
pytest = ">=8"
"""


def test_poetry_tables_are_read(run_kind: Runner) -> None:
    found = run_kind("pinned_dependencies", {}, {"pyproject.toml": POETRY})
    got = {v.key: (v.line, v.message) for v in found}
    # ^0.110.0 -> <0.111, ~0.27.0 -> <0.28 and ^5.3 (= ~=5.3) are no looser than ~=X.Y;
    # 2.7.1 is exact; a path is the project; >=2.0.1,<4 spans two majors.
    assert set(got) == {"sqlalchemy", "branchgit", "anything", "pytest"}
    assert got["sqlalchemy"][0] == 7
    assert got["sqlalchemy"][1] == "dependency sqlalchemy is not pinned (<4,>=2.0.1); use == or ~="
    assert got["anything"][1] == "dependency anything has no version"
    assert got["pytest"][0] == 17


def test_dependency_groups_and_uv_are_read(run_kind: Runner) -> None:
    text = """\
[project]
name = "svc"
dependencies = ["fastapi==0.115.0"]

[dependency-groups]
dev = ["pytest>=8", {include-group = "lint"}]
lint = ["ruff==0.6.0"]

[tool.uv]
dev-dependencies = ["mypy"]
"""
    found = run_kind("pinned_dependencies", {}, {"pyproject.toml": text})
    assert [(v.key, v.line) for v in found] == [("pytest", 6), ("mypy", 10)]
    # a uv.lock beside it pins them when lock files are allowed
    found = run_kind("pinned_dependencies", {"allow_lock_file": True},
                     {"pyproject.toml": text, "uv.lock": "version = 1\n"})
    assert found == []
