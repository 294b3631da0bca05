"""The only place that decides how things look on a terminal (colour, TTY, NO_COLOR)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TextIO


def wants_colour(stream: TextIO) -> bool:
    """Colour only on a real terminal and never when NO_COLOR is set (any value)."""
    if "NO_COLOR" in os.environ:
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


_STYLES = {
    "PASSED": "bold green",
    "FAILED": "bold red",
    "ERROR": "bold red",
    "error": "red",
    "warning": "yellow",
    "help:": "cyan",
    "hint:": "cyan",
}


def escape_nonprintable(text: str) -> str:
    """``text`` with every non-printable character as a repr-style escape (\\x1b, \\u202e).

    For values that come from a contract or a server (a product name, say) and are printed
    inline: an ESC sequence or a bidi override must not reach the terminal raw, and a newline
    must not forge an extra output line. A backslash is doubled, so an escape seen on screen
    always means the character, never its spelling.
    """
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(ch if ch.isprintable() and ch != "\\" else _escape(ch) for ch in text)


def _escape(ch: str) -> str:
    if ch == "\\":
        return "\\\\"
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def emit(text: str, *, err: bool = False) -> None:
    """Print ``text`` through the redaction boundary; on a colour terminal, highlight verdicts."""
    from truthgate.redact import scrub

    text = scrub(text)
    stream = sys.stderr if err else sys.stdout
    if not wants_colour(stream):
        stream.write(text if text.endswith("\n") else text + "\n")
        stream.flush()
        return
    from rich.console import Console
    from rich.text import Text

    console = Console(file=stream, highlight=False, soft_wrap=True)
    rich_text = Text(text.rstrip("\n"))
    for word, style in _STYLES.items():
        rich_text.highlight_words([word], style=style)
    console.print(rich_text)


def terminal_progress(label: str) -> Callable[[int, int], None] | None:
    """A progress line on stderr ('init: reading 1500/4300 files'), rewritten in place; None
    when stderr is no terminal (CI logs and pipes stay clean)."""
    stream = sys.stderr
    if not (hasattr(stream, "isatty") and stream.isatty()):
        return None

    from truthgate.redact import scrub  # the boundary every written byte goes through

    def show(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        stream.write(scrub(f"\r{label} {done}/{total} files{end}"))
        stream.flush()

    return show
