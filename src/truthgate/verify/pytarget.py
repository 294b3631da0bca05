"""The Python a project targets, and syntax that needs a newer Python than truthgate's.

truthgate parses with the interpreter it runs on. Valid 3.12 code (PEP 695) does not parse
on 3.11, so a syntax error there may be no error at all: it may be a configuration problem
(truthgate runs on an older Python than the project). ``newer_syntax`` recognises the
constructs that later Pythons added from the error the running parser gave; the project's
target (``verify.python`` in the contract, else ``requires-python`` / ``python_requires`` /
``.python-version`` / ``runtime.txt`` / a Dockerfile's ``FROM python:X.Y``) decides what
the file is: a real error when the project targets a Python older than the construct, a
configuration problem otherwise.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from truthgate.model import Finding, InvariantResult, Location, Outcome, Severity
from truthgate.verify.baseline import fingerprint
from truthgate.verify.facts import FileFacts

if TYPE_CHECKING:
    from truthgate.contract.model import Contract

Version = tuple[int, int]
RUNNING: Version = (sys.version_info[0], sys.version_info[1])


@dataclass(frozen=True)
class Feature:
    """A construct a Python version introduced."""

    version: Version
    name: str

    def needs(self) -> str:
        return f"needs Python ≥ {fmt(self.version)} ({self.name})"


@dataclass(frozen=True)
class Target:
    """The Python a project runs on, and where that was read."""

    version: Version
    source: str


def fmt(v: Version) -> str:
    return f"{v[0]}.{v[1]}"


# (version, name, error-message regex or None, line regex or None): a feature matches when
# both given regexes match (message and the error line's text).
_FEATURES: tuple[tuple[Version, str, str | None, str | None], ...] = (
    ((3, 10), "PEP 634 match statement", None, r"^\s*(match|case)\s+[^=]*:\s*(#.*)?$"),
    ((3, 11), "PEP 654 except*", None, r"^\s*except\s*\*"),
    ((3, 11), "PEP 646 star unpacking in subscripts", None, r"\[\s*\*\w|:\s*\*\w+\s*[,)]"),
    ((3, 13), "PEP 696 type parameter defaults", None,
     r"^\s*(async\s+def|def|class)\s+\w+\s*\[[^\]]*=|^\s*type\s+\w+\s*\[[^\]]*=.*\]\s*="),
    ((3, 12), "PEP 695 type parameters", None, r"^\s*(async\s+def|def|class)\s+\w+\s*\["),
    ((3, 12), "PEP 695 type alias statement", None, r"^\s*type\s+\w+\s*(\[.*\])?\s*="),
    ((3, 12), "PEP 701 f-string syntax", r"^f-string", None),
    ((3, 14), "PEP 758 except without parentheses", r"must be parenthesized",
     r"^\s*except\s*\*?\s*[\w.]+\s*,"),
    ((3, 14), "PEP 750 template strings", None, r"(?<![\w.])[rR]?[tT][rR]?['\"]"),
)
_COMPILED = tuple(
    (v, name, re.compile(m) if m else None, re.compile(line) if line else None)
    for v, name, m, line in _FEATURES
)


def newer_syntax(message: str, line: str, running: Version = RUNNING) -> Feature | None:
    """The newer-Python construct a syntax error on ``running`` most likely is, or None.

    Only constructs newer than ``running`` count: on 3.12 a ``type X = ...`` that fails is a
    real error. A heuristic on purpose (the running parser cannot parse a grammar it does not
    have); it errs on the side of a newer construct, and the caller still fails the gate
    either way (a syntax error when the project targets an older Python, a configuration
    problem when it targets a newer one).
    """
    for version, name, msg_re, line_re in _COMPILED:
        if version <= running:
            continue
        if msg_re is not None and not msg_re.search(message):
            continue
        if line_re is not None and not line_re.search(line):
            continue
        return Feature(version, name)
    return None


_VERSION = re.compile(r"(?<![\d.])3\.(\d{1,2})(?![\d])")


def parse_version(text: str) -> Version | None:
    """'3.12', '3.12.1', 'python-3.12.4' -> (3, 12)."""
    m = _VERSION.search(text)
    return (3, int(m.group(1))) if m else None


def lowest_of_spec(spec: str) -> Version | None:
    """The lowest Python a ``requires-python`` specifier admits ('>=3.12,<4' -> (3, 12))."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        spec_set = SpecifierSet(spec)
    except InvalidSpecifier:
        return None
    for minor in range(0, 40):
        if any(spec_set.contains(f"3.{minor}.{patch}", prereleases=True)
               for patch in (0, 99)):
            return (3, minor)
    return None


_TOML_REQ = re.compile(r"""^\s*requires-python\s*=\s*["']([^"']+)["']""", re.M)
_POETRY_PY = re.compile(r"""^\s*python\s*=\s*["']([^"']+)["']""", re.M)
_CFG_REQ = re.compile(r"^\s*python_requires\s*=\s*(.+)$", re.M)
_FROM_PY = re.compile(r"^\s*FROM\s+(?:--\S+\s+)*(?:[\w.\-/:]*/)?python:(3\.\d+)", re.M | re.I)


def _poetry_spec(spec: str) -> str:
    """Poetry's '^3.12' / '~3.11' as a PEP 440 lower bound."""
    spec = spec.strip()
    if spec[:1] in "^~" and spec[1:2] != "=":
        return ">=" + spec[1:]
    return spec


