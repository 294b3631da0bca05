"""max_file_lines: the monolith guard, with overrides."""

from __future__ import annotations

import pytest

from truthgate.verify.kinds import get_kind

from .conftest import Runner


def lines(n: int) -> str:
    return "".join(f"x{i} = {i}\n" for i in range(n))


def test_monolith_reported_at_first_line_past_limit(run_kind: Runner) -> None:
    files = {"main.py": lines(1832), "app/routes.py": lines(800), "app/ok.py": lines(10)}
    found = run_kind("max_file_lines", {}, files)
    assert [(v.path, v.line, v.col, v.key, v.message) for v in found] == [
        ("main.py", 801, 1, "too-long", "main.py has 1,832 lines, over the limit of 800"),
    ]


def test_exactly_at_limit_passes_and_one_over_fails(run_kind: Runner) -> None:
    found = run_kind("max_file_lines", {"limit": 5}, {"a.py": lines(5), "b.py": lines(6)})
    assert [(v.path, v.line, v.message) for v in found] == [
        ("b.py", 6, "b.py has 6 lines, over the limit of 5")
    ]


def test_overrides_first_match_wins(run_kind: Runner) -> None:
    raw = {
        "limit": 10,
        "overrides": [
            {"path": "legacy/big.py", "limit": 50},
            {"path": "legacy/**", "limit": 20},
        ],
    }
    files = {"legacy/big.py": lines(40), "legacy/other.py": lines(21), "x/legacy/n.py": lines(11)}
    found = run_kind("max_file_lines", raw, files)
    assert [(v.path, v.line, v.message) for v in found] == [
        ("legacy/other.py", 21, "legacy/other.py has 21 lines, over the limit of 20"),
        ("x/legacy/n.py", 11, "x/legacy/n.py has 11 lines, over the limit of 10"),
    ]


def test_only_selected_files_count(run_kind: Runner) -> None:
    # Default paths are Python files; a long README or a migration is not a monolith.
    files = {"README.md": lines(900), "db/migrations/0001.py": lines(900)}
    assert run_kind("max_file_lines", {}, files, paths=("**/*.py", "!**/migrations/**")) == []


def test_binary_file_skipped(run_kind: Runner) -> None:
    assert run_kind("max_file_lines", {"limit": 1}, {"blob.py": b"\x00\x01\n" * 50}) == []


@pytest.mark.parametrize(
    "raw",
    [
        {"limit": 0},
        {"limit": True},
        {"limit": "9"},
        {"overrides": [{"path": "x"}]},
        {"overrides": ["x"]},
    ],
)
def test_bad_params(raw: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        get_kind("max_file_lines").parse_params(raw)


def test_params_hashable() -> None:
    raw = {"overrides": [{"path": "a/**", "limit": 3}]}
    kind = get_kind("max_file_lines")
    assert hash(kind.parse_params(raw)) == hash(kind.parse_params(raw))
