"""``.gitignore`` really ignores what must never be committed.

Comparing pattern text is wrong both ways (``.env*`` covers ``.env``; ``.env`` followed by
``!.env`` does not), so each required pattern is turned into a few representative sample
paths — ``.env`` gives ``.env`` and ``pkg/.env``; ``__pycache__/`` gives
``__pycache__/m.pyc`` and ``pkg/__pycache__/m.pyc`` — and the sample paths are checked against
the file with real gitignore semantics (pathspec's ``GitIgnoreSpec``), including git's rule
that nothing inside an ignored directory can be re-included. A pattern written ``!name``
means the opposite: that path must stay tracked (``!.env.example``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pathspec

from truthgate.verify.kinds.base import CheckContext, InvariantKind, Violation

DEFAULT_PATTERNS = (".env", "*.db", "__pycache__/")
# One gitignore glob token: an escape, a character class, or a wildcard.
_TOKEN = re.compile(r"\\(.)|\[([!^]?)\\?(.)[^\]]*\]|\*\*|\*|\?")


@dataclass(frozen=True)
class Params:
    patterns: tuple[str, ...] = DEFAULT_PATTERNS
    file: str = ".gitignore"


def parse_params(raw: Mapping[str, Any]) -> Params:
    patterns = tuple(str(p).strip() for p in raw.get("patterns", DEFAULT_PATTERNS))
    bad = [p for p in patterns if not p.lstrip("!").strip("/")]
    if bad:
        raise ValueError(f"empty pattern in {list(patterns)!r}")
    return Params(patterns=patterns, file=str(raw.get("file", ".gitignore")))


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


def check(ctx: CheckContext, params: Params) -> Iterable[Violation]:
    name = params.file
    if not ctx.exists(name):
        yield Violation(name, f"{name} is missing, so nothing is ignored", key="missing")
        return
    text = ctx.read_text(name)
    if text is None:
        yield Violation(name, f"{name} is not readable text", key="unreadable")
        return
    rules = _Rules.parse(text)
    for required in params.patterns:
        keep = required.startswith("!")
        pattern = required[1:] if keep else required
        for sample in sample_paths(pattern):
            ignored, index = rules.decide(sample)
            if ignored != keep:
                continue
            line, rule = rules.lines[index] if index >= 0 else (0, "")
            if keep:
                message = f"{name} ignores {pattern}, which must stay tracked "
                message += f"({sample} matches {rule.strip()!r})"
            else:
                message = f"{name} does not ignore {pattern}: {sample} could be committed"
                if rule:
                    message += f" (re-included by {rule.strip()!r})"
            yield Violation(name, message, line=line, col=1 if line else 0, key=required)
            break  # one finding per required pattern; the first failing sample says enough


_SCHEMA: dict[str, Any] = {
    "properties": {
        "patterns": {
            "description": "Gitignore patterns that must be ignored (default .env, *.db, "
            "__pycache__/); '!path' means the path must NOT be ignored.",
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
    hint="Add the pattern to .gitignore (and remove any '!' rule that re-includes it).",
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
