"""run_verify: outcomes, no vacuous pass, crashing kinds, skips, suppressions, baselines."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from verify_support import Write, make_contract, spec

from truthgate.model import Outcome, Severity
from truthgate.verify import runner
from truthgate.verify.baseline import BaselineError, load_baseline, write_baseline
from truthgate.verify.engine import UnknownInvariantError, run_verify
from truthgate.verify.kinds import get_kind
from truthgate.verify.kinds.base import InvariantKind
from truthgate.verify.suppress import SUPPRESSIONS_ID

STAR = spec("no-star", "no_wildcard_imports")


def test_report_context_outcomes_and_finding_fields(tmp_path: Path, write: Write) -> None:
    write("app/a.py", "import os\nfrom os.path import *\n")
    write("app/b.py", "from json import loads\n")
    report = run_verify(make_contract(tmp_path, spec("no-star", "no_wildcard_imports",
                                                      message="Be explicit.")))
    ctx = report.context
    assert (ctx.command, ctx.product, ctx.contract_hash) == ("verify", "x", "f" * 64)
    assert ctx.started_at.endswith("Z") and ctx.finished_at >= ctx.started_at
    (r,) = report.invariants
    assert (r.id, r.outcome, r.files_examined, r.description) == (
        "no-star", Outcome.FAIL, 2, "Be explicit."
    )
    (f,) = r.findings
    assert (f.invariant_id, f.kind, f.message, f.severity, str(f.location), f.snippet) == (
        "no-star", "no_wildcard_imports", "wildcard import: from os.path import *",
        Severity.ERROR, "app/a.py:2:1", "from os.path import *",
    )
    assert f.hint == get_kind("no_wildcard_imports").hint and len(f.fingerprint) == 64
    assert report.exit_code == 1


def test_warning_severity_passes_with_findings_listed(tmp_path: Path, write: Write) -> None:
    write("a.py", "from os import *\n")
    contract = make_contract(
        tmp_path, spec("no-star", "no_wildcard_imports", severity=Severity.WARNING)
    )
    (r,) = run_verify(contract).invariants
    assert (r.outcome, len(r.findings), r.findings[0].severity) == (
        Outcome.PASS, 1, Severity.WARNING
    )


def test_no_vacuous_pass(tmp_path: Path, write: Write) -> None:
    write("a.py", "x = 1\n")
    contract = make_contract(
        tmp_path, spec("no-star", "no_wildcard_imports", paths=("app/**",), exclude=("x/**",))
    )
    (r,) = run_verify(contract).invariants
    assert (r.outcome, r.files_examined, r.error) == (
        Outcome.ERROR, 0,
        "no file matches the invariant's paths (app/** minus x/**, in the production scope): it "
            "would check nothing",
    )


def test_raising_kind_is_an_error_and_others_still_run(
    tmp_path: Path, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    write("a.py", "from os import *\n")
    real = get_kind

    def boom(ctx: object, params: object) -> list[object]:
        raise ValueError("kaboom")

    def fake(name: str) -> InvariantKind:
        kind = real("python_syntax")
        if name == "python_syntax":
            return InvariantKind(**{**kind.__dict__, "check": boom})
        return real(name)

    monkeypatch.setattr(runner, "get_kind", fake)
    contract = make_contract(tmp_path, spec("parses", "python_syntax"), STAR)
    crashed, star = run_verify(contract).invariants
    assert crashed.outcome is Outcome.ERROR
    assert crashed.error.startswith("the check raised ValueError: kaboom (at test_engine.py:")
    assert (star.outcome, len(star.findings)) == (Outcome.FAIL, 1)


def test_unknown_kind_is_an_error(tmp_path: Path, write: Write) -> None:
    from truthgate.contract.model import InvariantSpec

    write("a.py")
    (r,) = run_verify(make_contract(tmp_path, InvariantSpec("weird", "no_such_kind"))).invariants
    assert r.outcome is Outcome.ERROR and "unknown invariant kind 'no_such_kind'" in r.error


def test_select_and_ignore(tmp_path: Path, write: Write) -> None:
    write("a.py", "x = 1\n")
    contract = make_contract(tmp_path, STAR, spec("parses", "python_syntax"))
    assert [r.id for r in run_verify(contract, select=["parses"]).invariants] == ["parses"]
    assert [r.id for r in run_verify(contract, ignore=["parses"]).invariants] == ["no-star"]
    with pytest.raises(UnknownInvariantError, match=r"--select names 'parse',.*mean 'parses'"):
        run_verify(contract, select=["parse"])
    with pytest.raises(UnknownInvariantError, match=r"--ignore names 'zzz'.*ids: no-star, parses"):
        run_verify(contract, ignore=["zzz"])
    with pytest.raises(UnknownInvariantError):  # a kind is not an id: it would select nothing
        run_verify(contract, select=["python_syntax"])


def test_problem_files_are_reported_as_skips(tmp_path: Path, write: Write) -> None:
    write("ok.py", "x = 1\n")
    write("bin.py", b"\x00\x01\x02")
    write("latin.py", b"s = '\xe9'\n")
    write("bom.py", b"\xef\xbb\xbfimport os\n")
    write("deep.py", "x = " + "-" * 100_000 + "1\n")
    write("broken.py", "def (:\n")
    write("logo.png", b"\x89PNG\x00")
    report = run_verify(make_contract(tmp_path, STAR))
    got = [(str(f.location), f.message, f.severity) for f in report.skipped_files]
    assert got == [
        ("bin.py", "skipped (binary): NUL byte in a Python file", Severity.WARNING),
        ("broken.py:1:5", "skipped (syntax): invalid syntax", Severity.WARNING),
        ("deep.py", "skipped (too-deep): nesting too deep to parse", Severity.WARNING),
        ("latin.py:1", "skipped (non-utf8): not UTF-8: invalid continuation byte",
         Severity.WARNING),
    ]
    # with python_syntax in the contract, the syntax error is a real finding instead
    report = run_verify(make_contract(tmp_path, STAR, spec("parses", "python_syntax")))
    assert "broken.py" not in [f.location.path for f in report.skipped_files if f.location]
    assert report.invariants[0].outcome is Outcome.PASS  # star check ran on the good files


def test_suppressions_with_reason_missing_reason_and_unused(tmp_path: Path, write: Write) -> None:
    write(
        "a.py",
        """\
        from os import *  # truthgate: ignore[no_wildcard_imports] re-exported on purpose
        from sys import *  # truthgate: ignore[no-star]
        from json import *
        x = 1  # truthgate: ignore[no-star] nothing to hide here
        y = 2  # truthgate: ignore[typo-rule] oops
        s = "# truthgate: ignore[no-star] only a string"
        """,
    )
    report = run_verify(make_contract(tmp_path, STAR))
    star, supp = report.invariants
    assert (star.outcome, star.suppressed, [f.location.line for f in star.findings]) == (
        Outcome.FAIL, 2, [3]
    )
    assert supp.id == SUPPRESSIONS_ID and supp.outcome is Outcome.FAIL
    assert [(f.location.line, f.severity, f.message) for f in supp.findings] == [
        (2, Severity.ERROR, "suppression of no-star gives no reason"),
        (4, Severity.WARNING, "suppression of 'no-star' suppresses nothing on this line"),
        (5, Severity.WARNING,
         "suppression names 'typo-rule', which is no invariant id or kind of the contract"),
    ]
    # narrowing the run must not call suppressions of unrun invariants unused
    report = run_verify(make_contract(tmp_path, STAR, spec("p", "python_syntax")), select=["p"])
    assert [r.id for r in report.invariants] == ["p"]


def test_baseline_accepts_old_findings_across_line_shifts(tmp_path: Path, write: Write) -> None:
    write("a.py", "from os import *\n")
    contract = make_contract(tmp_path, STAR)
    base = tmp_path / "baseline.json"
    assert write_baseline(run_verify(contract), base) == 1
    assert json.loads(base.read_text())["findings"][0]["path"] == "a.py"
    write("a.py", '"""Docstring pushes it down."""\n\n\nfrom os import *\nfrom sys import *\n')
    (r,) = run_verify(contract, baseline=base).invariants
    assert (r.outcome, r.baselined, [f.message for f in r.findings]) == (
        Outcome.FAIL, 1, ["wildcard import: from sys import *"]
    )
    write("a.py", "\n\nfrom os import *\n")
    (r,) = run_verify(contract, baseline=load_baseline(base)).invariants
    assert (r.outcome, r.baselined, r.findings) == (Outcome.PASS, 1, ())


def test_baseline_counts_duplicates_and_rejects_junk(tmp_path: Path, write: Write) -> None:
    write("a.py", "from os import *\n")
    contract = make_contract(tmp_path, STAR)
    base = tmp_path / "b.json"
    write_baseline(run_verify(contract), base)
    write("a.py", "from os import *\nfrom os import *\n")  # same fingerprint twice
    (r,) = run_verify(contract, baseline=base).invariants
    assert (r.baselined, len(r.findings)) == (1, 1)
    (tmp_path / "junk.json").write_text("{}")
    with pytest.raises(BaselineError):
        run_verify(contract, baseline=tmp_path / "junk.json")


def test_verify_never_imports_httpx_typer_or_rich(tmp_path: Path, write: Write) -> None:
    write("a.py", "x = 1\n")
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from truthgate.contract.model import *\n"
        "from truthgate.verify.engine import run_verify\n"
        "from truthgate.verify.kinds import available_kinds\n"
        "kinds = available_kinds()\n"
        f"c = Contract(1, Product('x'), Entrypoint('a.py'), Env(), Kb(), Legacy(), (), "
        f"root=Path({str(tmp_path)!r}))\n"
        "run_verify(c)\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'httpx', 'typer', 'rich'}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_a_named_file_kind_counts_the_files_it_checked(tmp_path: Path, write: Write) -> None:
    """required_files checks the files it lists, not a selection: those are its examined count."""
    from truthgate.reports import render

    write("README.md", "# Readme\n")
    write("kb/a.md", "# A\n")
    write("main.py", "x = 1\n")
    listed = spec("kb-present", "required_files",
                  {"files": ["README.md", "./kb/a.md", "docs/missing.md", "README.md"]})
    report = run_verify(make_contract(tmp_path, listed))
    (r,) = report.invariants
    # Two present, one missing (checked, and reported), a repeat counted once.
    assert (r.outcome, r.files_examined, len(r.findings)) == (Outcome.FAIL, 3, 1)
    assert re.search(r"kb-present +\[required_files\] .*\b3 files", render("text", report))


def test_a_selection_kind_still_counts_its_selection_not_its_probes(
        tmp_path: Path, write: Write) -> None:
    # pinned_dependencies probes lock-file candidates beside each manifest: those probes are
    # not files it examined, its selection is.
    write("requirements.txt", "flask\n")
    write("gitignored.py", "x = 1\n")
    write(".gitignore", "*.pyc\n")
    report = run_verify(make_contract(
        tmp_path, spec("pins", "pinned_dependencies"),
        spec("ignores", "gitignore_covers", {"patterns": ["*.pyc"]})))
    counts = {r.id: r.files_examined for r in report.invariants}
    assert counts == {"pins": 1, "ignores": 1}
