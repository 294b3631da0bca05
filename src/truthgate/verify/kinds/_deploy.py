"""What deploy files start: the readers behind ``single_entrypoint``'s deploy-file check.

Each reader yields a ``Launch`` per way a file starts the product: ``Dockerfile*``
``CMD``/``ENTRYPOINT`` (exec and shell forms; an exec ENTRYPOINT is joined with the CMD of its
stage), ``Procfile`` ``web:`` lines, ``render.yaml`` ``startCommand`` of web services,
``docker-compose*.yml``/``compose.yml`` ``command``/``entrypoint`` of every service, and
``pyproject.toml`` ``[project.scripts]`` / ``[tool.poetry.scripts]``.

A command is reduced to what it starts (a ``Target``): ``python main.py`` -> file ``main.py``;
``python -m app.main``, ``uvicorn app.main:app``, ``gunicorn app.main:app`` (and the other
``SERVERS``, also via ``python -m``) -> module ``app.main``. Wrappers, ``VAR=x`` prefixes,
``sh -c "..."`` and ``cd dir && ...`` are followed; anything unreadable here yields nothing.
"""

from __future__ import annotations

import json
import posixpath
import re
import shlex
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from truthgate.verify.kinds.base import CheckContext

SERVERS = frozenset({"uvicorn", "gunicorn", "hypercorn", "daphne", "waitress-serve", "granian"})
_PYTHON = re.compile(r"^(python|pypy)[0-9.]*$")
_SHELLS = frozenset({"sh", "bash", "/bin/sh", "/bin/bash", "dash", "zsh"})
# Server options whose value is the next token (so it is never mistaken for the app).
_VALUED = frozenset((
    "-b", "--bind", "-w", "--workers", "-k", "--worker-class", "-c", "--config", "--host",
    "--port", "-p", "--log-level", "-t", "--timeout", "--threads", "--chdir", "--app-dir",
    "--env-file", "--log-config", "--root-path", "--uds", "--fd", "--access-logfile",
    "--error-logfile", "--log-file", "--forwarded-allow-ips", "--keep-alive", "--name", "-n",
    "--user", "-u", "--group", "-g", "--interface", "--loop", "--http", "--ws", "--lifespan",
    "--backlog", "--certfile", "--keyfile", "--ssl-keyfile", "--ssl-certfile", "-e", "--env",
    "--listen", "--max-requests",
))
_APP_SPEC = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*(\(.*\))?$")

Target = tuple[str, str]  # ('file', 'app/main.py') or ('module', 'app.main')


# -- commands -------------------------------------------------------------------------------
def _server_target(args: list[str]) -> Target | None:
    positional: list[str] = []
    skip = False
    for tok in args:
        if skip:
            skip = False
        elif tok.startswith("-"):
            skip = tok in _VALUED
        else:
            positional.append(tok)
    for tok in positional:
        if _APP_SPEC.match(tok):
            return ("module", tok.split(":", 1)[0])
    return ("module", positional[0]) if positional else None


def _python_target(args: list[str]) -> Target | None:
    it = iter(args)
    for tok in it:
        if tok == "-m":
            module = next(it, "")
            return _server_target(list(it)) if module in SERVERS else ("module", module)
        if tok == "-c":
            return None  # inline code: nothing to resolve
        if tok in ("-X", "-W"):
            next(it, None)
        elif not tok.startswith("-"):
            return ("file", tok)
    return None


def _launch(tokens: list[str]) -> Target | None:
    """What one simple command starts, when it starts Python (None when not, or unreadable)."""
    for i, tok in enumerate(tokens):
        base = tok.rsplit("/", 1)[-1]
        if _PYTHON.match(base):
            return _python_target(tokens[i + 1 :])
        if base in SERVERS:
            return _server_target(tokens[i + 1 :])
    return None


