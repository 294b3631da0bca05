"""the knowledge base (and any other named file) exists, has content, and
carries the headings readers rely on.

The contract's ``kb.files`` are always checked (unless ``include_kb: false``); the ``files``
parameter adds more, each a path or ``{path, headings}``. Headings are markdown headings —
ATX (``## Overview``) and setext (``Overview`` over ``====``) — compared by their text,
case-insensitively and with whitespace collapsed; headings inside fenced code blocks do not
count, because a sample snippet is not the document's structure. A file that still holds
the ``<!-- truthgate:stub ... -->`` line of the stubs ``truthgate init`` writes is reported as
a stub until someone fills it and deletes the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from truthgate.verify.kinds.base import CheckContext, InvariantKind, Violation

# The first line of every kb stub 'truthgate init' writes (scaffold/init.py uses it too).
STUB_MARKER = "<!-- truthgate:stub"
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


@dataclass(frozen=True)
class RequiredFile:
    """One file that must exist, with the headings it must contain."""

    path: str
    headings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Params:
    files: tuple[RequiredFile, ...] = ()
    include_kb: bool = True


def _clean_path(raw: str) -> str:
    path = raw.strip().replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    if not path or path.startswith("/") or ".." in path.split("/"):
        raise ValueError(f"{raw!r} must be a path relative to the repository root")
    return path


def parse_params(raw: Mapping[str, Any]) -> Params:
    """Normalise ``files`` entries (a string or a ``{path, headings}`` mapping)."""
    out: list[RequiredFile] = []
    for entry in raw.get("files", ()) or ():
        if isinstance(entry, str):
            out.append(RequiredFile(_clean_path(entry)))
        elif isinstance(entry, Mapping) and isinstance(entry.get("path"), str):
            heads = tuple(str(h) for h in entry.get("headings", ()) or ())
            out.append(RequiredFile(_clean_path(entry["path"]), heads))
        else:
            raise ValueError(f"bad files entry {entry!r}")
    return Params(files=tuple(out), include_kb=bool(raw.get("include_kb", True)))


def normalise_heading(text: str) -> str:
    """Heading text as compared: no leading '#', case-folded, whitespace collapsed."""
    return " ".join(text.strip().lstrip("#").split()).casefold()


def markdown_headings(text: str) -> list[tuple[int, str]]:
    """(line, normalised text) of every ATX and setext heading outside fenced code."""
    out: list[tuple[int, str]] = []
    fence = ""
    previous = ""  # the last non-heading paragraph line, a setext candidate
    for number, line in enumerate(text.splitlines(), start=1):
        opener = _FENCE.match(line)
        if fence:
            # A fence closes only with the same character, at least as long.
            if opener and opener.group(1)[0] == fence[0] and len(opener.group(1)) >= len(fence):
                fence = ""
            continue
        if opener:
            fence, previous = opener.group(1), ""
            continue
        atx = _ATX.match(line)
        if atx:
            out.append((number, normalise_heading(atx.group(2) or "")))
            previous = ""
        elif _SETEXT.match(line) and previous.strip():
            out.append((number - 1, normalise_heading(previous)))
            previous = ""
        else:
            previous = line
    return out


def _targets(ctx: CheckContext, params: Params) -> list[RequiredFile]:
    """kb files then extra files; a path named twice is checked once with every heading."""
    merged: dict[str, list[str]] = {}
    sources: list[RequiredFile] = []
    if params.include_kb:
        sources.extend(RequiredFile(_clean_path(f.path), f.headings) for f in ctx.contract.kb.files)
    sources.extend(params.files)
    for item in sources:
        heads = merged.setdefault(item.path, [])
        heads.extend(h for h in item.headings if h not in heads)
    return [RequiredFile(path, tuple(heads)) for path, heads in merged.items()]


def check(ctx: CheckContext, params: Params) -> Iterable[Violation]:
    for target in _targets(ctx, params):
        if not ctx.exists(target.path):
            yield Violation(
                target.path,
                f"required file {target.path} does not exist",
                key="missing",
            )
            continue
        text = ctx.read_text(target.path)
        if text is None:
            yield Violation(
                target.path,
                f"required file {target.path} is not readable UTF-8 text",
                key="unreadable",
            )
            continue
        if not text.strip():
            yield Violation(target.path, f"required file {target.path} is empty", key="empty")
            continue
        stub = text.find(STUB_MARKER)
        if stub >= 0:
            yield Violation(
                target.path,
                f"required file {target.path} is still the stub 'truthgate init' wrote: fill "
                f"it in, then delete its '{STUB_MARKER}' line",
                line=text.count("\n", 0, stub) + 1, col=1, key="stub",
            )
            continue
        found = {heading for _, heading in markdown_headings(text)}
        for heading in target.headings:
            if normalise_heading(heading) not in found:
                yield Violation(
                    target.path,
                    f"required file {target.path} has no heading {heading.lstrip('# ')!r}",
                    key=f"heading:{normalise_heading(heading)}",
                )


_SCHEMA: dict[str, Any] = {
    "properties": {
        "files": {
            "description": "Files that must exist besides the contract's kb files: a path, "
            "or {path, headings} where every heading must appear as a markdown heading.",
            "type": "array",
            "items": {
                "oneOf": [
                    {"type": "string", "description": "A path relative to the repository root."},
                    {
                        "type": "object",
                        "description": "A path with the headings it must contain.",
                        "properties": {
                            "path": {
                                "type": "string",
                                "description": "A path relative to the repository root.",
                            },
                            "headings": {
                                "type": "array",
                                "description": "Heading texts, matched case-insensitively.",
                                "items": {"type": "string"},
                            },
                        },
                        "required": ["path"],
                        "additionalProperties": False,
                    },
                ]
            },
        },
        "include_kb": {
            "description": "Also check every file of the contract's kb section (default true).",
            "type": "boolean",
        },
    },
}

KIND = InvariantKind(
    name="required_files",
    summary="The contract's kb files and other named files exist, are non-empty and carry "
    "their required headings.",
    why="A runbook or architecture note that silently disappeared, or lost its 'Rollback' "
    "section, fails the on-call engineer at the worst moment; the gate keeps the knowledge "
    "base as real as the code.",
    hint="Create the file (or restore it) and add the missing '## Heading' section.",
    params_schema=_SCHEMA,
    parse_params=parse_params,
    check=check,
    default_paths=(),
    needs_files=False,
    example="""\
- id: kb-present
  kind: required_files
  files:
    - README.md
    - path: kb/runbook.md
      headings: [Deploy, Rollback]
""",
)
