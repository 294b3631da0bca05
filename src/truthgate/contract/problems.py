"""Located contract problems and how they are shown to a person.

Every problem reads ``file:line:col: key.path: message``, is followed by the offending
YAML line with the span underlined, and by a ``help:`` line when there is advice to give.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from truthgate.errors import TruthgateError

KeyPath = tuple[str | int, ...]

# C0/C1 controls (tab aside) and bidi overrides: a contract's "\e[2J" or U+202E must not reach
# a terminal from an error message as anything but visible escapes.
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with control and bidi-override characters shown as escapes (\\x1b, \\u202e)."""

    def esc(m: re.Match[str]) -> str:
        c = ord(m.group())
        return f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"

    return _UNPRINTABLE.sub(esc, text)


def format_key_path(path: Sequence[str | int]) -> str:
    """('invariants', 2, 'kind') -> 'invariants[2].kind'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "<root>"


def suggest(word: str, choices: Iterable[str]) -> str:
    """The closest of ``choices`` to a mistyped ``word``, or ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else ""


@dataclass(frozen=True)
class ContractProblem:
    """One thing wrong with a contract, with where it is."""

    message: str
    path: KeyPath = ()
    line: int = 0
    col: int = 0
    end_line: int = 0
    end_col: int = 0
    help: str = ""

    def headline(self, filename: str) -> str:
        where = filename
        if self.line:
            where += f":{self.line}:{self.col or 1}"
        key = f"{format_key_path(self.path)}: " if self.path else ""
        return f"{where}: {key}{self.message}"


class ContractError(TruthgateError):
    """The contract could not be loaded; ``problems`` lists every reason, located."""

    def __init__(self, filename: str, problems: Sequence[ContractProblem], source: str = ""):
        self.filename = filename
        self.problems = tuple(sorted(problems, key=lambda p: (p.line, p.col, p.message)))
        self.source = source
        super().__init__(self.render())

    def render(self) -> str:
        """All problems, each with its source excerpt, as plain text."""
        return render_problems(self.filename, self.problems, self.source)


MAX_SHOWN = 50  # problems rendered in full; the rest are counted ("and N more")
_EXCERPT = 160  # characters of a source line shown around the problem's column


def _excerpt(text: str, start: int, width: int) -> tuple[str, int, int]:
    """(shown text, caret start, caret width): a window of a long line around ``start``."""
    if len(text) <= _EXCERPT:
        return text, start, width
    left = max(start - 1 - _EXCERPT // 3, 0)
    shown = text[left:left + _EXCERPT]
    prefix = "…" if left else ""
    suffix = "…" if left + _EXCERPT < len(text) else ""
    caret = start - left + len(prefix)
    return prefix + shown + suffix, caret, max(min(width, _EXCERPT - (start - 1 - left)), 1)


def render_problems(filename: str, problems: Sequence[ContractProblem], source: str) -> str:
    lines = source.splitlines()
    blocks: list[str] = []
    for p in problems[:MAX_SHOWN]:
        block = [printable(p.headline(filename))]
        if p.line and 0 < p.line <= len(lines):
            text = printable(lines[p.line - 1].replace("\t", " "))
            gutter = f"{p.line:>4} | "
            start = max(p.col, 1)
            if p.end_line == p.line and p.end_col > start:
                width = p.end_col - start
            else:
                width = max(len(text.rstrip()) - start + 1, 1)
            text, start, width = _excerpt(text, start, width)
            block.append(gutter + text)
            block.append(" " * (len(gutter) + start - 1) + "^" * width)
        if p.help:
            block.append(f"  help: {printable(p.help)}")
        blocks.append("\n".join(block))
    count = len(problems)
    if count > MAX_SHOWN:
        blocks.append(f"... and {count - MAX_SHOWN} more problem"
                      f"{'s' if count - MAX_SHOWN != 1 else ''} not shown "
                      "(fix these first; the rest are reported again)")
    blocks.append(f"{count} problem{'s' if count != 1 else ''} in {filename}")
    return "\n".join(blocks)


def display_path(path: Path) -> str:
    """A path relative to the working directory when it is below it, else as given."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)
