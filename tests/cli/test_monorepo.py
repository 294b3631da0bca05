"""``truthgate verify --all`` and ``truthgate matrix`` over a real monorepo in tmp_path."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from truthgate.cli.main import app
from truthgate.monorepo import find_contracts

CONTRACT = """\
version: 1
product: {{name: {name}}}
entrypoint: {{path: app.py}}
verify: {{cache: false}}
invariants:
  - {{id: no-star, kind: no_wildcard_imports}}
"""


def service(root: Path, rel: str, name: str, code: str = "print('ok')\n") -> Path:
    """A service with its own contract at ``root/rel`` ('.' for root itself)."""
    repo = root / rel
    (repo / "product").mkdir(parents=True, exist_ok=True)
    (repo / "product" / "truth.yaml").write_text(CONTRACT.format(name=name))
    (repo / "app.py").write_text(code)
    return repo


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture()
def mono(tmp_path: Path) -> Path:
    service(tmp_path, "services/api", "api")
    service(tmp_path, "services/web", "web")
    return tmp_path


def test_find_contracts_honours_gitignore_and_skips_tool_directories(tmp_path: Path) -> None:
    service(tmp_path, ".", "top")
    service(tmp_path, "b/svc", "b")
    service(tmp_path, "a", "a")
    service(tmp_path, "node_modules/pkg", "vendored")
    service(tmp_path, ".venv/lib/x", "venv")
    service(tmp_path, "build/copy", "built")
    service(tmp_path, "keep/build/real", "negated")
    service(tmp_path, "scratch", "scratch")
    (tmp_path / ".gitignore").write_text("build/\n")
    # A nested .gitignore applies to its own subtree; a negation there re-includes.
    (tmp_path / "keep" / ".gitignore").write_text("!build/\n")
    (tmp_path / "scratch" / ".gitignore").write_text("product/truth.yaml\n")
    found = find_contracts(tmp_path)
    assert [f.contract for f in found] == [
        "a/product/truth.yaml", "b/svc/product/truth.yaml",
        "keep/build/real/product/truth.yaml", "product/truth.yaml"]
    assert [f.root for f in found] == ["a", "b/svc", "keep/build/real", "."]
    assert found[1].repo_root == tmp_path / "b" / "svc"
    assert found[3].repo_root == tmp_path


def test_find_contracts_does_not_follow_directory_links(tmp_path: Path) -> None:
    service(tmp_path, "svc", "svc")
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    service(outside, "elsewhere", "elsewhere")
    (tmp_path / "link-out").symlink_to(outside, target_is_directory=True)
    (tmp_path / "svc" / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert [f.contract for f in find_contracts(tmp_path)] == ["svc/product/truth.yaml"]


def test_all_green_exits_0_with_a_verdict_and_report_per_contract(
        mono: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(mono)
    code, out, _ = run("verify", "--all", "--no-record")
    assert code == 0, out
    assert "== PASSED   services/api/product/truth.yaml (api) ==" in out
    assert "== PASSED   services/web/product/truth.yaml (web) ==" in out
    assert out.count("no-star") >= 2  # the usual report, once per contract
    assert "2 contracts below .: 2 passed" in out


def test_a_failed_gate_exits_1_and_an_invalid_contract_2_while_the_others_still_run(
        mono: Path) -> None:
    (mono / "services" / "web" / "app.py").write_text("from os import *\n")
    code, out, _ = run("verify", "--all", "--no-record", str(mono))
    assert code == 1, out
    assert "FAILED   services/web/product/truth.yaml (web)" in out
    assert "PASSED   services/api/product/truth.yaml (api)" in out

    broken = service(mono, "services/broken", "broken")
    (broken / "product" / "truth.yaml").write_text("version: 1\nproduct: {name: broken}\n"
                                                   "invariants: [}\n")
    code, out, err = run("verify", "--all", "--no-record", str(mono))
    assert code == 2, out
    assert "INVALID  services/broken/product/truth.yaml" in out
    # The located error names the file, with line and column.
    assert "services/broken/product/truth.yaml:3:" in err
    # ... and the other contracts were still gated.
    assert "FAILED   services/web/product/truth.yaml (web)" in out
    assert "PASSED   services/api/product/truth.yaml (api)" in out
    assert "3 contracts below" in out and "1 passed, 1 failed, 1 invalid" in out


def test_json_is_one_document_listing_each_contract(mono: Path) -> None:
    (mono / "services" / "web" / "app.py").write_text("from os import *\n")
    code, out, _ = run("verify", "--all", "--no-record", "--format", "json", str(mono))
    assert code == 1
    doc = json.loads(out)
    assert [e["contract"] for e in doc] == ["services/api/product/truth.yaml",
                                           "services/web/product/truth.yaml"]
    api, web = doc
    assert (api["status"], api["exit_code"], api["product"], api["root"]) == (
        "passed", 0, "api", "services/api")
    assert (web["status"], web["exit_code"], web["error"]) == ("failed", 1, None)
    outcomes = {i["id"]: i["outcome"] for i in web["report"]["invariants"]}
    assert outcomes == {"no-star": "fail"}


def test_nothing_to_gate_is_a_usage_error_not_green(tmp_path: Path) -> None:
    service(tmp_path, "node_modules/dep", "dep")  # skipped: not a service of this repo
    for args in (("verify", "--all", str(tmp_path)), ("matrix", str(tmp_path))):
        code, out, err = run(*args)
        assert code == 2 and out == ""
        assert "no product/truth.yaml found below" in err and "cannot pass" in err
    code, _, err = run("verify", "--all", str(tmp_path / "missing"))
    assert code == 2 and "is not a directory" in err


@pytest.mark.parametrize("extra", [
    ("--select", "no-star"), ("--baseline", "b.json"), ("--out", "sarif:x.sarif"),
    ("--contract", "product/truth.yaml"), ("--format", "sarif")])
def test_single_contract_options_are_refused_with_all(mono: Path, extra: tuple[str, str]) -> None:
    code, out, err = run("verify", "--all", *extra, str(mono))
    assert code == 2 and out == ""
    assert "--all" in err


def test_root_argument_without_all_is_a_usage_error(mono: Path) -> None:
    code, _, err = run("verify", str(mono))
    assert code == 2 and "ROOT" in err and "--all" in err


def test_matrix_is_one_sorted_json_line_for_fromjson(mono: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    service(mono, ".", "platform")
    service(mono, "apps/zeta", "zeta")
    monkeypatch.chdir(mono)
    code, out, err = run("matrix")
    assert code == 0 and err == ""
    assert out.endswith("\n") and out.count("\n") == 1
    assert json.loads(out) == {"include": [
        {"name": "zeta", "contract": "apps/zeta/product/truth.yaml", "root": "apps/zeta"},
        {"name": "platform", "contract": "product/truth.yaml", "root": "."},
        {"name": "api", "contract": "services/api/product/truth.yaml", "root": "services/api"},
        {"name": "web", "contract": "services/web/product/truth.yaml", "root": "services/web"},
    ]}
    assert run("matrix", str(mono))[1] == out  # deterministic, ROOT given or not


def test_matrix_lists_invalid_contracts_so_their_job_fails(mono: Path) -> None:
    broken = service(mono, "services/broken", "broken")
    (broken / "product" / "truth.yaml").write_text("version: 2\n")
    code, out, err = run("matrix", str(mono))
    assert code == 0
    entries = json.loads(out)["include"]
    assert {"name": "broken", "contract": "services/broken/product/truth.yaml",
            "root": "services/broken"} in entries
    assert len(entries) == 3
    assert "warning: services/broken/product/truth.yaml is invalid" in err
    assert "services/broken/product/truth.yaml:1:" in err


def test_matrix_entry_roots_work_as_working_directories(mono: Path) -> None:
    """What the CI job does with an entry: cd to its root and gate its contract."""
    code, out, _ = run("matrix", str(mono))
    for entry in json.loads(out)["include"]:
        root = mono / entry["root"]
        contract = mono / entry["contract"]
        assert contract.is_file() and contract.parent.parent == root
        assert os.path.relpath(contract, root) == os.path.join("product", "truth.yaml")


def annotations(out: str) -> list[str]:
    """The file= of every error annotation, in order."""
    return [line.split("file=", 1)[1].split(",", 1)[0]
            for line in out.splitlines() if line.startswith("::error file=")]


@pytest.fixture()
def checkout(tmp_path: Path) -> Path:
    """A git checkout (a .git directory is all the search looks for) with two red services."""
    (tmp_path / ".git").mkdir()
    service(tmp_path, "services/a", "a", "from os import *\n")
    service(tmp_path, "services/b", "b", "x = 1\nfrom json import *\n")
    return tmp_path


def test_github_annotations_name_files_by_their_path_in_the_checkout(
        checkout: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(checkout)
    code, out, _ = run("verify", "--all", "--no-record", "--format", "github")
    assert code == 1, out
    assert annotations(out) == ["services/a/app.py", "services/b/app.py"]
    assert "::error file=services/a/app.py,line=1,col=1," in out
    assert "::error file=services/b/app.py,line=2,col=1," in out
    # One folded log group per contract, then the verdicts as in text.
    assert out.count("::group::") == 2 and out.count("::endgroup::") == 2
    assert "::group::FAILED   services/a/product/truth.yaml (a)" in out
    assert "2 contracts below .: 2 failed" in out


@pytest.mark.parametrize(("cwd", "root"), [
    (".", "services"),  # ROOT narrows the search, the paths stay the checkout's
    ("services", "."),  # a step with working-directory: services
    ("services/a", ".."),
])
def test_github_paths_do_not_depend_on_where_the_search_starts(
        checkout: Path, monkeypatch: pytest.MonkeyPatch, cwd: str, root: str) -> None:
    monkeypatch.chdir(checkout / cwd)
    code, out, _ = run("verify", "--all", "--no-record", "--format", "github", root)
    assert code == 1, out
    assert annotations(out) == ["services/a/app.py", "services/b/app.py"]


def test_github_outside_a_checkout_is_relative_to_the_current_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    service(tmp_path, "svc/a", "a", "from os import *\n")
    service(tmp_path, "svc/b", "b", "from os import *\n")
    monkeypatch.chdir(tmp_path)
    for root in ("svc", str(tmp_path / "svc")):
        code, out, _ = run("verify", "--all", "--no-record", "--format", "github", root)
        assert code == 1, out
        assert annotations(out) == ["svc/a/app.py", "svc/b/app.py"]


def test_github_contract_at_the_checkout_root_keeps_plain_paths(
        checkout: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    service(checkout, ".", "top", "from os import *\n")
    monkeypatch.chdir(checkout / "services")
    code, out, _ = run("verify", "--all", "--no-record", "--format", "github", "..")
    assert code == 1, out
    # No './' and no prefix for the root contract (whose walk also covers services/).
    assert annotations(out) == ["app.py", "services/a/app.py", "services/b/app.py",
                                "services/a/app.py", "services/b/app.py"]


def test_github_invalid_contract_is_an_error_on_its_file(
        checkout: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (checkout / "services" / "a" / "app.py").write_text("print('ok')\n")
    broken = service(checkout, "services/broken", "broken")
    (broken / "product" / "truth.yaml").write_text("version: 2\n")
    monkeypatch.chdir(checkout / "services")
    code, out, _ = run("verify", "--all", "--no-record", "--format", "github")
    assert code == 2, out
    assert annotations(out) == ["services/b/app.py", "services/broken/product/truth.yaml"]
    assert "title=truthgate: invalid contract" not in out  # ':' is escaped in properties
    assert "title=truthgate%3A invalid contract::" in out
    assert "::group::PASSED   a/product/truth.yaml (a)" in out  # verdicts: paths below ROOT


def test_github_annotations_share_one_cap_for_the_whole_command(
        checkout: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Six services with three wildcard imports each: 18 errors, one step.
    for i in range(6):
        service(checkout, f"services/s{i}", f"s{i}",
                "from os import *\nfrom sys import *\nfrom json import *\n")
    monkeypatch.chdir(checkout)
    code, out, _ = run("verify", "--all", "--no-record", "--format", "github")
    assert code == 1, out
    lines = out.splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 10
    notices = [line for line in lines if line.startswith("::notice ")]
    assert len(notices) == 1 and "truthgate verify --all: 20 annotations (20 errors); " \
        "shown here: 10 errors, 0 warnings, 0 notices" in notices[0]
    assert out.count("::group::") == 8  # every contract still has its group and verdict


@pytest.mark.parametrize("cwd", [".", "services/a"])
def test_single_contract_github_names_files_by_their_path_in_the_checkout(
        checkout: Path, monkeypatch: pytest.MonkeyPatch, cwd: str) -> None:
    # The matrix recipe: one job per contract, often with working-directory: <its root>.
    monkeypatch.chdir(checkout / cwd)
    contract = os.path.relpath(checkout / "services/a/product/truth.yaml")
    code, out, _ = run("verify", "-c", contract, "--no-record", "--format", "github")
    assert code == 1, out
    assert annotations(out) == ["services/a/app.py"]


def test_single_contract_sarif_out_uses_checkout_paths_and_text_keeps_its_own(
        checkout: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(checkout / "services/a")
    code, out, _ = run("verify", "--no-record", "--format", "text", "--out", "sarif:v.sarif")
    assert code == 1
    sarif = json.loads((checkout / "services/a/v.sarif").read_text())
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in sarif["runs"][0]["results"]]
    assert uris == ["services/a/app.py"]
    assert "app.py:1:1" in out and "services/a/app.py" not in out


def test_single_contract_at_the_checkout_root_keeps_plain_paths(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    service(tmp_path, ".", "solo", "from os import *\n")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run("verify", "--no-record", "--format", "github")
    assert code == 1 and annotations(out) == ["app.py"]
