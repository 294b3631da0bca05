"""What a command line starts: a server, ``python -m``, a script, reduced to a ``Target``.

``python main.py`` -> file ``main.py``; ``python -m app.main``, ``uvicorn app.main:app``,
``gunicorn app.main:app`` (and the other ``SERVERS``, also via ``python -m``;
``--chdir``/``--app-dir`` move the directory) -> module ``app.main``; ``flask run --app X`` /
``fastapi run x.py`` -> that app; ``uwsgi`` -> ``--module``/``--wsgi-file`` or the
``module``/``wsgi-file`` of the ini file it is given; ``python manage.py runserver`` -> file
``manage.py`` (other management commands start nothing). A command is ``dev`` when it runs a
development server (``runserver``, ``flask run``, ``fastapi dev``, ``--reload``). Wrappers,
``VAR=x`` prefixes, ``sh -c "..."`` and ``cd dir && ...`` are followed. The deploy-file
readers that find these commands are in ``_deploy.py``.
"""

from __future__ import annotations

import posixpath
import re
import shlex

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
    "--listen", "--max-requests", "--factory-path", "--ini", "--module", "-w", "--wsgi-file",
    "--wsgi", "--http-socket", "--socket", "-s", "--processes", "--master-fifo", "--app",
    "-A", "--worker-tmp-dir", "--reload-dir", "--port-range", "--workers-per-core",
))
# Django/flask-script management commands that start a server; any other one
# ('migrate', 'collectstatic', 'create_db') runs and exits.
_SERVE_COMMANDS = frozenset({"runserver", "runserver_plus", "runsslserver", "run", "runmodwsgi"})
_MOVE_DIR = ("--chdir", "--app-dir")
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
    if positional:
        return ("module", positional[0])
    config = _option(args, "-c", "--config")
    # 'gunicorn -c gunicorn.conf.py': the app is the config file's wsgi_app.
    return ("ini", config) if config.endswith(".py") else None


def _python_target(args: list[str]) -> Target | None:
    it = iter(args)
    for tok in it:
        if tok == "-m":
            module = next(it, "")
            rest = list(it)
            if module in SERVERS:
                return _server_target(rest)
            if module in ("flask", "fastapi", "uwsgi"):
                return _launch([module, *rest])
            return ("module", module)
        if tok == "-c":
            return None  # inline code: nothing to resolve
        if tok in ("-X", "-W"):
            next(it, None)
        elif not tok.startswith("-"):
            return _script_target(tok, list(it))
    return None


def _script_target(path: str, args: list[str]) -> Target | None:
    """``python x.py ...``; ``manage.py`` starts something only for a serving command."""
    if path.rsplit("/", 1)[-1] == "manage.py":
        command = next((a for a in args if not a.startswith("-")), "")
        return ("file", path) if command in _SERVE_COMMANDS else None
    return ("file", path)


def _option(args: list[str], *names: str) -> str:
    """The value of the first of ``names`` in ``args`` (``--x v`` or ``--x=v``), or ''."""
    for i, tok in enumerate(args):
        for name in names:
            if tok == name and i + 1 < len(args):
                return args[i + 1]
            if tok.startswith(name + "="):
                return tok.split("=", 1)[1]
    return ""


def _app_target(spec: str) -> Target:
    """'pkg/app.py' -> file; 'pkg.app:create_app()' -> module pkg.app."""
    spec = spec.split(":", 1)[0]
    return ("file", spec) if spec.endswith(".py") else ("module", spec)


def _flask_target(args: list[str]) -> Target | None:
    app = _option(args, "--app", "-A")
    words = [a for a in args if not a.startswith("-") and a != app]
    if not words or words[0] != "run":
        return None  # 'flask db upgrade', 'flask translate compile': a command, not a server
    return _app_target(app) if app else ("flask", "")


def _fastapi_target(args: list[str]) -> Target | None:
    words = [a for a in args if not a.startswith("-")]
    if not words or words[0] not in ("run", "dev"):
        return None
    return ("file", words[1]) if len(words) > 1 else ("fastapi", "")


