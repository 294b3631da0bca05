"""Per-file facts: what the invariant kinds need to know about one file, extracted once.

Walking an AST costs about as much as parsing it, so each Python file is parsed once and a
single visitor pass records everything every AST-based invariant needs. Facts are plain,
picklable data (they cross process boundaries and live in the cache); kinds never see an AST.

A literal value is kept as the Python value when ``ast.literal_eval`` would accept it and it is
small (str, bytes shown as str, int, float, bool, None, and lists/tuples/sets/dicts of those);
anything else is the ``NOT_LITERAL`` marker string.
"""

from __future__ import annotations

from dataclasses import dataclass

NOT_LITERAL = "<not-a-literal>"

# Version of the facts format: bump when a field changes so stale cache entries are dropped.
FACTS_VERSION = 5  # 5: Python files decoded by their PEP 263 coding declaration


@dataclass(frozen=True)
class ImportFact:
    """One imported module. ``from a.b import c`` gives module='a.b', names=('c',)."""

    module: str  # as written, without leading dots ('' for 'from . import x')
    names: tuple[str, ...]  # imported names for 'from' imports, () for plain 'import'
    level: int  # relative import level (number of leading dots)
    line: int
    col: int
    alias: str = ""  # 'import a.b as c' -> 'c'
    is_from: bool = False
    type_checking: bool = False  # inside 'if TYPE_CHECKING:' / 'if typing.TYPE_CHECKING:'
    in_function: bool = False  # inside a def / lambda body (a lazy import)


@dataclass(frozen=True)
class KeywordFallback:
    """A keyword argument whose non-literal value falls back to a non-empty string literal.

    ``connect(password=os.getenv("DB_PW") or "dev")`` gives keyword 'password', fallback
    'dev' and the (line, col) of the calls and subscripts the literal stands in for, as
    ``AssignFact.fallback_sources`` (see ``literals.value_fallback``).
    """

    keyword: str
    fallback: str
    sources: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class CallFact:
    """One call expression.

    ``name`` is the callee as written ('db.create_all', 'app.run', 'CORS');
    ``qualname`` resolves the first segment through the file's imports
    ('from flask_cors import CORS' makes 'CORS' -> 'flask_cors.CORS';
    'import requests as r' makes 'r.get' -> 'requests.get'); equal to ``name`` when unresolved.
    Calls on call results ('Flask(__name__).run()') get name '?.run'.
    """

    name: str
    qualname: str
    line: int
    col: int
    end_line: int
    end_col: int
    # Positional args as literals (or NOT_LITERAL, or '<name:X>' for a bare Name X).
    args: tuple[object, ...]
    kwargs: tuple[tuple[str, object], ...]  # keyword args as literals ('**' for **kwargs)
    arg_names: tuple[str, ...]  # every Name id and Attribute tail referenced anywhere in the args
    in_function: bool = False
    in_main_guard: bool = False  # inside 'if __name__ == "__main__":'
    kwarg_fallbacks: tuple[KeywordFallback, ...] = ()


@dataclass(frozen=True)
class AssignFact:
    """An assignment (or annotated assignment, or keyword default) of a value to a name.

    ``target`` is dotted as written: 'SECRET_KEY', 'app.secret_key', 'settings.cors_origins',
    and for subscripts with a constant key 'app.config[SECRET_KEY]'. ``name`` is the last
    segment ('SECRET_KEY', 'secret_key', 'cors_origins'); for 'app.config["SECRET_KEY"]' it is
    'SECRET_KEY'. Class-level fields are recorded too, with ``class_name`` set.

    ``fallback`` is the non-empty string literal a non-literal value falls back to
    (``src or "dev"``, ``os.getenv("K", "dev")``, ``cfg.get("k", "dev")``,
    ``src if src else "dev"``; see ``literals.value_fallback``), None when there is none.
    ``fallback_sources`` are the (line, col) of the calls and subscripts it stands in for, at
    the positions env reads are recorded, so a kind can tell an env fallback from another.
    """

    target: str
    name: str
    value: object  # literal or NOT_LITERAL
    line: int
    col: int
    class_name: str = ""
    in_function: bool = False
    fallback: str | None = None
    fallback_sources: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class EnvRead:
    """A read of an environment variable.

    Recognised: os.environ['X'], os.environ.get('X'[, d]), os.getenv('X'[, d]),
    environ.get / environ[...] after 'from os import environ', getenv after
    'from os import getenv', and os.environ.setdefault('X', d).
    ``default`` is the literal default (NOT_LITERAL when an expression, None when absent and
    ``has_default`` False). A read that is an operand of ``or`` followed by a non-empty string
    literal (``os.getenv('X') or 'dev'``), or a branch of a conditional whose test names the
    same variable and whose other branch is such a literal (``os.environ['X'] if 'X' in
    os.environ else 'dev'``), has that literal as its default, the value the code runs with
    when the variable is unset. ``name`` is NOT_LITERAL when the key is not a string literal.
    """

    name: str
    line: int
    col: int
    accessor: str  # 'os.environ[]', 'os.environ.get', 'os.getenv', ...
    has_default: bool = False
    default: object = None


@dataclass(frozen=True)
class SettingsField:
    """A field of a pydantic ``BaseSettings`` subclass: an env var read by name."""

    class_name: str
    field: str
    env_name: str  # env_prefix + field, upper-cased unless case_sensitive
    line: int
    col: int
    has_default: bool
    default: object


@dataclass(frozen=True)
class MainGuard:
    line: int
    col: int


@dataclass(frozen=True)
class SuppressionComment:
    """'# truthgate: ignore[kind-or-id, ...] reason' on ``line``."""

    line: int
    rules: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class StringFact:
    """A string literal worth remembering (today: URLs carrying credentials)."""

    value: str
    line: int
    col: int


@dataclass(frozen=True)
class FileFacts:
    """Everything known about one file after one read (and one parse, for Python)."""

    path: str  # posix path relative to the repository root
    size: int
    sha256: str
    line_count: int
    is_python: bool
    # Why the file could not be read as text or parsed: '' when fine.
    # One of: 'binary', 'non-utf8', 'unreadable', 'syntax', 'too-deep', 'too-large'.
    problem: str = ""
    problem_detail: str = ""
    problem_line: int = 0
    problem_col: int = 0
    module: str = ""  # dotted module name for Python files ('' when not importable)
    is_package_init: bool = False
    imports: tuple[ImportFact, ...] = ()
    calls: tuple[CallFact, ...] = ()
    assigns: tuple[AssignFact, ...] = ()
    env_reads: tuple[EnvRead, ...] = ()
    settings_fields: tuple[SettingsField, ...] = ()
    main_guards: tuple[MainGuard, ...] = ()
    suppressions: tuple[SuppressionComment, ...] = ()
    credential_urls: tuple[StringFact, ...] = ()
