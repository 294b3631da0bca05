"""env_contract: the code, the contract's ``env`` section and the example file agree.

Env var reads come from the facts: ``os.environ[...]`` / ``.get`` / ``os.getenv`` and their
``from os import ...`` forms, pydantic ``BaseSettings`` fields (compared case-insensitively,
as pydantic reads them), and calls to the contract's ``env.accessors`` (plus this invariant's
``accessors``) whose first argument is a string literal. A read whose name is not a literal
cannot be checked and is skipped. Findings:

* a var read in code but declared neither ``required`` nor ``optional`` (``ignore`` globs
  such as ``PYTHON*`` exempt names);
* a ``forbidden`` var read in code, or present in the example file;
* (a warning) an example-file entry that no code reads and the contract does not declare:
  dead configuration;
* a ``required`` var, or a ``secret`` one whatever its requiredness, missing from the
  example file (``env.example_file``; no example file named means these checks are off; a
  named one that does not exist is one finding): reported where the code first reads it,
  the other reads and the example file as related locations; on the example file when no
  code reads it;
* a ``secret`` var with a literal, non-empty default in code (``os.getenv("SECRET_KEY",
  "dev-key")``, ``os.getenv("SECRET_KEY") or "dev-key"``, ``os.environ["SECRET_KEY"] if
  "SECRET_KEY" in os.environ else "dev-key"`` — a conditional whose test names the same var —,
  a settings field ``secret_key: str = "dev"``) — *any* such value counts,
  ``"change-me"`` included, because the app then runs with it when the var is unset;
* a ``secret`` var whose example-file value looks real: only placeholders are allowed there
  (empty, ``changeme``, ``changethis``, ``secret``, ``password``, ``xxx``, ``your-...-here``,
  ``<...>`` or ``${...}`` anywhere, a URL whose password is one of these, or one of the
  contract's ``env.placeholders``).

The example file is read as ``KEY=VALUE`` lines; blank lines, ``#`` comments, an ``export``
prefix, surrounding quotes and unquoted `` # comment`` tails are handled.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from truthgate.verify.facts import FileFacts
from truthgate.verify.kinds._secrets import is_literal, is_placeholder, str_tuple
from truthgate.verify.kinds.base import CheckContext, InvariantKind, Violation

_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$")


@dataclass(frozen=True)
class Params:
    """Extra accessors, names exempt from declaration, and an example-file override."""

    accessors: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    example_file: str = ""


@dataclass(frozen=True)
class Read:
    """One env var read in code, whatever its form."""

    name: str
    path: str
    line: int
    col: int
    default: object  # the literal default; None when absent or not a literal
    case_insensitive: bool = False


def parse_params(raw: Mapping[str, Any]) -> Params:
    """Read ``accessors``, ``ignore`` (fnmatch globs) and ``example_file``."""
    example = raw.get("example_file", "")
    if not isinstance(example, str):
        raise ValueError("env_contract: example_file must be a string")
    return Params(str_tuple(raw, "accessors"), str_tuple(raw, "ignore"), example.strip())


def _reads(facts: FileFacts, accessors: frozenset[str]) -> Iterator[Read]:
    for r in facts.env_reads:
        if is_literal(r.name):
            default = r.default if r.has_default and is_literal(r.default) else None
            yield Read(r.name, facts.path, r.line, r.col, default)
    for f in facts.settings_fields:
        default = f.default if f.has_default and is_literal(f.default) else None
        yield Read(f.env_name, facts.path, f.line, f.col, default, case_insensitive=True)
    for call in facts.calls:
        if not accessors.intersection((call.name, call.qualname)) or not call.args:
            continue
        first = call.args[0]
        if isinstance(first, str) and is_literal(first):
            value = call.args[1] if len(call.args) > 1 else dict(call.kwargs).get("default")
            default = value if is_literal(value) else None
            yield Read(first, facts.path, call.line, call.col, default)


def parse_example(text: str) -> dict[str, tuple[int, str]]:
    """KEY -> (line, value) of an env example file (the first occurrence wins)."""
    out: dict[str, tuple[int, str]] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        match = _LINE.match(raw)
        if not match or raw.lstrip().startswith("#"):
            continue
        value = match.group(2).strip()
        if value[:1] in ("'", '"') and value[:1] in value[1:]:
            value = value[1 : value.index(value[0], 1)]
        else:
            value = re.split(r"\s+#", value, maxsplit=1)[0].strip()
        out.setdefault(match.group(1), (number, value))
    return out


def _code_violations(ctx: CheckContext, params: Params) -> Iterator[Violation]:
    env = ctx.contract.env
    declared = {v.name for v in env.declared}
    declared_ci = {n.upper() for n in declared}
    forbidden = {v.name for v in env.forbidden}
    forbidden_ci = {n.upper() for n in forbidden}
    secrets = {n.upper() for n in env.secret_names}
    accessors = frozenset(env.accessors + params.accessors)
    for facts in ctx.files:
        for r in sorted(_reads(facts, accessors), key=lambda r: (r.line, r.col)):
            name_ci = r.name.upper() if r.case_insensitive else r.name
            if r.name in forbidden or (r.case_insensitive and name_ci in forbidden_ci):
                yield Violation(r.path, f"forbidden env var {r.name} is read", r.line, r.col,
                                key=f"forbidden:{r.name}")
                continue
            known = name_ci in declared_ci if r.case_insensitive else r.name in declared
            if not known and not any(fnmatch.fnmatchcase(r.name, g) for g in params.ignore):
                yield Violation(r.path, f"env var {r.name} is read but not declared in the "
                                "contract", r.line, r.col, key=f"undeclared:{r.name}")
            if r.name.upper() in secrets and r.default not in (None, ""):
                yield Violation(r.path, f"secret env var {r.name} has a hard-coded default",
                                r.line, r.col, key=f"secret-default:{r.name}",
                                secret=str(r.default))


def _all_reads(ctx: CheckContext, params: Params) -> dict[str, list[Read]]:
    """NAME (upper-cased for settings fields) -> its reads in code, in file/line order."""
    accessors = frozenset(ctx.contract.env.accessors + params.accessors)
    out: dict[str, list[Read]] = {}
    for facts in ctx.files:
        for r in sorted(_reads(facts, accessors), key=lambda r: (r.line, r.col)):
            out.setdefault(r.name.upper() if r.case_insensitive else r.name, []).append(r)
    return out


def _missing(name: str, what: str, path: str, reads: Mapping[str, list[Read]]) -> Violation:
    """A declared var the example file omits: at its first read when the code reads it."""
    found = reads.get(name) or reads.get(name.upper()) or []
    key = f"example-missing:{name}"
    if not found:
        return Violation(path, f"{what} {name} is missing from {path}", key=key)
    first, rest = found[0], found[1:]
    related = (*((r.path, r.line, f"{name} is also read here") for r in rest),
               (path, 0, f"the example file, which has no {name} entry"))
    return Violation(first.path, f"{what} {name} is read here ({first.path}:{first.line}) "
                     f"but missing from {path}", first.line, first.col, key=key,
                     related=related)


def _example_violations(ctx: CheckContext, path: str, reads: Mapping[str, list[Read]],
                        ignore: tuple[str, ...] = ()) -> Iterator[Violation]:
    env = ctx.contract.env
    text = ctx.read_text(path)
    if text is None:
        yield Violation(path, f"env example file {path} does not exist", key="example-missing")
        return
    entries = parse_example(text)
    for var in env.required:
        if var.name not in entries:
            yield _missing(var.name, "required env var", path, reads)
    for var in env.optional:
        if var.secret and var.name not in entries:
            yield _missing(var.name, "optional secret env var", path, reads)
    declared = {v.name for v in (*env.declared, *env.forbidden)}
    for name, (line, _) in entries.items():
        if name in declared or name in reads or name.upper() in reads or any(
                fnmatch.fnmatchcase(name, g) for g in ignore):
            continue
        yield Violation(path, f"{name} in {path} is neither read by the code nor declared in "
                        "the contract (dead configuration?)", line, 1,
                        key=f"example-dead:{name}", severity="warning",
                        hint="Remove the entry, or declare it under env.optional when "
                             "something other than this code reads it (a container, a tool).")
    for var in env.forbidden:
        if var.name in entries:
            yield Violation(path, f"forbidden env var {var.name} appears in {path}",
                            entries[var.name][0], 1, key=f"example-forbidden:{var.name}")
    for var in env.declared:
        if var.secret and var.name in entries and not is_placeholder(
            entries[var.name][1], env.placeholders
        ):
            yield Violation(path, f"secret env var {var.name} has a real-looking value in "
                            f"{path}", entries[var.name][0], 1, key=f"example-secret:{var.name}",
                            secret=entries[var.name][1])


def check(ctx: CheckContext, params: Params) -> Iterable[Violation]:
    """Undeclared/forbidden reads, secret defaults, and example-file drift."""
    yield from _code_violations(ctx, params)
    example = params.example_file or ctx.contract.env.example_file
    if example:
        yield from _example_violations(ctx, example, _all_reads(ctx, params), params.ignore)


KIND = InvariantKind(
    name="env_contract",
    summary="Every env var read is declared; the example file and secrets follow the contract.",
    why=(
        "Undeclared variables are discovered in production as crashes or silent defaults; a "
        "secret with a default in code runs production with a known key when it is unset."
    ),
    hint=(
        "Declare the variable under env.required/optional (secret: true for credentials), list "
        "required ones in the example file with placeholder values, and read secrets without "
        "a default."
    ),
    params_schema={
        "properties": {
            "accessors": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "description": "Extra functions that read an env var by its first argument "
                "(added to env.accessors), e.g. 'config.env'.",
            },
            "ignore": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "description": "fnmatch globs of env var names that need no declaration, "
                "e.g. 'PYTEST_*'.",
            },
            "example_file": {
                "type": "string",
                "format": "repo-path",
                "description": "Example env file to check instead of env.example_file.",
            },
        }
    },
    parse_params=parse_params,
    check=check,
    default_paths=("**/*.py",),
    default_exclude=("tests/**", "**/tests/**"),
    example=(
        "# env: {required: [{name: SECRET_KEY, secret: true}], example_file: .env.example}\n"
        "- id: env-contract\n"
        "  kind: env_contract\n"
        "  ignore: ['PYTEST_*']\n"
    ),
)
