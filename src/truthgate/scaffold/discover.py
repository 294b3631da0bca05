"""What an existing repository already says about itself: entrypoints, env vars, kb files.

Env vars come from the code outside tests (``scaffold.entry.is_test_path``): a var is
*required* when some read fails without it (``os.environ["X"]`` outside an ``if``/``try``, a
pydantic settings field with no default), otherwise optional; *secret* by the rule verify
uses (``verify.kinds._secrets.is_secret_name``). Vars of the example file (the first of
``EXAMPLE_NAMES``, else any ``.env*``/``*env*`` sample at the root) are added as optional.
"""

from __future__ import annotations

import ast
import fnmatch
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from truthgate.safeio import read_regular
from truthgate.scaffold.entry import Choice, choose, is_django_manage, is_test_path
from truthgate.verify.kinds._secrets import is_secret_name as _verify_secret_name

_SKIP_DIRS = {
    "node_modules",
    "__pycache__",
    "venv",
    "env",
    "build",
    "dist",
    "site-packages",
    "htmlcov",
}
_MAX_FILES = 20000
# Words without which a file holds nothing init reads (a main guard, an env read, settings).
_WORTH_PARSING = (b"__main__", b"environ", b"getenv", b"Settings")
EXAMPLE_NAMES = (
    ".env.example", ".env.sample", ".env.template", ".env.dist", ".env.defaults",
    ".env.default", "env.example", "env.sample", "env.template", "example.env",
    "sample.env", "template.env", ".env.prod-sample", ".env.prod.example", ".env.production.example",
    ".env.local.example", ".env.example.local", ".env.dev-sample", ".env.dev.example",
)
_EXAMPLE_WORD = re.compile(r"(example|sample|template|dist|default)", re.IGNORECASE)


@dataclass(frozen=True)
class Discovery:
    """Facts found in a repository, ready to become a starter contract."""

    name: str
    entrypoint: str
    command: str
    other_entrypoints: tuple[str, ...]
    env_in_code: tuple[str, ...]  # required: read so that a missing value fails
    env_in_example: tuple[str, ...]
    example_file: str
    kb_files: tuple[str, ...]
    has_gitignore: bool
    env_optional_in_code: tuple[str, ...] = ()
    choice: Choice = field(default_factory=Choice)
    allowed_scripts: tuple[str, ...] = ()  # helper scripts deploy files run, tests with guards
    python: str = ""  # the project's Python ("3.12") and where it was read; "" unknown
    python_source: str = ""
    health_route: str = ""  # a health/liveness route the code declares ('' none seen)
    manifests: tuple[str, ...] = ()  # requirements files / pyproject with dependencies
    lock_files: tuple[str, ...] = ()

    @property
    def env_names(self) -> tuple[str, ...]:
        return tuple(
            sorted(set(self.env_in_code) | set(self.env_optional_in_code) | set(self.env_in_example))
        )


def is_secret_name(name: str) -> bool:
    """A variable whose value must never be printed or defaulted in code (verify's rule)."""
    return _verify_secret_name(name)


def _walk(root: Path) -> list[str]:
    """Every file below ``root`` (relative posix paths), dot-directories and tool dirs out."""
    out: list[str] = []
    for current, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS
                         and not os.path.islink(os.path.join(current, d)))
        rel = Path(current).relative_to(root).as_posix()
        for name in sorted(names):
            path = name if rel == "." else f"{rel}/{name}"
            if not os.path.islink(os.path.join(current, name)):
                out.append(path)
        if len(out) >= _MAX_FILES:
            break
    return out


