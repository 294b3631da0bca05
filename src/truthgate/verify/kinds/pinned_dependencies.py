"""every third-party requirement names an exact (or compatible) version.

Two manifest shapes are read: pip requirements files (``requirements*.txt``) and
``pyproject.toml`` (``[project] dependencies`` and ``[project.optional-dependencies]``,
PEP 735 ``[dependency-groups]``, uv's ``[tool.uv] dev-dependencies``, Poetry's
``[tool.poetry.dependencies]``, ``dev-dependencies`` and ``group.*.dependencies`` with
``^``/``~``/bare versions translated to PEP 440). Requirement strings are parsed with
``packaging``. Bounded-range policy (``bounded_ranges``, default on): a lower and an upper
bound below the lower bound's next major (no looser than ``~=X.Y``, which is allowed) count
as pinned (``>=6.0,<6.1``, ``>=1.2.1,<2``; not ``>=1.2,<3``).
A requirement is pinned when one of its version clauses uses an allowed operator
(``==``/``~=`` by default; ``==1.*`` is a range, not a pin), or when it is a direct URL that
names an immutable artifact (a VCS commit hash or a ``#sha256=`` fragment). Local paths
(``-e .``, ``./libs/x``) are the project itself and are skipped. With ``allow_lock_file``,
a lock file beside the manifest (or at the root) pins everything in it.

Requirements files are followed through ``-r``/``-c`` includes, and a name pinned in a
constraints file (``-c``) counts as pinned, because that is what pip will install.
"""

from __future__ import annotations

import importlib
import posixpath
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from truthgate.verify.kinds._poetry import poetry_requirements, seq, table
from truthgate.verify.kinds.base import CheckContext, InvariantKind, Violation

DEFAULT_LOCK_FILES = ("uv.lock", "poetry.lock", "Pipfile.lock", "requirements.lock", "pdm.lock")

_NAME = re.compile(r"^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(\[[^\]]*\])?\s*")
_CLAUSE = re.compile(r"^\s*(===|==|~=|!=|<=|>=|<|>)\s*([^\s,;()]*)\s*$")
_COMMENT = re.compile(r"(^|\s)#.*$")
_COMMIT = re.compile(r"@[0-9a-fA-F]{40}(?:[#?]|$)")
_ARTIFACT_HASH = re.compile(r"#(?:sha256|sha384|sha512)=[0-9a-fA-F]+")
_INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s+|=)(\S+)")
_EDITABLE = re.compile(r"^(?:-e|--editable)(?:\s+|=)(\S+)")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://|^(?:git|hg|svn|bzr)\+", re.I)


@dataclass(frozen=True)
class Params:
    allowed_operators: tuple[str, ...] = ("==", "~=")
    allow_lock_file: bool = False
    lock_files: tuple[str, ...] = DEFAULT_LOCK_FILES
    follow_includes: bool = True
    bounded_ranges: bool = True


def parse_params(raw: Mapping[str, Any]) -> Params:
    ops = tuple(str(o) for o in raw.get("allowed_operators", ("==", "~=")))
    bad = [o for o in ops if not _CLAUSE.match(o + "1")]
    if bad or not ops:
        raise ValueError(f"unknown operators {bad or ops!r}")
    return Params(
        allowed_operators=ops,
        allow_lock_file=bool(raw.get("allow_lock_file", False)),
        lock_files=tuple(str(f) for f in raw.get("lock_files", DEFAULT_LOCK_FILES)),
        follow_includes=bool(raw.get("follow_includes", True)),
        bounded_ranges=bool(raw.get("bounded_ranges", True)),
    )


@dataclass(frozen=True)
class Requirement:
    """One requirement as written, and where."""

    text: str
    line: int
    col: int = 1


def canonical(name: str) -> str:
    """PEP 503 normalised project name: 'Foo_Bar' and 'foo-bar' are one project."""
    return re.sub(r"[-_.]+", "-", name).lower()


def unpinned_reason(
    text: str, allowed: tuple[str, ...], bounded_ranges: bool = True
) -> tuple[str, str] | None:
    """(project name, why it is not pinned) for one PEP 508 string; None when pinned or local.

    Parsed with ``packaging`` (the PyPA's PEP 508 / PEP 440 implementation). Pinned: one
    clause with an allowed operator (``==1.*`` is a range, not a pin), or, under the
    bounded-range policy, a lower and an upper bound no looser than ``~=X.Y`` of the lower
    bound, i.e. below its next major (``>=6.0,<6.1``, ``>=1.2.1,<2`` are pinned; ``>=1.2,<3``
    and ``<2`` are not).
    """
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as Pep508

    if text.startswith((".", "/", "file:")):
        return None  # a local path is the project itself, not a third-party release
    if _URL.match(text):
        return None if _immutable(text) else (text, "is a URL without a commit hash or sha256")
    try:
        req = Pep508(text)
    except InvalidRequirement:
        head = _NAME.match(text)
        return (head.group(1) if head else text, "is not a requirement truthgate can read")
    name = req.name
    if req.url:
        url = req.url
        if url.startswith((".", "/", "file:")) or _immutable(url):
            return None
        return (name, "points at a URL without a commit hash or sha256")
    spec = str(req.specifier)
    if not spec:
        return (name, "has no version")
    for clause in req.specifier:
        if clause.operator in allowed and not clause.version.endswith("*"):
            return None
    if bounded_ranges and _bounded(req.specifier):
        return None
    return (name, f"is not pinned ({spec}); use {' or '.join(allowed)}")


