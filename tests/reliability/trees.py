"""Hostile source trees for ``truthgate verify``: builders and the oracle.

Each builder adds one hostile thing to a small healthy project; :func:`check_tree` runs the
real use case (``truthgate.app.run_verify``) and checks the guarantees: no exception, every
invariant ran to a verdict (none ERRORed because a check crashed), and the hostile files
show up as findings or reported skips. Shared by the tests and benchmarks/sweep.py.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from pathlib import Path

from truthgate.app import run_verify
from truthgate.model import Outcome, RunReport
from truthgate.verify.engine import UNEXAMINED_ID

CONTRACT = """\
version: 1
product: {name: hostile}
entrypoint: {path: app/main.py, forbidden: [bot.py]}
env:
  example_file: .env.example
  required: [{name: APP_TOKEN, secret: true}]
legacy: {quarantine_dir: quarantine, forbidden_modules: ["legacy.*"]}
verify: {cache: false}
invariants:
  - {id: entry, kind: single_entrypoint}
  - {id: retired, kind: forbidden_entrypoints}
  - {id: star, kind: no_wildcard_imports}
  - {id: cycles, kind: no_import_cycles}
  - {id: legacy, kind: forbidden_imports, legacy: true,
     rules: [{from: ["app.*", app], forbid: ["legacy.*"]}]}
  - {id: env, kind: env_contract}
  - {id: secrets, kind: no_hardcoded_secrets}
  - {id: cors, kind: no_cors_wildcard}
  - {id: devserver, kind: no_dev_server}
  - {id: schema, kind: no_runtime_schema_create}
  - {id: timeouts, kind: http_timeouts, libraries: [requests, httpx, urllib]}
  - {id: seclog, kind: no_secret_logging}
  - {id: files, kind: required_files, files: [.env.example, requirements.txt]}
  - {id: pins, kind: pinned_dependencies}
  - {id: ignore, kind: gitignore_covers, patterns: [.env]}
  - {id: small, kind: max_file_lines, limit: 100000, severity: warning}
  - {id: syntax, kind: python_syntax}
  - {id: prints, kind: pattern, regex: '^\\s*print\\(', flags: [multiline], paths: ["**/*.py"]}
