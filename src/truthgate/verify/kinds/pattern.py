"""a user-written rule, for the promise no built-in kind knows about.

Two forms, exactly one per invariant:

- ``regex``: a regular expression in RE2 syntax (``contract/linregex.py``: matched in time
  linear in the text, so a pattern like ``(a+)+$`` cannot hang the gate; checked when the
  contract is validated, so a typo or a backreference is a contract error, not a crash
  mid-run) searched in the text of every selected file; ``flags`` adds
  ``ignorecase``/``multiline``/``dotall`` (``ascii`` is accepted, RE2 classes are ASCII).
- ``call``: a call pattern over the Python facts (``db.create_all``, ``requests.*``,
  ``*.create_all``), matched with shell wildcards against the callee as written and as
  resolved through imports, so ``call: flask_cors.CORS`` also finds ``CORS(app)`` after
  ``from flask_cors import CORS``.

By default every match is a finding (a forbidden pattern). With ``must_exist: true`` the
rule is inverted: the selected files must contain at least one match (a required pattern,
e.g. a security header being set). The invariant's own ``message`` says what the rule means;
the messages here only say what matched and where. Empty regex matches are ignored: a pattern
that can match nothing would otherwise report every position of every file.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from truthgate.contract.linregex import FLAGS, LinearRegex, RegexError, compile_linear
from truthgate.verify.kinds.base import CheckContext, InvariantKind, Violation

_NEWLINE = re.compile("\n")
_SHOWN = 80  # longest matched text quoted in a message


@dataclass(frozen=True)
class Params:
    regex: LinearRegex | None = None
    call: str = ""
    must_exist: bool = False


def parse_params(raw: Mapping[str, Any]) -> Params:
    """Compile ``regex`` with its ``flags``, or take ``call``; exactly one must be given."""
    regex, call = raw.get("regex"), raw.get("call")
    if (regex is None) == (call is None):
        raise ValueError("give exactly one of 'regex' or 'call'")
    must_exist = bool(raw.get("must_exist", False))
    if call is not None:
        if not isinstance(call, str) or not call.strip():
            raise ValueError("'call' must be a non-empty callee such as db.create_all")
        if raw.get("flags"):
            raise ValueError("'flags' apply to 'regex' only")
        return Params(call=call.strip(), must_exist=must_exist)
    flags = tuple(raw.get("flags", ()) or ())
    try:
        compiled = compile_linear(str(regex), flags)
    except RegexError as exc:
        raise ValueError(f"invalid regex {regex!r}: {exc}") from exc
    return Params(regex=compiled, must_exist=must_exist)


def _shown(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= _SHOWN else one_line[: _SHOWN - 1] + "…"


def _regex_hits(ctx: CheckContext, regex: LinearRegex) -> Iterable[Violation]:
    for facts in ctx.files:
        text = ctx.read_text(facts.path)
        if not text:
            continue
        starts: list[int] | None = None  # line start offsets, built on the first match only
        for match in regex.finditer(text):
            if match.end() == match.start():
                continue
            if starts is None:
                starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]
            line = bisect.bisect_right(starts, match.start())
            end_line = bisect.bisect_right(starts, match.end() - 1)
            yield Violation(
                facts.path,
                f"matches /{regex.pattern}/: {_shown(match.group(0))!r}",
                line=line,
                col=match.start() - starts[line - 1] + 1,
                end_line=end_line,
                end_col=match.end() - starts[end_line - 1] + 1,
                key=match.group(0)[:200],
            )


def _call_hits(ctx: CheckContext, pattern: str) -> Iterable[Violation]:
    for facts in ctx.files:
        for call in facts.calls:
            if fnmatchcase(call.name, pattern) or fnmatchcase(call.qualname, pattern):
                shown = f"{call.name}()"
                if call.qualname != call.name:
                    shown += f" ({call.qualname})"
                yield Violation(
                    facts.path,
                    f"calls {shown}, matching {pattern}",
                    line=call.line,
                    col=call.col,
                    end_line=call.end_line,
                    end_col=call.end_col,
                    key=call.qualname,
                )


def check(ctx: CheckContext, params: Params) -> Iterable[Violation]:
    """Every match (forbidden mode), or one violation when nothing matches (must_exist)."""
    hits = _regex_hits(ctx, params.regex) if params.regex else _call_hits(ctx, params.call)
    if not params.must_exist:
        yield from hits
        return
    if next(iter(hits), None) is not None:
        return
    what = f"/{params.regex.pattern}/" if params.regex else f"a call to {params.call}"
    # No file to point at: the finding is about the whole selection, so it names the one
    # selected file when there is exactly one, the repository root otherwise.
    where = ctx.files[0].path if len(ctx.files) == 1 else "."
    yield Violation(
        where,
        f"required pattern {what} not found in {len(ctx.files)} selected file(s)",
        key="missing",
    )


_SCHEMA: dict[str, Any] = {
    "properties": {
        "regex": {
            "description": "A regular expression (RE2 syntax: matched in linear time, no "
            "backreferences or lookaround) searched in each selected file; each match is a "
            "finding (or, with must_exist, at least one must match).",
            "type": "string",
            "format": "linear-regex",
            "minLength": 1,
        },
        "flags": {
            "description": "Regex flags: ignorecase, multiline, dotall, ascii (a no-op: "
            "RE2's classes are ASCII).",
            "type": "array",
            "items": {"enum": sorted(FLAGS)},
        },
        "call": {
            "description": "A callee pattern over Python files, e.g. 'db.create_all', "
            "'*.create_all', 'requests.*'; matched against the name as written and as "
            "resolved through imports.",
            "type": "string",
            "minLength": 1,
        },
        "must_exist": {
            "description": "Invert the rule: the pattern must match at least once in the "
            "selected files (default false).",
            "type": "boolean",
        },
    },
}

KIND = InvariantKind(
    name="pattern",
    summary="A user rule: a regex or a call pattern that must not (or must) appear.",
    why="Every product has promises no generic checker knows ('never call the payment API "
    "directly', 'every response sets the CSP header'); a rule in the contract keeps them.",
    hint="Remove or rewrite the matching code, as the invariant's message explains.",
    params_schema=_SCHEMA,
    parse_params=parse_params,
    check=check,
    default_paths=("**/*.py",),
    example="""\
- id: no-breakpoints
  kind: pattern
  regex: '^\\s*breakpoint\\(\\)'
  flags: [multiline]
  message: "breakpoint() left in the code"
- id: no-create-all
  kind: pattern
  call: "*.create_all"
  exclude: ["migrations/**", "tests/**"]
""",
)