def detect_target(
    declared: str | None,
    read: Callable[[str], str | None],
    dockerfiles: Iterable[str] = ("Dockerfile",),
) -> Target | None:
    """The project's Python: the contract's ``verify.python``, else what its files say."""
    if declared:
        got = parse_version(declared)
        if got:
            return Target(got, "verify.python in the contract")
    pyproject = read("pyproject.toml") or ""
    m = _TOML_REQ.search(pyproject)
    if m and (low := lowest_of_spec(m.group(1))):
        return Target(low, "requires-python in pyproject.toml")
    if "[tool.poetry.dependencies]" in pyproject:
        section = pyproject.split("[tool.poetry.dependencies]", 1)[1].split("\n[", 1)[0]
        m = _POETRY_PY.search(section)
        if m and (low := lowest_of_spec(_poetry_spec(m.group(1)))):
            return Target(low, "python in [tool.poetry.dependencies]")
    m = _CFG_REQ.search(read("setup.cfg") or "")
    if m and (low := lowest_of_spec(m.group(1).strip())):
        return Target(low, "python_requires in setup.cfg")
    for name, what in ((".python-version", ".python-version"), ("runtime.txt", "runtime.txt")):
        text = read(name)
        if text and (got := parse_version(text.strip().splitlines()[0] if text.strip() else "")):
            return Target(got, what)
    for path in dockerfiles:
        found = _FROM_PY.findall(read(path) or "")
        if found:
            # The last stage is the one that runs.
            got = parse_version(found[-1])
            if got:
                return Target(got, f"the base image in {path}")
    return None


def dockerfiles_of(paths: Iterable[str]) -> list[str]:
    """Dockerfiles at the root first, then one or two directories down."""
    found = [p for p in paths if p.rsplit("/", 1)[-1].startswith("Dockerfile")
             and p.count("/") <= 2]
    return sorted(found, key=lambda p: (p.count("/"), p))


class _Reader(Protocol):
    @property
    def contract(self) -> Contract: ...

    def read_text(self, path: str) -> str | None: ...

    def line_text(self, path: str, line: int) -> str: ...


def project_target(ctx: _Reader, all_paths: Iterable[str]) -> Target | None:
    """``detect_target`` over a verify context (every read recorded for the results cache)."""
    return detect_target(ctx.contract.verify.python, ctx.read_text, dockerfiles_of(all_paths))


def classify(ctx: _Reader, f: FileFacts) -> Feature | None:
    """The newer construct a file's syntax error is, when it is one."""
    if not (f.is_python and f.problem == "syntax"):
        return None
    return newer_syntax(f.problem_detail, ctx.line_text(f.path, f.problem_line))


def too_new(feature: Feature | None, target: Target | None) -> bool:
    """A newer construct the project's Python has (or whose target nobody stated)."""
    return feature is not None and (target is None or target.version >= feature.version)


NEWER_ID = "truthgate-python"
NEWER_KIND = "python-version"


def newer_python_result(
    ctx: _Reader, files: Sequence[FileFacts]
) -> tuple[InvariantResult | None, frozenset[str]]:
    """One failing result when files need a newer Python than truthgate runs on.

    A configuration problem, not a syntax error: the files are valid for the project's
    Python but this interpreter cannot parse them, so no check examined them. Said once,
    with the files it concerns; the paths are returned so nothing reports them again.
    """
    syntax = [f for f in files if f.is_python and f.problem == "syntax"]
    if not syntax:
        return None, frozenset()
    target = project_target(ctx, (f.path for f in files))
    hits: list[tuple[FileFacts, Feature]] = []
    for f in syntax:
        feature = classify(ctx, f)
        if feature is not None and too_new(feature, target):
            hits.append((f, feature))
    if not hits:
        return None, frozenset()
    top = max((feat for _, feat in hits), key=lambda feat: feat.version)
    first = min(hits, key=lambda h: h[0].path)[0]
    names = sorted(f.path for f, _ in hits)
    shown = ", ".join(names[:5]) + (f", and {len(names) - 5} more" if len(names) > 5 else "")
    count = f"{len(names)} file{'s' if len(names) != 1 else ''}"
    message = (f"{top.needs()}; truthgate runs on {fmt(RUNNING)}: {count} not examined by "
               f"any check ({shown})")
    if target is not None:
        hint = (f"run truthgate on Python {fmt(target.version)} or newer, the project's Python "
                f"({target.source})")
    else:
        hint = (f"run truthgate on Python {fmt(top.version)} or newer; if the project targets "
                f"an older Python, say so (verify.python) and these become syntax errors")
    finding = Finding(
        invariant_id=NEWER_ID, kind=NEWER_KIND, message=message, severity=Severity.ERROR,
        location=Location(first.path, first.problem_line, 0), hint=hint,
        fingerprint=fingerprint(NEWER_KIND, "", fmt(top.version), ""),
    )
    result = InvariantResult(
        id=NEWER_ID, kind=NEWER_KIND, severity=Severity.ERROR, outcome=Outcome.FAIL,
        description="truthgate runs on a Python that parses every file of the project "
                    "(a configuration problem, not a syntax error).",
        findings=(finding,), files_examined=len(names),
    )
    return result, frozenset(names)
