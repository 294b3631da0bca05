"""What deploy files start: the readers behind ``single_entrypoint``'s deploy-file check.

Each reader yields a ``Launch`` per way a file starts the product: ``Dockerfile*``
``CMD``/``ENTRYPOINT`` (exec and shell forms; an exec ENTRYPOINT is joined with the CMD of its
stage), ``Procfile`` ``web:`` lines, ``render.yaml`` ``startCommand`` of web services,
``docker-compose*.yml``/``compose*.yaml``/``docker-stack*.yml`` ``command``/``entrypoint`` of
every service (relative to its ``build`` context), ``fly.toml`` ``[processes]`` and
``[experimental] cmd``, ``heroku.yml`` ``run: web``, App Engine ``app.yaml`` ``entrypoint``, systemd ``*.service``
``ExecStart=``, supervisor ``[program:x]`` ``command=`` and ``pyproject.toml``
``[project.scripts]`` / ``[tool.poetry.scripts]``.

Each command is reduced to what it starts (a ``Target``) by ``_launch.py``; anything
unreadable here yields nothing.
"""

from __future__ import annotations

import dataclasses
import json
import posixpath
import re
import shlex
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from truthgate.verify.kinds._launch import (
    _SHELLS,
    Target,
    _join,
    _run,
    _tokens,
    candidates,
    is_dev,
    uwsgi_ini_target,
)
from truthgate.verify.kinds.base import CheckContext


# -- deploy files ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Launch:
    """One way a deploy file starts the product."""

    source: str  # e.g. 'Dockerfile CMD', 'Procfile web'
    line: int
    workdir: str
    target: Target
    command: str = ""  # the simple command that starts it, as written
    dev: bool = False  # a development server (runserver, flask run, --reload)
    argv: tuple[str, ...] = ()  # every word of the instruction (an entry script's "$@")


def _argv(tokens: list[str], base: str, source: str, line: int) -> Iterator[Launch]:
    workdir, target, segment = _run(tokens, base)
    if target:
        yield Launch(source, line, workdir, target, shlex.join(segment), is_dev(segment),
                     tuple(tokens))
    else:
        program = _program(tokens)
        if program:
            # Nothing Python: kept as an 'exec' target so a caller can follow an entry script.
            yield Launch(source, line, base, ("exec", program), shlex.join(tokens), False,
                         tuple(tokens))


def _program(tokens: list[str]) -> str:
    """The program a non-Python command runs: './boot.sh', 'bash start.sh' -> the script."""
    for tok in tokens:
        if tok == "exec" or tok in _SHELLS or tok.startswith("-") or re.match(r"^\w+=", tok):
            continue
        if tok and set(tok) <= set("&|;"):
            return ""
        return tok
    return ""


def _dockerfile(text: str, base: str) -> Iterator[Launch]:
    stage: dict[str, tuple[int, list[str]]] = {}
    workdir = "/"  # the image's WORKDIR
    copies: list[tuple[str, str]] = []  # (repo path, image path) of each COPY/ADD
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
            yield from _docker_stage(stage, _repo_dir(workdir, copies, base))
            stage, workdir, copies = {}, "/", []
        elif word == "WORKDIR" and rest.strip():
            workdir = posixpath.normpath(posixpath.join(workdir, rest.strip().strip("\"'")))
        elif word in ("COPY", "ADD"):
            copies += _copies(rest, workdir)
        elif word in ("CMD", "ENTRYPOINT"):
            stage[word] = (first, _docker_argv(rest))
    yield from _docker_stage(stage, _repo_dir(workdir, copies, base))


def _copies(rest: str, workdir: str) -> list[tuple[str, str]]:
    """(source, image path) pairs of a COPY/ADD from the build context (not --from=stage)."""
    words = _docker_argv(rest)
    if words[:2] == ["/bin/sh", "-c"]:
        words = rest.split()
    if any(w.startswith("--from") for w in words):
        return []
    args = [w for w in words if not w.startswith("--")]
    if len(args) < 2:
        return []
    dest = posixpath.normpath(posixpath.join(workdir, args[-1]))
    return [(src, dest) for src in args[:-1] if "://" not in src]


