"""run an external checker (ruff, mypy, bandit, a project script) as part of the gate.

The command is an argv list, run without a shell (no quoting surprises, no injection from
the contract) in the repository root, with a time limit. An exit code in ``ok_exit_codes``
passes; any other is one finding carrying the command and the tail of its output. A command
that cannot start or runs out of time is a finding saying so, never a crash of the run. A
bare executable name is looked up on PATH, then in truthgate's own environment (the
interpreter's bin directory), so ``ruff`` installed beside truthgate is found.

When the tool speaks SARIF — written to ``sarif_output`` or printed on stdout with
``sarif: stdout`` — each SARIF result becomes its own finding at its own ``file:line:col``,
so the tool's findings are baselined, suppressed and reported like truthgate's own.

It runs only when verify was given ``--allow-commands`` (the runner checks, see
``runner.COMMAND_KINDS``): a contract from a pull request must not run a program on the CI
machine. Without it the invariant is an error "not run: needs --allow-commands".
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
import sysconfig
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from truthgate.processes import run_bounded
from truthgate.safeio import read_regular
from truthgate.verify.kinds.base import CheckContext, InvariantKind, Violation

TAIL_LINES = 40
TAIL_BYTES = 4096


@dataclass(frozen=True)
class Params:
    argv: tuple[str, ...]
    timeout_seconds: float = 120.0
    ok_exit_codes: tuple[int, ...] = (0,)
    sarif_output: str = ""  # a file the tool writes, relative to the root
    sarif_stdout: bool = False
    cwd: str = "."


def _relative(raw: str, what: str) -> str:
    path = raw.replace("\\", "/")
    if path.startswith("/") or ".." in path.split("/"):
        raise ValueError(f"{what} {raw!r} must be a path inside the repository")
    return path


def parse_params(raw: Mapping[str, Any]) -> Params:
    """Validate the argv list, the time limit and the SARIF options."""
    argv = raw.get("argv")
    if isinstance(argv, str) or not argv or not all(isinstance(a, str) and a for a in argv):
        raise ValueError("'argv' must be a non-empty list of strings (no shell)")
    timeout = raw.get("timeout_seconds", 120)
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ValueError(f"timeout_seconds must be a positive number, not {timeout!r}")
    sarif = raw.get("sarif", "")
    if sarif not in ("", "stdout"):
        raise ValueError(f"sarif must be 'stdout', not {sarif!r}")
    sarif_output = str(raw.get("sarif_output", "") or "")
    if sarif and sarif_output:
        raise ValueError("give either sarif: stdout or sarif_output, not both")
    return Params(
        argv=tuple(argv),
        timeout_seconds=float(timeout),
        ok_exit_codes=tuple(int(c) for c in raw.get("ok_exit_codes", (0,))),
        sarif_output=_relative(sarif_output, "sarif_output") if sarif_output else "",
        sarif_stdout=sarif == "stdout",
        cwd=_relative(str(raw.get("cwd", ".")), "cwd"),
    )


def tail(text: str) -> str:
    """The last TAIL_LINES lines of ``text``, at most TAIL_BYTES bytes of them."""
    lines = text.rstrip().splitlines()[-TAIL_LINES:]
    out = "\n".join(lines)
    data = out.encode("utf-8", "replace")
    if len(data) > TAIL_BYTES:
        out = "…" + data[-TAIL_BYTES:].decode("utf-8", "ignore")
    return out


@dataclass(frozen=True)
class _Run:
    code: int | None  # None: did not finish
    stdout: str
    stderr: str
    problem: str = ""  # why it did not run to completion


def resolve_executable(name: str) -> str:
    """``name`` as found on PATH, else in truthgate's own environment, else unchanged.

    A tool installed beside truthgate (``pip install truthgate ruff`` in one virtualenv)
    is found even when that environment's bin directory is not on PATH (a CI step calling
    ``.venv/bin/truthgate``). A name with a directory part is used as written.
    """
    if os.sep in name or (os.altsep and os.altsep in name) or shutil.which(name):
        return name
    for folder in dict.fromkeys((Path(sys.executable).parent,
                                 Path(sysconfig.get_path("scripts")))):
        found = shutil.which(name, path=str(folder))
        if found:
            return found
    return name


def _run(params: Params, cwd: Path) -> _Run:
    argv = [resolve_executable(params.argv[0]), *params.argv[1:]]
    try:
        done = run_bounded(argv, cwd, params.timeout_seconds)
    except FileNotFoundError:
        return _Run(None, "", "", f"executable not found: {params.argv[0]}")
    except OSError as exc:
        return _Run(None, "", "", f"could not start {params.argv[0]}: {exc.strerror or exc}")
    if done.returncode is None:
        limit = f"{params.timeout_seconds:g}"
        return _Run(None, _text(done.out), _text(done.err),
                    f"timed out after {limit} s and was killed")
    return _Run(done.returncode, _text(done.out), _text(done.err))


def _text(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", "replace")


def _repo_path(uri: str, base: str, root: Path, cwd: Path) -> str:
    """A SARIF artifact URI as a path relative to the root (as given when outside it)."""
    if base and not urlparse(uri).scheme:
        uri = base.rstrip("/") + "/" + uri
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        path = Path(unquote(parsed.path))
    elif parsed.scheme:
        return uri  # http: or another scheme: nothing to map
    else:
        path = cwd / unquote(uri)
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _rule_text(rule: Mapping[str, Any], message_id: str) -> str:
    strings = rule.get("messageStrings") or {}
    text = (strings.get(message_id) or {}).get("text") if message_id else None
    return str(text or (rule.get("shortDescription") or {}).get("text") or "")


def sarif_violations(doc: Any, root: Path, cwd: Path) -> list[Violation]:
    """Each SARIF 2.1.0 result (not suppressed, not a 'pass') as a Violation."""
    out: list[Violation] = []
    for run in doc.get("runs") or ():
        driver = (run.get("tool") or {}).get("driver") or {}
        tool = str(driver.get("name") or "tool")
        rules = list(driver.get("rules") or ())
        bases = {
            k: str((v or {}).get("uri", ""))
            for k, v in (run.get("originalUriBaseIds") or {}).items()
        }
        for result in run.get("results") or ():
            if result.get("kind", "fail") not in ("fail", "review", "open"):
                continue
            if any(
                s.get("status", "accepted") == "accepted" for s in result.get("suppressions") or ()
            ):
                continue
            index = result.get("ruleIndex", (result.get("rule") or {}).get("index", -1))
            rule = rules[index] if isinstance(index, int) and 0 <= index < len(rules) else {}
            rule_id = str(result.get("ruleId") or rule.get("id") or "")
            msg = result.get("message") or {}
            text = str(msg.get("text") or _rule_text(rule, str(msg.get("id") or "")))
            locations = result.get("locations") or [{}]
            physical = locations[0].get("physicalLocation") or {}
            artifact = physical.get("artifactLocation") or {}
            region = physical.get("region") or {}
            uri = str(artifact.get("uri") or "")
            path = (
                _repo_path(uri, bases.get(artifact.get("uriBaseId", ""), ""), root, cwd)
                if uri
                else "."
            )
            label = f"{tool} {rule_id}".strip()
            out.append(
                Violation(
                    path,
                    f"{label}: {text}",
                    line=int(region.get("startLine") or 0),
                    col=int(region.get("startColumn") or 0),
                    end_line=int(region.get("endLine") or 0),
                    end_col=int(region.get("endColumn") or 0),
                    key=f"{tool}:{rule_id}:{text}"[:300],
                )
            )
    return out


def check(ctx: CheckContext, params: Params) -> Iterable[Violation]:
    """Run the command once; its failure, or its SARIF results, are the violations."""
    shown = shlex.join(params.argv)
    cwd = ctx.root / params.cwd
    sarif_file = ctx.root / params.sarif_output if params.sarif_output else None
    if sarif_file is not None and sarif_file.is_file():
        sarif_file.unlink()  # a report left by an earlier run must not be read as this one's
    if not cwd.is_dir():
        yield Violation(".", f"`{shown}` cannot run: no directory {params.cwd}", key="not-run")
        return
    run = _run(params, cwd)
    joiner = "\n" if run.stdout and not run.stdout.endswith("\n") else ""
    output = tail(run.stdout + joiner + run.stderr)
    if run.problem:
        yield Violation(
            ".", f"`{shown}` {run.problem}" + (f"\n{output}" if output else ""), key="not-run"
        )
        return
    results: list[Violation] = []
    if sarif_file is not None or params.sarif_stdout:
        try:
            raw = (read_regular(sarif_file, 64 << 20).decode("utf-8")
                   if sarif_file is not None else run.stdout)
            results = sarif_violations(json.loads(raw), ctx.root, cwd)
        except (OSError, ValueError, AttributeError, TypeError) as exc:
            where = params.sarif_output or "stdout"
            yield Violation(
                ".", f"`{shown}` left no readable SARIF in {where}: {exc}", key="sarif-unreadable"
            )
            if run.code in params.ok_exit_codes:
                return
    yield from results
    if run.code not in params.ok_exit_codes and not results:
        # With SARIF on stdout the output is JSON; stderr is what explains the failure.
        detail = tail(run.stderr) if params.sarif_stdout else output
        body = f"\n{detail}" if detail else ""
        yield Violation(".", f"`{shown}` exited with code {run.code}{body}", key="exit-code")


_SCHEMA: dict[str, Any] = {
    "properties": {
        "argv": {
            "description": "The command as a list of arguments, run without a shell, "
            "e.g. ['ruff', 'check', '.'].",
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "minItems": 1,
        },
        "timeout_seconds": {
            "description": "Kill the command and report a finding after this long (default 120).",
            "type": "number",
            "exclusiveMinimum": 0,
        },
        "ok_exit_codes": {
            "description": "Exit codes that mean success (default [0]).",
            "type": "array",
            "items": {"type": "integer"},
            "minItems": 1,
        },
        "sarif_output": {
            "description": "A SARIF file the command writes (relative to the root); each "
            "result becomes a finding. Deleted before the command runs.",
            "type": "string",
            "minLength": 1,
        },
        "sarif": {
            "description": "'stdout' when the command prints SARIF on its standard output.",
            "enum": ["stdout"],
        },
        "cwd": {
            "description": "Working directory relative to the repository root (default '.').",
            "type": "string",
        },
    },
    "required": ["argv"],
}

KIND = InvariantKind(
    name="command",
    summary="An external checker (ruff, mypy, bandit ...) passes, with a time limit; "
    "its SARIF results become findings. Runs only with verify --allow-commands.",
    why="The gate is the one verdict CI trusts; a linter or type checker run on the side is "
    "a second verdict people learn to ignore. Folding it in keeps one report and one baseline.",
    hint="Run the command locally from the repository root and fix what it reports.",
    params_schema=_SCHEMA,
    parse_params=parse_params,
    check=check,
    default_paths=(),
    needs_files=False,
    example="""\
- id: types
  kind: command
  argv: [mypy, --strict, src]
  timeout_seconds: 300
- id: security-lint
  kind: command
  argv: [bandit, -r, src, -f, sarif, -o, .truthgate_cache/bandit.sarif]
  sarif_output: .truthgate_cache/bandit.sarif
  ok_exit_codes: [0, 1]
""",
)