def _guarded_lines(source: bytes) -> set[int]:
    """Lines of ``environ[...]`` subscripts inside an ``if``, a conditional or a ``try``."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.If, ast.IfExp, ast.Try, ast.While)):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Subscript):
                    out.add(inner.lineno)
    return out


def _settings_classes(sources: dict[str, bytes]) -> dict[str, bool]:
    """ENV_NAME -> has a default, for every pydantic settings class of the repository.

    verify's facts see a class deriving from ``BaseSettings`` in the same file; a project's
    ``class AppSettings(BaseAppSettings)`` with the base in another module is found here by
    following class names across files (fields upper-cased, with the class's env_prefix).
    """
    classes: dict[str, tuple[set[str], list[tuple[str, bool]], str]] = {}
    for source in sources.values():
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            bases = {b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "")
                     for b in node.bases}
            fields = [
                (item.target.id, item.value is not None)
                for item in node.body
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name)
                and not item.target.id.startswith("_") and item.target.id != "model_config"
                and "ClassVar" not in ast.unparse(item.annotation)
            ]
            found = re.search(r"env_prefix\s*[=:]\s*[\"']([^\"']*)[\"']", ast.unparse(node))
            classes[node.name] = (bases, fields, found.group(1) if found else "")
    settings = {"BaseSettings"}
    grew = True
    while grew:
        grew = False
        for name, (bases, _, _) in classes.items():
            if name not in settings and bases & settings:
                settings.add(name)
                grew = True
    out: dict[str, bool] = {}
    for name in settings - {"BaseSettings"}:
        _, fields, prefix = classes[name]
        for field_name, has_default in fields:
            env = (prefix + field_name).upper()
            out[env] = out.get(env, False) or has_default
    return out


def _test_glob(path: str) -> str:
    """The gitignore-style glob that allows a test file's kind: '**/tests/**', '**/tests.py'."""
    parts = path.split("/")
    for part in parts[:-1]:
        if re.match(r"^(tests?|testing|fixtures)$", part):
            return f"**/{part}/**"
    name = parts[-1]
    for pattern in ("test_*.py", "tests_*.py", "*_test.py", "*_tests.py"):
        if fnmatch.fnmatchcase(name, pattern):
            return f"**/{pattern}"
    return f"**/{name}"  # tests.py, conftest.py


def _example_file(files: set[str], entry: str) -> str:
    """The example env file: at the root, else in a directory above the entrypoint
    (``backend/.env.example`` for ``backend/app/main.py``)."""
    dirs = [""]
    parts = entry.split("/")[:-1]
    dirs += ["/".join(parts[: i + 1]) for i in range(min(len(parts), 2))]
    for d in dirs:
        inside = {f[len(d) + 1 :] if d else f for f in files
                  if (f.startswith(d + "/") if d else True)}
        for name in EXAMPLE_NAMES:
            if name in inside:
                return f"{d}/{name}" if d else name
        loose = sorted(
            (f for f in inside if "/" not in f and "env" in f.lower() and _EXAMPLE_WORD.search(f)
             and not f.endswith((".py", ".md", ".txt", ".yml", ".yaml", ".json", ".toml"))),
            key=lambda f: ("db" in f.lower(), "prod" not in f.lower(), f),
        )
        if loose:
            return f"{d}/{loose[0]}" if d else loose[0]
    return ""


def _example_vars(text: str) -> list[str]:
    from truthgate.verify.kinds.env_contract import parse_example

    return list(parse_example(text))


_MAX_READ = 8 << 20


def _text(path: Path) -> str:
    """A repository file's text; '' when it is not a readable regular file (FIFO, huge)."""
    try:
        return read_regular(path, _MAX_READ).decode("utf-8", "replace")
    except OSError:
        return ""


# Below this many files init is quick enough to stay silent.
PROGRESS_MIN_FILES = 2000
Progress = Callable[[int, int], None]  # (files read, files in all)


def discover(root: Path, progress: Progress | None = None) -> Discovery:
    """Read the repository once and collect what a starter contract needs; ``progress`` is
    told how far the read is (every 500 files, on trees of ``PROGRESS_MIN_FILES`` or more)."""
    from truthgate.verify.extract import extract_facts

    files = _walk(root)
    if len(files) < PROGRESS_MIN_FILES:
        progress = None
    guards: list[str] = []
    required: set[str] = set()
    optional: set[str] = set()
    settings_sources: dict[str, bytes] = {}
    health = ""
    for index, rel in enumerate(files):
        if progress is not None and index % 500 == 0:
            progress(index, len(files))
        if not rel.endswith(".py"):
            continue
        try:
            data = read_regular(root / rel, _MAX_READ)
        except OSError:
            continue
        if not health and not is_test_path(rel) and _HEALTH_HINT.search(data):
            found_route = _HEALTH_ROUTE.search(data)
            if found_route:
                health = "/" + found_route.group(1).decode("ascii", "replace").strip("/")
        if not any(word in data for word in _WORTH_PARSING):
            continue  # no main guard, env read or settings class can be in it: skip the parse
        facts = extract_facts(rel, data)
        if facts.main_guards:
            guards.append(rel)
        if is_test_path(rel):
            continue  # env reads of tests are the tests' business
        if b"Settings" in data and b"class " in data:
            settings_sources[rel] = data
        guarded: set[int] | None = None
        for r in facts.env_reads:
            if not isinstance(r.name, str) or not r.name or r.name.startswith("<"):
                continue
            if r.accessor.endswith("[]") and not r.has_default:
                if guarded is None:
                    guarded = _guarded_lines(data)
                (optional if r.line in guarded else required).add(r.name)
            else:
                optional.add(r.name)
        for f in facts.settings_fields:
            (optional if f.has_default else required).add(f.env_name)
    if progress is not None:
        progress(len(files), len(files))
    for env_name, has_default in _settings_classes(settings_sources).items():
        (optional if has_default else required).add(env_name)
    optional -= required

    def read(path: str) -> str | None:
        try:
            return read_regular(root / path, _MAX_READ).decode("utf-8", "replace")
        except OSError:
            return None

    choice = choose(files, read, guards)
    entry = choice.path
    names = set(files)
    example = _example_file(names, entry)
    env_example = _example_vars(read(example) or "") if example else []
    kb = tuple(sorted(f for f in files if f.startswith("kb/") and f.endswith(".md")
                      and f.count("/") == 1))
    legit = set(choice.helpers) | {g for g in guards if g != entry and (
        is_test_path(g) or is_django_manage(g, read))}
    default_allowed = ("scripts/", "tests/", "quarantine/")  # entrypoint.allow_main_guards
    others = tuple(g for g in guards if g != entry and g not in legit
                   and not g.startswith(default_allowed))
    # Tests are allowed by pattern (one glob for a whole test tree), scripts by name.
    allowed = tuple(sorted(
        {_test_glob(g) for g in legit if is_test_path(g) and not g.startswith("tests/")}
        | {g for g in legit if not is_test_path(g)}
    ))
    from truthgate.verify.pytarget import detect_target, dockerfiles_of, fmt

    target = detect_target(None, read, dockerfiles_of(files))
    return Discovery(
        name=root.resolve().name or "product",
        entrypoint=entry,
        command=choice.command or (f"python {entry}" if entry else ""),
        other_entrypoints=others,
        env_in_code=tuple(sorted(required)),
        env_in_example=tuple(env_example),
        example_file=example,
        kb_files=kb,
        has_gitignore=".gitignore" in names,
        env_optional_in_code=tuple(sorted(optional)),
        choice=choice,
        allowed_scripts=allowed,
        python=fmt(target.version) if target else "",
        python_source=target.source if target else "",
        health_route=health,
        manifests=tuple(f for f in files if _is_manifest(f, read)),
        lock_files=tuple(f for f in files if f.rsplit("/", 1)[-1] in _LOCK_NAMES),
    )


_LOCK_NAMES = frozenset({"uv.lock", "poetry.lock", "Pipfile.lock", "pdm.lock",
                         "requirements.lock"})
# A decorator or Django path() declaring a health/liveness route: '/health', '/healthz',
# '/api/v1/utils/health-check/', '/ping', '/livez', '/readyz'.
_HEALTH_HINT = re.compile(rb"health|/ping|livez|readyz")
_HEALTH_ROUTE = re.compile(
    rb"""(?:@\s*[\w.]+\.(?:get|route|api_route|head)\(\s*|\bre_path\(\s*r?|\bpath\(\s*)"""
    rb"""["']/?((?:[\w-]+/)*(?:health[\w-]*|healthz|ping|livez|readyz)/?)["']""")


def _is_manifest(path: str, read: Callable[[str], str | None]) -> bool:
    name = path.rsplit("/", 1)[-1]
    if path.count("/") > 2 or is_test_path(path):
        return False
    if name.startswith("requirements") and name.endswith(".txt"):
        return True
    if name == "pyproject.toml":
        text = read(path) or ""
        return bool(re.search(r"^\s*(dependencies\s*=|\[tool\.poetry\.dependencies\]|"
                              r"\[dependency-groups\])", text, re.M))
    return False