def _bounded(specifier: Any) -> bool:
    """A lower and an upper bound, the upper no higher than ``~=X.Y`` of the lower allows."""
    from packaging.version import InvalidVersion, Version

    lows, highs = [], []
    try:
        for clause in specifier:
            if clause.version.endswith("*"):
                return False
            if clause.operator in (">=", ">"):
                lows.append(Version(clause.version))
            elif clause.operator in ("<", "<="):
                highs.append(Version(clause.version))
    except InvalidVersion:
        return False
    if not lows or not highs:
        return False
    low, high = max(lows), min(highs)
    # ~=X.Y (two components, allowed) admits everything below X+1: a range is no looser.
    compat = Version(str(low.release[0] + 1))
    return high <= compat


def _immutable(url: str) -> bool:
    return bool(_COMMIT.search(url) or _ARTIFACT_HASH.search(url))


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first physical line, text) of each requirements line: comments stripped, '\\' joined."""
    start = 0
    parts: list[str] = []
    for number, physical in enumerate(text.splitlines(), start=1):
        if not parts:
            start = number
        stripped = _COMMENT.sub("", physical).rstrip()
        if stripped.endswith("\\"):
            parts.append(stripped[:-1])
            continue
        parts.append(stripped)
        joined = " ".join(p.strip() for p in parts).strip()
        parts = []
        if joined:
            yield start, joined
    if parts and " ".join(parts).strip():
        yield start, " ".join(p.strip() for p in parts).strip()


def _requirement_text(line: str) -> str:
    """The requirement part of a line: per-requirement options (--hash, ...) cut off."""
    cut = re.search(r"\s--?[a-z]", line)
    return line[: cut.start()].strip() if cut else line.strip()


class _ReqFiles:
    """Walks requirements files and their includes once each, noting which are constraints."""

    def __init__(self, ctx: CheckContext, params: Params) -> None:
        self.ctx, self.params = ctx, params
        self.entries: dict[str, list[Requirement]] = {}
        self.constraint_files: set[str] = set()
        self.problems: list[Violation] = []

    def walk(self, path: str) -> None:
        if path in self.entries:
            return
        found = self.entries[path] = []
        text = self.ctx.read_text(path)
        for number, line in logical_lines(text or ""):
            include = _INCLUDE.match(line)
            if include:
                if self.params.follow_includes:
                    self._include(path, number, include[1], include[2])
                continue
            editable = _EDITABLE.match(line)
            if editable:
                line = editable.group(1)
            elif line.startswith("-"):
                continue  # a global option: --index-url, --pre, --find-links ...
            found.append(Requirement(_requirement_text(line), number, 1))

    def _include(self, path: str, line: int, flag: str, name: str) -> None:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), name))
        if not self.ctx.exists(target):
            message = f"included requirements file {name} does not exist"
            self.problems.append(Violation(path, message, line=line, col=1, key=f"include:{name}"))
            return
        if flag in ("-c", "--constraint"):
            self.constraint_files.add(target)
        self.walk(target)

    def pinned_by_constraints(self) -> set[str]:
        """Canonical names a constraints file pins: pip installs exactly those versions."""
        out: set[str] = set()
        for path in self.constraint_files:
            for req in self.entries.get(path, ()):
                head = _NAME.match(req.text)
                if head and unpinned_reason(req.text, self.params.allowed_operators,
                                            self.params.bounded_ranges) is None:
                    out.add(canonical(head.group(1)))
        return out

    def requirements(self) -> list[tuple[str, Requirement]]:
        """Every requirement of every non-constraints file walked, with its file."""
        return [
            (path, req)
            for path, reqs in self.entries.items()
            if path not in self.constraint_files
            for req in reqs
        ]


def pyproject_requirements(text: str) -> list[Requirement]:
    """[project] dependencies and optional-dependencies, each located at its line:col.

    TOML is parsed by tomllib (tomli on 3.10) for the values; the position of each string is
    then found by scanning the text in order, which is exact for the plain quoted strings
    dependency lists are made of (an escaped string falls back to the table's line).
    """
    try:
        toml: Any = importlib.import_module("tomllib" if sys.version_info >= (3, 11) else "tomli")
    except ModuleNotFoundError as exc:  # pragma: no cover - Python 3.10 without tomli
        raise ValueError("reading TOML on Python 3.10 needs the 'tomli' package") from exc
    try:
        data = toml.loads(text)
    except toml.TOMLDecodeError as exc:
        raise ValueError(f"not valid TOML ({exc})") from exc
    data = data if isinstance(data, dict) else {}
    project = table(data.get("project"))
    values: list[str] = [d for d in seq(project.get("dependencies")) if isinstance(d, str)]
    for group in table(project.get("optional-dependencies")).values():
        values.extend(d for d in seq(group) if isinstance(d, str))
    # PEP 735 groups (entries may also be {include-group = ...} tables) and uv's dev list.
    for group in table(data.get("dependency-groups")).values():
        values.extend(d for d in seq(group) if isinstance(d, str))
    uv = table(table(data.get("tool")).get("uv"))
    values.extend(d for d in seq(uv.get("dev-dependencies")) if isinstance(d, str))
    header = re.search(r"^\s*\[\s*(project|dependency-groups|tool\.uv)\s*[\].]", text, re.M)
    pos = header.start() if header else 0
    out: list[Requirement] = []
    for value in values:
        quoted = re.compile("([\"'])" + re.escape(value) + "\\1")
        hit = quoted.search(text, pos) or quoted.search(text)
        if hit:
            pos = hit.end()
            line = text.count("\n", 0, hit.start()) + 1
            col = hit.start() - (text.rfind("\n", 0, hit.start()) + 1) + 1
            out.append(Requirement(value, line, col))
        else:
            out.append(Requirement(value, text.count("\n", 0, pos) + 1, 1))
    out.extend(Requirement(r.text, r.line, r.col)
               for r in poetry_requirements(table(table(data.get("tool")).get("poetry")), text))
    return out


def _locked(ctx: CheckContext, params: Params, manifest: str) -> bool:
    if not params.allow_lock_file:
        return False
    folder = posixpath.dirname(manifest)
    candidates = [posixpath.join(folder, name) for name in params.lock_files]
    return any(ctx.exists(c) for c in candidates + list(params.lock_files))


def check(ctx: CheckContext, params: Params) -> Iterable[Violation]:
    reqs = _ReqFiles(ctx, params)
    pyprojects: list[str] = []
    for facts in ctx.files:
        if posixpath.basename(facts.path) == "pyproject.toml":
            pyprojects.append(facts.path)
        elif facts.path.endswith(".txt"):
            reqs.walk(facts.path)
    yield from reqs.problems
    constrained = reqs.pinned_by_constraints()
    found = reqs.requirements()
    for path in pyprojects:
        text = ctx.read_text(path)
        if text is None:
            continue
        try:
            found.extend((path, req) for req in pyproject_requirements(text))
        except ValueError as exc:
            yield Violation(path, f"cannot read {path}: {exc}", key="toml")
    for path, req in found:
        reason = unpinned_reason(req.text, params.allowed_operators, params.bounded_ranges)
        if reason is None or _locked(ctx, params, path):
            continue
        name, why = reason
        if canonical(name) in constrained:
            continue
        yield Violation(
            path,
            f"dependency {name} {why}",
            line=req.line,
            col=req.col,
            key=canonical(name),
        )


_SCHEMA: dict[str, Any] = {
    "properties": {
        "allowed_operators": {
            "description": "Version operators that count as a pin (default ['==', '~=']).",
            "type": "array",
            "items": {"enum": ["==", "~=", "===", ">=", "<=", "<", ">", "!="]},
            "minItems": 1,
        },
        "allow_lock_file": {
            "description": "Accept unpinned manifests when a lock file sits beside the "
            "manifest or at the repository root (default false).",
            "type": "boolean",
        },
        "lock_files": {
            "description": "Lock file names that pin a manifest when allow_lock_file is true.",
            "type": "array",
            "items": {"type": "string"},
        },
        "follow_includes": {
            "description": "Follow '-r'/'-c' includes of requirements files (default true).",
            "type": "boolean",
        },
        "bounded_ranges": {
            "description": "Count a range with a lower and an upper bound as pinned when the "
            "upper bound is at most the lower bound's next major (no looser than ~=X.Y): "
            "'>=6.0,<6.1', '>=1.2.1,<2', Poetry's '^1.2.3' and '~1.2' are pinned; '>=1.2,<3' "
            "and '<2' are not "
            "(default true).",
            "type": "boolean",
        },
    },
}

KIND = InvariantKind(
    name="pinned_dependencies",
    summary="requirements*.txt and pyproject.toml dependencies are pinned (== or ~=), "
    "or a lock file pins them.",
    why="An unpinned dependency means the build that passed CI is not the build that ships: "
    "a new upstream release on deploy day changes behaviour nobody reviewed.",
    hint="Pin the version (name==1.2.3), or commit a lock file and set allow_lock_file: true.",
    params_schema=_SCHEMA,
    parse_params=parse_params,
    check=check,
    default_paths=("**/requirements*.txt", "**/requirements/*.txt", "**/pyproject.toml"),
    default_exclude=("**/node_modules/**", "**/.venv/**", "**/site-packages/**"),
    needs_files=True,
    example="""\
- id: deps-pinned
  kind: pinned_dependencies
  allowed_operators: ["==", "~="]
  allow_lock_file: true
""",
)
