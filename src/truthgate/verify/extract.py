"""Bytes of one file -> its ``FileFacts``: decode, parse once, one visitor pass.

Pure and picklable (it runs in worker processes); never raises for any file content.
"""

from __future__ import annotations

import ast
import hashlib
import io
import re
import sys
import threading
import tokenize
import warnings
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from truthgate.verify.facts import FileFacts, SuppressionComment
from truthgate.verify.pyvisit import FactVisitor

# Generated or vendored giants: parsing them costs more than any finding in them is worth.
MAX_PYTHON_BYTES = 8 * 1024 * 1024
_T = TypeVar("_T")
_SNIFF = 8192
_SUPPRESS = re.compile(r"truthgate:\s*ignore(?:\[([^\]]*)\])?(.*)")


def module_name(relpath: str) -> tuple[str, bool]:
    """(dotted module name, is package init) for a repository path; '' when not importable.

    ``src/pkg/mod.py`` -> ``pkg.mod`` (src layout), ``pkg/__init__.py`` -> ``pkg``.
    """
    if not relpath.endswith(".py"):
        return "", False
    parts = relpath[:-3].split("/")
    if len(parts) > 1 and parts[0] == "src":
        parts = parts[1:]
    is_init = parts[-1] == "__init__"
    if is_init:
        parts = parts[:-1]
    if not parts or not all(p.isidentifier() for p in parts):
        return "", is_init
    return ".".join(parts), is_init


def _line_count(data: bytes) -> int:
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def _suppressions(text: str) -> tuple[SuppressionComment, ...]:
    """Suppression comments, found with the tokenizer so strings that look alike don't count."""
    out: list[SuppressionComment] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT and "truthgate:" in tok.string:
                found = _parse_suppression(tok.string, tok.start[0])
                if found is not None:
                    out.append(found)
    except (tokenize.TokenError, SyntaxError):
        # Only reachable for unparsable files, whose findings are the syntax error itself.
        pass
    return tuple(out)


def _parse_suppression(comment: str, line: int) -> SuppressionComment | None:
    m = _SUPPRESS.search(comment)
    if m is None:
        return None
    rules = tuple(r.strip() for r in (m.group(1) or "").split(",") if r.strip())
    reason = m.group(2).strip().lstrip(":-—–").strip()
    return SuppressionComment(line=line, rules=rules, reason=reason)


def extract_facts(relpath: str, data: bytes) -> FileFacts:
    """Everything the invariant kinds need about one file, from its bytes."""
    sha = hashlib.sha256(data).hexdigest()
    lines = _line_count(data)
    if not relpath.endswith(".py"):
        problem = "binary" if b"\0" in data[:_SNIFF] else ""
        return FileFacts(relpath, len(data), sha, lines, is_python=False, problem=problem)
    module, is_init = module_name(relpath)
    facts = FileFacts(
        relpath, len(data), sha, lines, is_python=True, module=module, is_package_init=is_init
    )
    return _python(facts, data)


def decode_source(data: bytes) -> str:
    """Python source text decoded as the interpreter does (PEP 263 coding cookie, BOM).

    Raises UnicodeDecodeError when the bytes are not in that encoding, SyntaxError for an
    unknown or contradictory declaration (as ``python`` itself would).
    """
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        # No declaration and a first line that is not UTF-8: say where, as a decode error.
        data.decode("utf-8")
        raise
    return data.decode(encoding)


DEEP_STACK_BYTES = 512 << 20  # the retry thread's stack (reserved, touched only as used)
DEEP_RECURSION_LIMIT = 60_000  # measured: 50,000-deep chains end as RecursionError, no crash


class _TooDeep(Exception):
    """Too deep even with the deep thread's room."""


def _analyse(text: str, path: str, stage: list[str] | None = None) -> tuple[ast.Module, Any]:
    """Parse and visit once; ``stage[0]`` says which of the two was reached."""
    with warnings.catch_warnings():
        # Invalid escape sequences and the like warn at parse time; not ours to print.
        warnings.simplefilter("ignore")
        tree = ast.parse(text, filename=path)
    if stage is not None:
        stage[0] = "analyse"
    return tree, FactVisitor().run(tree)


def _in_deep_thread(work: Callable[[], _T]) -> _T:
    """``work()`` in a thread with a large stack and a raised recursion limit.

    The recursion limit is the interpreter's: it is raised only while this (waited-for)
    thread runs. RecursionError or MemoryError there raises :class:`_TooDeep`.
    """
    box: dict[str, Any] = {}

    def run() -> None:
        old = sys.getrecursionlimit()
        sys.setrecursionlimit(max(old, DEEP_RECURSION_LIMIT))
        try:
            box["got"] = work()
        except (RecursionError, MemoryError):
            box["exc"] = _TooDeep()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["exc"] = exc
        finally:
            sys.setrecursionlimit(old)

    previous = threading.stack_size(DEEP_STACK_BYTES)
    try:
        thread = threading.Thread(target=run, name="truthgate-deep-parse", daemon=True)
        thread.start()
    finally:
        threading.stack_size(previous)
    thread.join()
    if "exc" in box:
        raise box["exc"]
    result: _T = box["got"]
    return result


def _syntax(facts: FileFacts, exc: SyntaxError) -> FileFacts:
    return replace(facts, problem="syntax", problem_detail=exc.msg,
                   problem_line=exc.lineno or 0, problem_col=exc.offset or 0)


def _python(facts: FileFacts, data: bytes) -> FileFacts:
    if b"\0" in data:
        return replace(facts, problem="binary", problem_detail="NUL byte in a Python file")
    if len(data) > MAX_PYTHON_BYTES:
        return replace(facts, problem="too-large", problem_detail=f"{len(data)} bytes")
    try:
        text = decode_source(data)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        utf8 = exc.encoding.replace("_", "-").lower() in ("utf-8", "utf-8-sig", "utf8")
        detail = f"not UTF-8: {exc.reason}" if utf8 else f"not valid {exc.encoding}: {exc.reason}"
        return replace(facts, problem="non-utf8" if utf8 else "encoding", problem_detail=detail,
                       problem_line=line)
    except SyntaxError as exc:  # an unknown or contradictory coding declaration
        return replace(facts, problem="encoding", problem_detail=exc.msg,
                       problem_line=exc.lineno or 0)
    suppressions = _suppressions(text) if "truthgate:" in text else ()
    facts = replace(facts, suppressions=suppressions)
    try:
        _, got = _analyse(text, facts.path)
    except (RecursionError, MemoryError):
        # Deep but valid code (a long operator chain, generated tables): the default
        # recursion limit is not Python's own limit for running it. Try once more with room.
        stage = ["parse"]
        try:
            _, got = _in_deep_thread(lambda: _analyse(text, facts.path, stage))
        except _TooDeep:
            return replace(facts, problem="too-deep",
                           problem_detail=f"nesting too deep to {stage[0]}")
        except SyntaxError as exc:
            return _syntax(facts, exc)
    except SyntaxError as exc:
        return _syntax(facts, exc)
    return replace(
        facts,
        imports=tuple(got.imports),
        calls=tuple(got.calls),
        assigns=tuple(got.assigns),
        env_reads=tuple(got.env_reads),
        settings_fields=tuple(got.settings_fields),
        main_guards=tuple(got.main_guards),
        credential_urls=tuple(got.credential_urls),
    )
