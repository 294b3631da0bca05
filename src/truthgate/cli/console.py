"""The only place that decides how things look on a terminal (colour, TTY, NO_COLOR)."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from typing import TextIO


def wants_colour(stream: TextIO) -> bool:
    """Colour only on a real terminal, and never when NO_COLOR is set to a non-empty value
    (no-color.org: an empty NO_COLOR is as if it were unset)."""
    if os.environ.get("NO_COLOR", ""):
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

    console = Console(file=stream, highlight=False, soft_wrap=True, no_color=False,
                      force_terminal=True)
    rich_text = Text(text.rstrip("\n"))
    for word, style in _STYLES.items():
        # Whole words only: "error" in "error_leak" or "PASSED" in "PASSEDX" stays plain.
        rich_text.highlight_regex(rf"(?<!\w){re.escape(word)}(?!\w)", style=style)
    # The outcome column of the text reports (PASS / FAIL / ERROR / SKIP at a line start),
    # never the same letters inside a word or a message (PASSIVE, a FAILOVER route).
    for regex, style in _COLUMNS:
        rich_text.highlight_regex(regex, style=style)
    console.print(rich_text)


_COLUMNS = (
    (r"(?m)^ *PASS(?= )", "bold green"),
    (r"(?m)^ *(?:FAIL|ERROR)(?= )", "bold red"),
    (r"(?m)^ *SKIP(?= )", "dim"),
)


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
