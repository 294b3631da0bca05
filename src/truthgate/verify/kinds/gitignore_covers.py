"""``.gitignore`` really ignores what must never be committed.

Comparing pattern text is wrong both ways (``.env*`` covers ``.env``; ``.env`` followed by
``!.env`` does not), so each required pattern is turned into a few representative sample
paths — ``.env`` gives ``.env`` and ``pkg/.env``; ``__pycache__/`` gives
``__pycache__/m.pyc`` and ``pkg/__pycache__/m.pyc`` — and the sample paths are checked against
the file with real gitignore semantics (pathspec's ``GitIgnoreSpec``), including git's rule
that nothing inside an ignored directory can be re-included. A pattern written ``!name``
means the opposite: that path must stay tracked (``!.env.example``).

Nested ``.gitignore`` files count as git counts them (the deepest rule that matches decides):
the samples are checked at the root and in every directory that holds its own
``.gitignore``. A file git already tracks is a stronger finding than one that could be
committed: ignoring it changes nothing, it is in the history (``git rm --cached``).
With the default patterns, ``*.db`` is required only when the code uses SQLite (an import,
a ``sqlite`` literal, a ``.db``/``.sqlite3`` file).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pathspec

from truthgate.verify.kinds.base import CheckContext, InvariantKind, Violation

DEFAULT_PATTERNS = (".env", "*.db", "__pycache__/")
# Default patterns that apply only when the code uses that kind of file.
_SQLITE_PATTERNS = frozenset({"*.db", "*.sqlite", "*.sqlite3"})
_SQLITE_MODULES = ("sqlite3", "aiosqlite", "sqlite_utils", "apsw")
# One gitignore glob token: an escape, a character class, or a wildcard.
_TOKEN = re.compile(r"\\(.)|\[([!^]?)\\?(.)[^\]]*\]|\*\*|\*|\?")


@dataclass(frozen=True)
class Params:
    patterns: tuple[str, ...] = DEFAULT_PATTERNS
    file: str = ".gitignore"
    defaults: bool = True  # patterns not stated: SQLite ones only where SQLite is used


def parse_params(raw: Mapping[str, Any]) -> Params:
    patterns = tuple(str(p).strip() for p in raw.get("patterns", DEFAULT_PATTERNS))
    bad = [p for p in patterns if not p.lstrip("!").strip("/")]
    if bad:
        raise ValueError(f"empty pattern in {list(patterns)!r}")
    return Params(patterns=patterns, file=str(raw.get("file", ".gitignore")),
                  defaults="patterns" not in raw)


def sample_paths(pattern: str) -> tuple[str, ...]:
    """Concrete paths a gitignore ``pattern`` is meant to match, at the root and one level down.

    Wildcards become a plain letter and a character class its first member. A pattern with a
    slash before its end is anchored to the root, so it gets no nested sample. For a directory
    pattern the sample is a file inside it; ``__pycache__`` gets a ``.pyc`` because a rule such
    as ``*.pyc`` is how many projects keep that directory out of git.
    """
    body = pattern.rstrip("/")
    is_dir = body != pattern
    floating = body.startswith("**/")
    body = body[3:] if floating else body
    anchored = not floating and "/" in body
    body = body.lstrip("/")
    concrete = _TOKEN.sub(_concrete_token, body)
    bases = [concrete] if anchored else [concrete, f"pkg/{concrete}"]
    if is_dir:
        leaf = "m.pyc" if concrete.endswith("__pycache__") else "file"
        return tuple(f"{base}/{leaf}" for base in bases)
    return tuple(bases)


def _concrete_token(match: re.Match[str]) -> str:
    escaped, negated, member = match.group(1), match.group(2), match.group(3)
    if escaped:
        return escaped
    if member:
        # A negated class ('[!x]') needs a character outside it; a control char is.
        return "\x01" if negated else member
    return "x"


@dataclass(frozen=True)
class _Rules:
    """The gitignore file as a spec, with each spec pattern's source line."""

    spec: pathspec.GitIgnoreSpec
    lines: tuple[tuple[int, str], ...]  # (line number, text) of every real pattern, in order

    @classmethod
    def parse(cls, text: str) -> _Rules:
        kept: list[tuple[int, str]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            # Blank and comment lines compile to no pattern; drop them so spec indexes map
            # back to line numbers.
            compiled = pathspec.GitIgnoreSpec.from_lines([line]).patterns
            if compiled and compiled[0].include is not None:
                kept.append((number, line))
        return cls(pathspec.GitIgnoreSpec.from_lines([t for _, t in kept]), tuple(kept))

    def decide(self, path: str) -> tuple[bool, int]:
        """(ignored?, index of the deciding rule or -1) for one file path."""
        parts = path.split("/")
        # Git never descends into an ignored directory, so a negation below it is moot.
        for depth in range(1, len(parts)):
            result = self.spec.check_file("/".join(parts[:depth]) + "/")
            if result.include:
                return True, result.index if result.index is not None else -1
        result = self.spec.check_file(path)
        return bool(result.include), result.index if result.index is not None else -1


class _Tree:
    """Every ignore file of the repository: the root's and the nested ones, by directory."""

    def __init__(self, files: dict[str, tuple[str, _Rules]]) -> None:
        self.files = files  # directory ('' = root) -> (ignore file path, its rules)

    def decide(self, path: str) -> tuple[bool, str, int, str]:
        """(ignored?, deciding file, its line, rule text) as git decides for ``path``."""
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            probe = "/".join(parts[:depth]) + ("/" if depth < len(parts) else "")
            got = self._match(probe)
            if got is not None and (got[0] or depth == len(parts)):
                return got
        return False, "", 0, ""

    def _match(self, probe: str) -> tuple[bool, str, int, str] | None:
        # The deepest ignore file with a rule for the path decides.
        dirs = sorted((d for d in self.files if not d or probe.startswith(d + "/")),
                      key=len, reverse=True)
        for d in dirs:
            file, rules = self.files[d]
            rel = probe[len(d) + 1:] if d else probe
            result = rules.spec.check_file(rel)
            if result.include is not None:
                index = result.index if result.index is not None else -1
                line, rule = rules.lines[index] if index >= 0 else (0, "")
                return bool(result.include), file, line, rule
        return None


def _uses_sqlite(ctx: CheckContext) -> bool:
    """The code uses SQLite files: an import, a 'sqlite' literal, or a database file."""
    for f in ctx.all_files:
        if f.path.endswith((".db", ".sqlite", ".sqlite3")):
            return True
        if any(i.module.split(".")[0] in _SQLITE_MODULES for i in f.imports):
            return True
        literals: list[object] = [a.value for a in f.assigns]
        literals += [r.default for r in f.env_reads] + [s.default for s in f.settings_fields]
        for c in f.calls:
            literals += [*c.args, *(v for _, v in c.kwargs)]
        if any("sqlite" in text.lower() for text in _strings(literals)):
            return True
    return False


def _strings(values: Iterable[object]) -> Iterable[str]:
    for v in values:
        if isinstance(v, str):
            yield v
        elif isinstance(v, (list, tuple, set, frozenset)):
            yield from _strings(v)
        elif isinstance(v, dict):
            yield from _strings(v.keys())
            yield from _strings(v.values())


def check(ctx: CheckContext, params: Params) -> Iterable[Violation]:
    name = params.file
    nested = sorted(f.path for f in ctx.all_files
                    if f.path.endswith("/" + name.rsplit("/", 1)[-1]) and f.path != name
                    and "/" not in name)
    if not ctx.exists(name) and not nested:
        yield Violation(name, f"{name} is missing, so nothing is ignored", key="missing")
        return
    files: dict[str, tuple[str, _Rules]] = {}
    for path in ([name] if ctx.exists(name) else []) + nested:
        text = ctx.read_text(path)
        if text is None:
            yield Violation(path, f"{path} is not readable text", key="unreadable")
            return
        files[path.rsplit("/", 1)[0] if "/" in path else ""] = (path, _Rules.parse(text))
    tree = _Tree(files)
    patterns = params.patterns
    if params.defaults and not _uses_sqlite(ctx):
        patterns = tuple(p for p in patterns if p not in _SQLITE_PATTERNS)
    tracked = _tracked(ctx)
    for required in patterns:
        keep = required.startswith("!")
        pattern = required[1:] if keep else required
        if not keep and tracked:
            committed = _committed(tracked, pattern)
            if committed:
                shown = ", ".join(committed[:3]) + (" ..." if len(committed) > 3 else "")
                yield Violation(
                    committed[0],
                    f"{shown} {'is' if len(committed) == 1 else 'are'} committed although "
                    f"{pattern} must never be: ignoring it now changes nothing; run "
                    f"'git rm --cached {committed[0]}', ignore it, and rotate any secret in it",
                    key=f"committed:{required}")
                continue
        for sample in (f"{d}/{s}" if d else s for d in files for s in sample_paths(pattern)):
            ignored, file, line, rule = tree.decide(sample)
            if ignored != keep:
                continue
            file = file or name
            if keep:
                message = f"{file} ignores {pattern}, which must stay tracked "
                message += f"({sample} matches {rule.strip()!r})"
            else:
                message = f"{name} does not ignore {pattern}: {sample} could be committed"
                if rule:
                    where = f" in {file}" if file != name else ""
                    message += f" (re-included by {rule.strip()!r}{where})"
            yield Violation(file, message, line=line, col=1 if line else 0, key=required)
            break  # one finding per required pattern; the first failing sample says enough


def _tracked(ctx: CheckContext) -> frozenset[str] | None:
    from truthgate.gitinfo import tracked_files

    tracked = tracked_files(ctx.root)
    if tracked is not None:
        # The index's stat is a dependency of the result: 'git rm --cached' invalidates it.
        ctx.exists(".git/index")
    return tracked


def _committed(tracked: frozenset[str], pattern: str) -> list[str]:
    spec = pathspec.GitIgnoreSpec.from_lines([pattern])
    return sorted(p for p in tracked if spec.match_file(p))


_SCHEMA: dict[str, Any] = {
    "properties": {
        "patterns": {
            "description": "Gitignore patterns that must be ignored (default .env, *.db, "
            "__pycache__/, with *.db only when the code uses SQLite); '!path' means the path "
            "must NOT be ignored. A tracked file matching one is reported as committed.",
            "type": "array",
            "items": {"type": "string", "minLength": 1},
        },
        "file": {
            "description": "The ignore file to read, relative to the root (default .gitignore).",
            "type": "string",
        },
    },
}

KIND = InvariantKind(
    name="gitignore_covers",
    summary=".gitignore ignores the listed patterns (.env, *.db, __pycache__/), "
    "with real gitignore semantics.",
    why="A .env with production keys or a SQLite file with user data is one 'git add .' away "
    "from the remote; once pushed, a secret must be rotated, not just deleted.",
    hint="Add the pattern to .gitignore (and remove any '!' rule that re-includes it); a "
    "committed file also needs 'git rm --cached' (and its secrets rotated).",
    params_schema=_SCHEMA,
    parse_params=parse_params,
    check=check,
    default_paths=(".gitignore",),
    needs_files=False,
    example="""\
- id: secrets-ignored
  kind: gitignore_covers
  patterns: [".env", "*.db", "__pycache__/", "!.env.example"]
""",
)