"""

MAIN = b'''import os

TOKEN = os.environ["APP_TOKEN"]


def handler() -> str:
    return "ok"


if __name__ == "__main__":
    handler()
'''


def healthy(root: Path) -> None:
    """A small project every invariant passes on."""
    (root / "product").mkdir(parents=True, exist_ok=True)
    (root / "product" / "truth.yaml").write_text(CONTRACT, encoding="utf-8")
    (root / "app").mkdir(exist_ok=True)
    (root / "app" / "__init__.py").write_bytes(b"")
    (root / "app" / "main.py").write_bytes(MAIN)
    (root / ".env.example").write_text("APP_TOKEN=\n", encoding="utf-8")
    (root / "requirements.txt").write_text("httpx==0.27.0\n", encoding="utf-8")
    (root / ".gitignore").write_text(".env\n", encoding="utf-8")


def _binary(root: Path) -> list[str]:
    (root / "app" / "blob.py").write_bytes(random.Random(5).randbytes(64 * 1024))
    return ["app/blob.py"]


def _latin1(root: Path) -> list[str]:
    (root / "app" / "latin.py").write_bytes("# caf\u00e9\nNAME = 'd\u00e9j\u00e0'\n".encode("latin-1"))
    return ["app/latin.py"]


def _mixed(root: Path) -> list[str]:
    (root / "app" / "mixed.py").write_bytes(
        "A = '\u00e9t\u00e9'\n".encode() + "B = '\u00e9t\u00e9'\n".encode("cp1252"))
    return ["app/mixed.py"]


def _utf16(root: Path) -> list[str]:
    (root / "app" / "wide.py").write_bytes("X = 1\n".encode("utf-16"))
    return ["app/wide.py"]


def _bom(root: Path) -> list[str]:
    # A UTF-8 BOM is legal Python: parsed, checked, and the print() on line 2 is found.
    (root / "app" / "bom.py").write_bytes(b"\xef\xbb\xbfimport os\nprint(os.sep)\n")
    return []


def _nul(root: Path) -> list[str]:
    (root / "app" / "nul.py").write_bytes(b"X = 1\n\x00\x00\nY = 2\n")
    return ["app/nul.py"]


def _huge(root: Path) -> list[str]:
    line = b"VALUE_%07d = %07d  # generated\n"
    n = 10 * 1024 * 1024 // len(line % (0, 0)) + 1
    with open(root / "app" / "generated.py", "wb") as fh:
        for i in range(n):
            fh.write(line % (i, i))
    return ["app/generated.py"]


def _deep_parens(root: Path) -> list[str]:
    # The parser refuses this with "too many nested parentheses": a syntax finding.
    (root / "app" / "parens.py").write_text("X = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    return ["app/parens.py"]


def _deep_ast(root: Path) -> list[str]:
    # Parses fine (left-recursive loops in the parser) but the tree is 5,000 levels deep:
    # past the default recursion limit, so verify retries in a thread with room (issue 18)
    # and examines it: its star import is found like anywhere else.
    (root / "app" / "chain.py").write_text("from os import *\n"
                                           "X = 1" + " + 1" * 5000 + "\n"
                                           "Y = f" + "()" * 5000 + "\n"
                                           "Z = a" + ".b" * 5000 + "\n")
    return ["app/chain.py"]


def _deep_unary(root: Path) -> list[str]:
    # 50,000 unary minus overflow the parser's own stack even in the retry: skipped as
    # too deep (and the gate fails on it: truthgate-unexamined).
    (root / "app" / "unary.py").write_text("X = " + "-" * 50_000 + "1\n")
    return ["app/unary.py"]


def _symlink_loops(root: Path) -> list[str]:
    (root / "app" / "loop").symlink_to("..")  # a directory link back up
    (root / "app" / "self").symlink_to("self")  # a link to itself
    (root / "app" / "a").symlink_to("b")
    (root / "app" / "b").symlink_to("a")  # a two-link cycle
    (root / "app" / "dangling.py").symlink_to("nowhere.py")
    return ["app/self", "app/a", "app/b", "app/dangling.py"]


def _outside_links(root: Path) -> list[str]:
    outside = root.parent / (root.name + "-outside")
    outside.mkdir(exist_ok=True)
    (outside / "secret.py").write_text("print('outside')\n")
    (root / "app" / "escape_dir").symlink_to(outside)
    (root / "app" / "escape.py").symlink_to(outside / "secret.py")
    (root / "app" / "etc").symlink_to("/etc")
    return ["app/escape_dir", "app/escape.py", "app/etc"]


def _fifo(root: Path) -> list[str]:
    # A named pipe called .py: opening it for reading would block forever.
    os.mkfifo(root / "app" / "pipe.py")
    return []


def _unreadable(root: Path) -> list[str]:
    target = root / "app" / "locked.py"
    target.write_text("X = 1\n")
    target.chmod(0)
    (root / "app" / "lockeddir").mkdir()
    (root / "app" / "lockeddir" / "inner.py").write_text("Y = 2\n")
    (root / "app" / "lockeddir").chmod(0)
    return ["app/locked.py", "app/lockeddir"]


def _weird_names(root: Path) -> list[str]:
    for name in ("sp ace.py", "\u00e9t\u00e9.py", "-dash.py", "new\nline.py", "tab\t.py"):
        (root / "app" / name).write_text("X = 1\n")
    os.makedirs(root / "app" / ("d" * 200) / ("e" * 200), exist_ok=True)
    (root / "app" / ("d" * 200) / ("e" * 200) / "deep.py").write_text("Y = 2\n")
    return []


def _empty_files(root: Path) -> list[str]:
    (root / "app" / "empty.py").write_bytes(b"")
    (root / "requirements.txt").write_bytes(b"\x00\xff\xfe")
    (root / ".gitignore").write_bytes(b"\xff\xfe\x00.env\n")
    return []


HOSTILE: dict[str, Callable[[Path], list[str]]] = {
    "binary-named-py": _binary,
    "latin1-without-cookie": _latin1,
    "mixed-encodings": _mixed,
    "utf16": _utf16,
    "utf8-bom": _bom,
    "nul-bytes": _nul,
    "ten-mebibyte-module": _huge,
    "5000-nested-parens": _deep_parens,
    "5000-deep-ast": _deep_ast,
    "5000-unary-operators": _deep_unary,
    "symlink-loops": _symlink_loops,
    "links-outside-root": _outside_links,
    "fifo-named-py": _fifo,
    "unreadable-files": _unreadable,
    "odd-file-names": _weird_names,
    "empty-and-garbage-config": _empty_files,
}


def mentioned(report: RunReport) -> set[str]:
    """Every path a finding or a skip points at."""
    out: set[str] = set()
    for finding in (*report.skipped_files, *report.findings):
        if finding.location is not None:
            out.add(finding.location.path)
    return out


def check_tree(root: Path, expected: list[str], *, empty: bool = False) -> RunReport:
    """Run verify on ``root``; assert the guarantees; return the report.

    ``empty``: the repository has no files, so an invariant may end as ERROR saying it would
    check nothing (a reported verdict); a check that raised is still a crash.
    """
    report = run_verify(root / "product" / "truth.yaml", use_cache=False, jobs=1)
    crashed = [(r.id, r.error) for r in report.invariants if r.outcome is Outcome.ERROR
               and (not empty or "raised" in r.error or "would check nothing" not in r.error)]
    assert not crashed, f"invariants that did not reach a verdict: {crashed}"
    # The contract's invariants, plus truthgate's own verdict on Python files it could not
    # examine (issue 18: those fail the gate unless the contract accepts them).
    ran = {r.id for r in report.invariants} - {UNEXAMINED_ID}
    assert len(ran) == CONTRACT.count("- {id:"), ran
    seen = mentioned(report)
    missing = [p for p in expected if p not in seen]
    assert not missing, f"hostile files neither found nor reported as skipped: {missing}; " \
                        f"seen: {sorted(seen)}"
    for finding in (*report.skipped_files, *report.findings):
        assert "Traceback" not in finding.message
    return report
