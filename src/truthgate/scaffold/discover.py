"""What an existing repository already says about itself: entrypoints, env vars, kb files."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from truthgate.safeio import read_regular

_SKIP_DIRS = {
    ".git",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    ".tox",
    "build",
    "dist",
    ".truthgate_cache",
    "site-packages",
}
_ALLOWED_GUARD_DIRS = ("scripts", "tests", "test", "quarantine", "examples", "benchmarks")
_ENV_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=")
_SECRETISH = re.compile(
    r"(SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|PRIVATE_KEY|CREDENTIAL|DSN"
    r"|DATABASE_URL)",
    re.IGNORECASE,
)
_MAX_FILES = 5000


@dataclass(frozen=True)
class Discovery:
    """Facts found in a repository, ready to become a starter contract."""

    name: str
    entrypoint: str
    command: str
    other_entrypoints: tuple[str, ...]
    env_in_code: tuple[str, ...]
    env_in_example: tuple[str, ...]
    example_file: str
    kb_files: tuple[str, ...]
    has_gitignore: bool

    @property
    def env_names(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.env_in_code) | set(self.env_in_example)))


def is_secret_name(name: str) -> bool:
    """A variable whose value must never be printed or defaulted in code."""
    return bool(_SECRETISH.search(name))


def _python_files(root: Path) -> list[Path]:
    out: list[Path] = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).parts
        if any(part in _SKIP_DIRS for part in rel) or path.is_symlink():
            continue
        out.append(path)
        if len(out) >= _MAX_FILES:
            break
    return out


def _command_target(command: str) -> str:
    """The file a start command runs: 'python app/main.py' -> app/main.py, 'uvicorn a.b:app' -> a/b.py."""
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    for i, word in enumerate(words):
        if word.endswith(".py"):
            return word.lstrip("./")
        if word == "-m" and i + 1 < len(words):
            return words[i + 1].replace(".", "/") + ".py"
        if ":" in word and re.fullmatch(r"[\w.]+:[\w.()]+", word):
            return word.split(":")[0].replace(".", "/") + ".py"
    return ""


_MAX_READ = 8 << 20


def _text(path: Path) -> str:
    """A repository file's text; '' when it is not a readable regular file (FIFO, huge)."""
    try:
        return read_regular(path, _MAX_READ).decode("utf-8", "replace")
    except OSError:
        return ""


def _dockerfile_command(root: Path) -> str:
    path = root / "Dockerfile"
    if not path.is_file():
        return ""
    command = ""
    for line in _text(path).splitlines():
        m = re.match(r"\s*(CMD|ENTRYPOINT)\s+(.*)", line, re.IGNORECASE)
        if m:
            body = m.group(2).strip()
            command = " ".join(re.findall(r'"([^"]*)"', body)) if body.startswith("[") else body
    return command


def _procfile_command(root: Path) -> str:
    path = root / "Procfile"
    if not path.is_file():
        return ""
    for line in _text(path).splitlines():
        if line.startswith("web:"):
            return line[4:].strip()
    return ""


def discover(root: Path) -> Discovery:
    """Read the repository once and collect what a starter contract needs."""
    from truthgate.verify.extract import extract_facts

    guards: list[str] = []
    env_code: set[str] = set()
    for path in _python_files(root):
        rel = path.relative_to(root).as_posix()
        try:
            facts = extract_facts(rel, read_regular(path, _MAX_READ))
        except OSError:
            continue
        env_code.update(r.name for r in facts.env_reads if r.name and not r.name.startswith("<"))
        env_code.update(f.env_name for f in facts.settings_fields)
        if facts.main_guards and not rel.startswith(tuple(d + "/" for d in _ALLOWED_GUARD_DIRS)):
            guards.append(rel)
    command = _dockerfile_command(root) or _procfile_command(root)
    target = _command_target(command) if command else ""
    if target and not (root / target).is_file():
        target = ""
    preferred = [g for g in guards if Path(g).name in ("main.py", "app.py", "wsgi.py", "asgi.py")]
    entry = target or (preferred or guards or ["main.py"])[0]
    example = next(
        (
            n
            for n in (".env.example", ".env.sample", "example.env", ".env.template")
            if (root / n).is_file()
        ),
        "",
    )
    env_example: list[str] = []
    if example:
        for line in _text(root / example).splitlines():
            m = _ENV_LINE.match(line)
            if m:
                env_example.append(m.group(1))
    kb = (
        tuple(sorted(p.relative_to(root).as_posix() for p in (root / "kb").glob("*.md")))
        if (root / "kb").is_dir()
        else ()
    )
    return Discovery(
        name=root.resolve().name or "product",
        entrypoint=entry,
        command=command or f"python {entry}",
        other_entrypoints=tuple(g for g in guards if g != entry),
        env_in_code=tuple(sorted(env_code)),
        env_in_example=tuple(env_example),
        example_file=example,
        kb_files=kb,
        has_gitignore=(root / ".gitignore").is_file(),
    )