def _repo_dir(workdir: str, copies: list[tuple[str, str]], base: str) -> str:
    """The repository directory the image's WORKDIR holds, by the COPY that put it there
    (``COPY . /srv`` + ``WORKDIR /srv/backend`` -> ``backend``); ``base`` when unknown."""
    best, found = -1, base
    for src, dest in copies:
        if workdir != dest and not workdir.startswith(dest.rstrip("/") + "/"):
            continue
        if src not in (".", "./") and "." in posixpath.basename(src.rstrip("/")):
            continue  # a file was copied there, not a directory
        if len(dest) > best:
            rest = workdir[len(dest):].lstrip("/")
            best, found = len(dest), _join(base, posixpath.join(src, rest))
    return found


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
        if any(launch.target[0] != "exec" for launch in found):
            yield from found
            return
        from_cmd = list(_argv(cmd[1], base, "Dockerfile CMD", cmd[0])) if cmd else []
        python = [launch for launch in from_cmd if launch.target[0] != "exec"]
        yield from python or found or from_cmd
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
        where = base
        if kind == "render":
            stype = _child(node, "type")
            if stype is not None and getattr(stype, "value", "") != "web":
                continue
            keys: tuple[str, ...] = ("startCommand",)
        else:
            keys = ("entrypoint", "command")
            build = _child(node, "build")
            context = _child(build, "context") if isinstance(build, yaml.MappingNode) else build
            value = context.value if isinstance(context, yaml.ScalarNode) else None
            # The service's files are its build context's: 'build: ./app'.
            if isinstance(value, str) and "://" not in value and not value.startswith("/"):
                where = _join(base, value)
        for key in keys:
            value = _child(node, key)
            if isinstance(value, yaml.ScalarNode):
                tokens = _tokens(str(value.value))
            elif isinstance(value, yaml.SequenceNode):
                tokens = [str(v.value) for v in value.value]
            else:
                continue
            yield from _argv(tokens, where, f"{kind} {key}", value.start_mark.line + 1)


def _heroku_yml(text: str, base: str) -> Iterator[Launch]:
    """heroku.yml ``run: web:`` (a command string, or ``command:`` a list of them)."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return
    web = _child(_child(root, "run"), "web")
    command = _child(web, "command") if isinstance(web, yaml.MappingNode) else web
    if isinstance(command, yaml.ScalarNode):
        yield from _argv(_tokens(str(command.value)), base, "heroku.yml web",
                         command.start_mark.line + 1)
    elif isinstance(command, yaml.SequenceNode):
        for item in command.value:
            if isinstance(item, yaml.ScalarNode):
                yield from _argv(_tokens(str(item.value)), base, "heroku.yml web",
                                 item.start_mark.line + 1)


def _app_yaml(text: str, base: str) -> Iterator[Launch]:
    """App Engine's ``entrypoint:`` (an ``app.yaml`` with a ``runtime``)."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return
    entry = _child(root, "entrypoint")
    if _child(root, "runtime") is not None and isinstance(entry, yaml.ScalarNode):
        yield from _argv(_tokens(str(entry.value)), base, "app.yaml entrypoint",
                         entry.start_mark.line + 1)


def _toml(text: str) -> dict[str, Any] | None:
    try:
        if sys.version_info >= (3, 11):
            import tomllib

            return tomllib.loads(text)
        raise ValueError  # pragma: no cover - 3.10 has no tomllib
    except ValueError:
        return None


def _fly_toml(text: str, base: str) -> Iterator[Launch]:
    """fly.toml ``[processes]`` (``app`` first) and ``[experimental] cmd``."""
    data = _toml(text)
    if data is None:
        return
    lines = text.splitlines()
    processes = data.get("processes")
    commands: list[tuple[str, Any]] = []
    if isinstance(processes, dict):
        commands += [(f"fly.toml process {k!r}", v) for k, v in processes.items()]
    experimental = data.get("experimental")
    if isinstance(experimental, dict) and "cmd" in experimental:
        commands.append(("fly.toml cmd", experimental["cmd"]))
    for source, value in commands:
        if isinstance(value, str):
            tokens = _tokens(value)
        elif isinstance(value, list):
            tokens = [str(v) for v in value]
        else:
            continue
        needle = tokens[0] if tokens else ""
        line = next((i for i, raw in enumerate(lines, 1) if needle and needle in raw), 0)
        yield from _argv(tokens, base, source, line)