def _uwsgi_target(args: list[str]) -> Target | None:
    module = _option(args, "--module", "-w", "--wsgi")
    if module:
        return _app_target(module)
    wsgi_file = _option(args, "--wsgi-file")
    if wsgi_file:
        return ("file", wsgi_file)
    ini = _option(args, "--ini") or next(
        (a for a in args if not a.startswith("-") and a.endswith((".ini", ".yaml", ".yml"))), ""
    )
    return ("ini", ini) if ini else None


def _launch(tokens: list[str]) -> Target | None:
    """What one simple command starts, when it starts Python (None when not, or unreadable)."""
    for i, tok in enumerate(tokens):
        base = tok.rsplit("/", 1)[-1]
        rest = tokens[i + 1 :]
        if i == 0 and base.endswith(".py") and "=" not in tok:  # ./manage.py runserver
            return _script_target(tok, rest)
        if _PYTHON.match(base):
            return _python_target(rest)
        if base in SERVERS:
            return _server_target(rest)
        if base == "flask":
            return _flask_target(rest)
        if base == "fastapi":
            return _fastapi_target(rest)
        if base == "uwsgi":
            return _uwsgi_target(rest)
    return None


def is_dev(tokens: list[str]) -> bool:
    """True when a command runs a development server (auto-reload, Django's runserver)."""
    words = [t.rsplit("/", 1)[-1] for t in tokens]
    return (
        any(w.startswith("runserver") for w in words)
        or "--reload" in words
        or ("flask" in words and "run" in words)
        or ("fastapi" in words and "dev" in words)
    )


def uwsgi_ini_target(text: str) -> Target | None:
    """The app a server's config file serves: uwsgi's ``module = x.wsgi:application`` or
    ``wsgi-file``, a gunicorn config's ``wsgi_app = "x.main:app"``."""
    match = re.search(r"^wsgi_app\s*=\s*[\"']([\w.]+)", text, re.M)
    if match:
        return ("module", match.group(1))
    for raw in text.splitlines():
        key, sep, value = raw.partition("=")
        key, value = key.strip().lower().replace("_", "-"), value.strip()
        if not sep or not value:
            continue
        if key in ("module", "wsgi", "w"):
            return _app_target(value)
        if key == "wsgi-file":
            return ("file", value)
    return None


def _tokens(text: str) -> list[str]:
    """Shell words of a command line, with '&&', '||', ';', '|' as words of their own."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars="&|;")
    lexer.whitespace_split = True
    try:
        return list(lexer)
    except ValueError:  # unbalanced quotes: a rough split beats no answer
        return text.split()


def _join(workdir: str, path: str) -> str:
    """``path`` seen from ``workdir``; an absolute one stays absolute (a container path)."""
    joined = posixpath.normpath(path if path.startswith("/") else posixpath.join(workdir, path))
    return "" if joined == "." else joined


def _run(tokens: list[str], workdir: str) -> tuple[str, Target | None, list[str]]:
    """(working dir, target, the simple command) of an argv or shell word list; ``cd`` and
    ``--chdir``/``--app-dir`` move the directory."""
    segment: list[str] = []
    for tok in [*tokens, ";"]:
        if tok and set(tok) <= set("&|;"):
            if len(segment) >= 2 and segment[0] == "cd":
                workdir = _join(workdir, segment[1])
            elif segment:
                shell = next((i for i, t in enumerate(segment) if t in _SHELLS), -1)
                if shell >= 0 and "-c" in segment[shell:]:
                    script = segment[segment.index("-c", shell) + 1 :]
                    return _run(_tokens(script[0]), workdir) if script else (workdir, None, [])
                target = _launch(segment)
                if target:
                    moved = _option(segment, *_MOVE_DIR)
                    return (_join(workdir, moved) if moved else workdir), target, segment
            segment = []
        else:
            segment.append(tok)
    return workdir, None, []


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
    if kind not in ("file", "module"):
        return set()  # 'flask'/'fastapi' with no app named, an unread ini: nothing to compare
    out = set()
    for d in dirs:
        parts = d.strip("/").split("/") if d.startswith("/") else [d]
        # A container path (/app/backend) may be any of its suffixes in the repository.
        bases = ["/".join(parts[i:]) for i in range(len(parts) + 1)] if d.startswith("/") else [d]
        for b in bases:
            out |= {posixpath.normpath(posixpath.join(b, s)) for s in stems}
    return out