def _tokens(text: str) -> list[str]:
    """Shell words of a command line, with '&&', '||', ';', '|' as words of their own."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars="&|;")
    lexer.whitespace_split = True
    try:
        return list(lexer)
    except ValueError:  # unbalanced quotes: a rough split beats no answer
        return text.split()


def _run(tokens: list[str], workdir: str) -> tuple[str, Target | None]:
    """(working dir, target) of an argv or shell word list; ``cd`` moves the directory."""
    segment: list[str] = []
    for tok in [*tokens, ";"]:
        if tok and set(tok) <= set("&|;"):
            if len(segment) >= 2 and segment[0] == "cd":
                workdir = posixpath.normpath(posixpath.join(workdir, segment[1].lstrip("/")))
                workdir = "" if workdir == "." else workdir
            elif segment:
                shell = next((i for i, t in enumerate(segment) if t in _SHELLS), -1)
                if shell >= 0 and "-c" in segment[shell:]:
                    script = segment[segment.index("-c", shell) + 1 :]
                    return _run(_tokens(script[0]), workdir) if script else (workdir, None)
                target = _launch(segment)
                if target:
                    return workdir, target
            segment = []
        else:
            segment.append(tok)
    return workdir, None


def candidates(target: Target, dirs: tuple[str, ...]) -> set[str]:
    """Repository paths a target may be, relative to each of ``dirs`` (and under src/)."""
    kind, value = target
    if kind == "file":
        rel = value.lstrip("/")
        parts = rel.split("/")
        stems = {"/".join(parts[i:]) for i in range(len(parts))} if value.startswith("/") else {rel}
    else:
        mod = value.replace(".", "/")
        stems = {f"{mod}.py", f"{mod}/__init__.py", f"{mod}/__main__.py"}
        stems |= {f"src/{s}" for s in stems}
    out = set()
    for d in dirs:
        out |= {posixpath.normpath(posixpath.join(d, s)) for s in stems}
    return out


# -- deploy files ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Launch:
    """One way a deploy file starts the product."""

    source: str  # e.g. 'Dockerfile CMD', 'Procfile web'
    line: int
    workdir: str
    target: Target


def _argv(tokens: list[str], base: str, source: str, line: int) -> Iterator[Launch]:
    workdir, target = _run(tokens, base)
    if target:
        yield Launch(source, line, workdir, target)


def _dockerfile(text: str, base: str) -> Iterator[Launch]:
    stage: dict[str, tuple[int, list[str]]] = {}
    buf, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not buf and raw.lstrip().startswith("#"):
            continue
        start = start or number
        buf += raw.rstrip()
        if buf.endswith("\\"):  # a continued instruction: join it with the next line
            buf = buf[:-1] + " "
            continue
        word, _, rest = buf.strip().partition(" ")
        buf, first, word = "", start, word.upper()
        start = 0
        if word == "FROM":
            yield from _docker_stage(stage, base)
            stage = {}
        elif word in ("CMD", "ENTRYPOINT"):
            stage[word] = (first, _docker_argv(rest))
    yield from _docker_stage(stage, base)


def _docker_argv(rest: str) -> list[str]:
    """The argv of an exec-form instruction, or sh -c for the shell form."""
    if rest.lstrip().startswith("["):
        try:
            value = json.loads(rest)
            if isinstance(value, list):
                return [str(v) for v in value]
        except ValueError:
            pass
    return ["/bin/sh", "-c", rest]


def _docker_stage(stage: dict[str, tuple[int, list[str]]], base: str) -> Iterator[Launch]:
    entry, cmd = stage.get("ENTRYPOINT"), stage.get("CMD")
    if entry:
        # Docker appends CMD to an exec-form ENTRYPOINT; a shell-form one ignores CMD.
        exec_form = entry[1][:2] != ["/bin/sh", "-c"]
        tokens = entry[1] + (cmd[1] if cmd and exec_form else [])
        found = list(_argv(tokens, base, "Dockerfile ENTRYPOINT", entry[0]))
        if found:
            yield from found
            return
    if cmd:
        yield from _argv(cmd[1], base, "Dockerfile CMD", cmd[0])


def _yaml_commands(text: str, kind: str, base: str) -> Iterator[Launch]:
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return
    services = _child(root, "services")
    items = services.value if isinstance(services, (yaml.SequenceNode, yaml.MappingNode)) else []
    for item in items:
        node = item[1] if isinstance(item, tuple) else item
        if kind == "render":
            stype = _child(node, "type")
            if stype is not None and getattr(stype, "value", "") != "web":
                continue
            keys: tuple[str, ...] = ("startCommand",)
        else:
            keys = ("entrypoint", "command")
        for key in keys:
            value = _child(node, key)
            if isinstance(value, yaml.ScalarNode):
                tokens = _tokens(str(value.value))
            elif isinstance(value, yaml.SequenceNode):
                tokens = [str(v.value) for v in value.value]
            else:
                continue
            yield from _argv(tokens, base, f"{kind} {key}", value.start_mark.line + 1)


def _child(node: Any, key: str) -> Any:
    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if getattr(k, "value", None) == key), None)


def _pyproject(text: str, base: str) -> Iterator[Launch]:
    scripts: dict[str, str] = {}
    try:
        if sys.version_info >= (3, 11):
            import tomllib

            data = tomllib.loads(text)
            for table in (data.get("project", {}), data.get("tool", {}).get("poetry", {})):
                scripts.update({k: v for k, v in table.get("scripts", {}).items()
                                if isinstance(v, str)})
        else:  # pragma: no cover - 3.10 has no tomllib
            raise ValueError
    except ValueError:
        section = ""
        for raw in text.splitlines():  # tolerant fallback: the two tables, key = "value"
            stripped = raw.strip()
            if stripped.startswith("["):
                section = stripped.strip("[] ")
            elif section in ("project.scripts", "tool.poetry.scripts") and "=" in stripped:
                key, _, value = stripped.partition("=")
                scripts[key.strip().strip("\"'")] = value.strip().strip("\"'")
    lines = text.splitlines()
    for name, spec in scripts.items():
        pattern = re.compile(rf"^\s*[\"']?{re.escape(name)}[\"']?\s*=")
        line = next((i for i, raw in enumerate(lines, 1) if pattern.match(raw)), 0)
        module = spec.split(":", 1)[0].strip()
        if module:
            yield Launch(f"pyproject.toml script {name!r}", line, base, ("module", module))


def launches(ctx: CheckContext) -> Iterator[tuple[str, Launch]]:
    """(deploy file, launch) for every way a deploy file of the repository starts Python."""
    for facts in ctx.all_files:
        base = posixpath.dirname(facts.path)
        name = posixpath.basename(facts.path)
        lowered = name.lower()
        if lowered.startswith("dockerfile") or lowered.endswith(".dockerfile"):
            reader: Iterable[Launch] = _dockerfile(ctx.read_text(facts.path) or "", base)
        elif name == "Procfile":
            reader = (
                launch
                for number, raw in enumerate((ctx.read_text(facts.path) or "").splitlines(), 1)
                if raw.strip().startswith("web:")
                for launch in _argv(_tokens(raw.split(":", 1)[1]), base, "Procfile web", number)
            )
        elif name in ("render.yaml", "render.yml"):
            reader = _yaml_commands(ctx.read_text(facts.path) or "", "render", base)
        elif re.match(r"^(docker-)?compose.*\.ya?ml$", name):
            reader = _yaml_commands(ctx.read_text(facts.path) or "", "compose", base)
        elif name == "pyproject.toml":
            reader = _pyproject(ctx.read_text(facts.path) or "", base)
        else:
            continue
        for launch in reader:
            yield facts.path, launch