def _ini_commands(text: str, base: str, kind: str) -> Iterator[Launch]:
    """systemd ``ExecStart=`` lines; supervisor ``command=`` lines of ``[program:x]``."""
    key = "execstart" if kind == "systemd" else "command"
    section = ""
    for number, raw in enumerate(text.splitlines(), 1):
        stripped = raw.strip()
        if stripped.startswith("["):
            section = stripped.lower()
            continue
        name, sep, value = stripped.partition("=")
        if not sep or name.strip().lower() != key:
            continue
        if kind == "supervisor" and not section.startswith("[program:"):
            continue
        value = value.strip().lstrip("-@+!")  # systemd prefixes: '-/usr/bin/x' ignores failure
        yield from _argv(_tokens(value), base, f"{kind} {name.strip()}", number)


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
            yield Launch(f"pyproject.toml script {name!r}", line, base, ("module", module),
                         command=name)


def deploy_kind(path: str) -> str:
    """Which reader reads a file of this path: 'dockerfile', 'procfile', ... or ''."""
    name = posixpath.basename(path)
    lowered = name.lower()
    if lowered.startswith("dockerfile") or lowered.endswith(".dockerfile"):
        return "dockerfile"
    if name == "Procfile":
        return "procfile"
    if name in ("render.yaml", "render.yml"):
        return "render"
    if re.match(r"^((docker-)?compose|docker-stack).*\.ya?ml$", name):
        return "compose"
    if name == "pyproject.toml":
        return "pyproject"
    if name == "fly.toml":
        return "fly"
    if name in ("heroku.yml", "heroku.yaml"):
        return "heroku"
    if name in ("app.yaml", "app.yml"):
        return "appengine"
    if lowered.endswith(".service"):
        return "systemd"
    if lowered.endswith(".conf") and "supervisor" in path.lower():
        return "supervisor"
    return ""


def read_launches(path: str, text: str) -> Iterator[Launch]:
    """Every launch one deploy file of the repository declares (none for another file)."""
    base = posixpath.dirname(path)
    kind = deploy_kind(path)
    if kind == "dockerfile":
        yield from _dockerfile(text, base)
    elif kind == "procfile":
        for number, raw in enumerate(text.splitlines(), 1):
            if raw.strip().startswith("web:"):
                yield from _argv(_tokens(raw.split(":", 1)[1]), base, "Procfile web", number)
    elif kind in ("render", "compose"):
        yield from _yaml_commands(text, kind, base)
    elif kind == "pyproject":
        yield from _pyproject(text, base)
    elif kind == "fly":
        yield from _fly_toml(text, base)
    elif kind == "heroku":
        yield from _heroku_yml(text, base)
    elif kind == "appengine":
        yield from _app_yaml(text, base)
    elif kind in ("systemd", "supervisor"):
        yield from _ini_commands(text, base, kind)


def resolve_ini(launch: Launch, read: Callable[[str], str | None]) -> Launch:
    """A launch whose app is in a config file (uwsgi ini, gunicorn ``-c`` with no app
    argument) with that file read: the module or file it serves."""
    if launch.target[0] != "ini":
        return launch
    ini = launch.target[1]
    for path in sorted(candidates(("file", ini), (launch.workdir,)), key=len, reverse=True):
        text = read(path)
        if text is not None:
            target = uwsgi_ini_target(text)
            if target:
                return dataclasses.replace(launch, target=target)
    return launch


def launches(ctx: CheckContext) -> Iterator[tuple[str, Launch]]:
    """(deploy file, launch) for every way a deploy file of the repository starts Python."""
    for facts in ctx.all_files:
        if not deploy_kind(facts.path):
            continue
        for launch in read_launches(facts.path, ctx.read_text(facts.path) or ""):
            if launch.target[0] == "exec":
                continue  # a non-Python program (an entry script): not read here
            yield facts.path, resolve_ini(launch, ctx.read_text)
