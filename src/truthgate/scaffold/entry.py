"""Which file production starts, read from every deploy descriptor of a repository.

Each launch a deploy file declares (``verify.kinds._deploy.read_launches``: Dockerfiles at any
depth, compose/stack files, Procfile, render.yaml, fly.toml, app.yaml, systemd and supervisor
units) is followed to a file of the repository:

* an entry script (``ENTRYPOINT ["./boot.sh"]``, ``/code/docker-entrypoint.sh``) is read: the
  server it ``exec``\\s (``exec "$@"`` hands over to the instruction's remaining words); the
  Python files it only runs first (``python app/backend_pre_start.py``) are *helper scripts*;
* a uwsgi ini file is read for its ``module``/``wsgi-file``;
* a module (``pkg.main:app``, ``pkg``) resolves to ``pkg/main.py``, ``pkg/__main__.py`` or
  ``pkg/__init__.py`` relative to the root, the deploy file's directory (a compose service's
  build context), ``--chdir``/``--app-dir`` and every suffix of a container path;
* Django's ``manage.py runserver`` stands for the project's ``wsgi.py``; ``flask run`` for
  ``FLASK_APP`` (Dockerfile ``ENV``, ``.flaskenv``).

A resolved file is a candidate unless it is a test (``tests.py``, ``test_*.py``, under a
tests folder) or a configuration file (``gunicorn*.py``, ``*conf*.py``, settings); candidates are
ranked by how many launches name them, a production server above a development one. With no
launch, the base image's own convention (``tiangolo/uvicorn-gunicorn*`` serves ``app.main``)
or Django's ``wsgi.py`` is used; failing those, a file with a main guard is a *guess*. A guess
or a tie is reported as unsure, never silently.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from truthgate.verify.kinds._deploy import Launch, deploy_kind, read_launches, resolve_ini
from truthgate.verify.kinds._launch import _run, _tokens, candidates

Reader = Callable[[str], "str | None"]

_TEST_PART = re.compile(r"^(tests?|testing|test_?utils|fixtures)$")
_TEST_NAME = re.compile(r"^(tests?\.py|tests?_.*\.py|.*_tests?\.py|conftest\.py)$")
# 'conf'/'config'/'cfg'/'settings' as a word of the name: gunicorn-cfg.py, gunicorn.conf.py,
# config.py, local_settings.py; never conference.py or configurator_app.py's look-alikes.
_CONFIG_NAME = re.compile(
    r"^(gunicorn.*|((.*[._-])?(conf|config|cfg|settings|configuration)([._-].*)?)|setup|"
    r"noxfile|fabfile|alembic_env)\.py$"
)
_PREFERRED_NAMES = ("main.py", "app.py", "wsgi.py", "asgi.py", "run.py", "server.py",
                    "application.py", "__main__.py")
_SERVERISH = frozenset({"module", "file"})
# A module that builds the web app: a fallback candidate when no deploy file says.
_APP_MAKER = re.compile(
    r"^\s*\w+\s*=\s*(FastAPI|Flask|Starlette|Quart|Sanic|Litestar|web\.Application)\(|"
    r"get_(wsgi|asgi)_application\(\)", re.M)


def is_test_path(path: str) -> bool:
    """A test file or fixture: never an entrypoint, never a source of env vars."""
    parts = path.split("/")
    return bool(_TEST_NAME.match(parts[-1])) or any(_TEST_PART.match(p) for p in parts[:-1])


def is_config_path(path: str) -> bool:
    """A configuration module (gunicorn config, settings): never an entrypoint."""
    parts = path.split("/")
    return bool(_CONFIG_NAME.match(parts[-1])) or "settings" in parts[:-1]


@dataclass
class Choice:
    """The entrypoint init writes, how sure it is, and what it saw."""

    path: str = ""
    command: str = ""
    sure: bool = False
    why: str = ""  # one line: where the choice comes from
    doubts: list[str] = field(default_factory=list)  # what a person must check
    helpers: list[str] = field(default_factory=list)  # scripts deploy files run before
    dev_only: bool = False


@dataclass
class _Vote:
    path: str
    score: int
    command: str
    source: str
    dev: bool


class _Repo:
    def __init__(self, files: Sequence[str], read: Reader) -> None:
        self.files = list(files)
        self.set = set(files)
        self.read = read

    def existing(self, paths: Iterable[str]) -> list[str]:
        return sorted({p for p in paths if p in self.set}, key=lambda p: (p.count("/"), p))

    def by_suffix(self, path: str, near: str) -> list[str]:
        """Repository files whose path ends with the container path's tail (deepest first)."""
        parts = path.strip("/").split("/")
        for i in range(len(parts)):
            tail = "/".join(parts[i:])
            found = [f for f in self.files if f == tail or f.endswith("/" + tail)]
            if found:
                inside = [f for f in found if not near or f.startswith(near + "/")]
                return sorted(inside or found, key=lambda f: (f.count("/"), f))
        return []


def _resolve(repo: _Repo, launch: Launch, deploy_dir: str, env: dict[str, str]) -> list[str]:
    kind, value = launch.target
    if kind == "flask":
        app = env.get("FLASK_APP", "")
        if not app:
            return []
        kind, value = ("file", app) if app.endswith(".py") else ("module", app.split(":")[0])
    if kind == "fastapi":
        kind, value = "file", "main.py"  # 'fastapi run' with no path: main.py, app.py, ...
    if kind not in _SERVERISH:
        return []
    found: list[str] = []
    for d in dict.fromkeys((launch.workdir, deploy_dir, "")):  # the nearest directory first
        found = repo.existing(candidates((kind, value), (d,)))
        if found:
            break
    if not found and kind == "file" and value.startswith("/"):
        found = repo.by_suffix(value, deploy_dir)
    if not found and kind == "module":
        mod = value.replace(".", "/")
        for stem in (f"{mod}.py", f"{mod}/__main__.py", f"{mod}/__init__.py"):
            found = repo.by_suffix(stem, deploy_dir)
            if found:
                break
    # A package runs its __main__ with 'python -m pkg'; a server imports the module.
    run_m = kind == "module" and "-m" in launch.command.split()
    found.sort(key=lambda p: (not (run_m and p.endswith("__main__.py")),
                              p.endswith(("__init__.py", "__main__.py"))))
    return found[:1]


def is_django_manage(path: str, read: Reader) -> bool:
    """Django's manage.py: an admin tool every Django project has, not a second entrypoint."""
    if posixpath.basename(path) != "manage.py":
        return False
    text = read(path) or ""
    return "DJANGO_SETTINGS_MODULE" in text or "execute_from_command_line" in text


def _django_wsgi(repo: _Repo, manage: str) -> str:
    """The project's wsgi.py (asgi.py) next to the settings module manage.py names."""
    text = repo.read(manage) or ""
    m = re.search(r"DJANGO_SETTINGS_MODULE[\"']\s*,\s*[\"']([\w.]+)[\"']", text)
    base = posixpath.dirname(manage)
    if m:
        package = m.group(1).rsplit(".", 1)[0].split(".")[0]
        for name in ("wsgi.py", "asgi.py"):
            path = posixpath.join(base, package, name)
            if path in repo.set:
                return path
    return ""


def _script_launches(repo: _Repo, launch: Launch, deploy_dir: str, depth: int = 0
                     ) -> tuple[list[Launch], list[str]]:
    """(server launches, helper scripts) of the entry script an 'exec' launch runs."""
    program = launch.target[1]
    if depth > 3 or program.endswith(".py"):
        return [], []
    rel = program if program.startswith("/") else posixpath.join(launch.workdir, program)
    found = repo.existing([posixpath.normpath(rel)]) or repo.by_suffix(program, deploy_dir)
    if not found or found[0].endswith(".py"):
        return [], []
    script = found[0]
    text = repo.read(script) or ""
    rest = list(launch.argv[launch.argv.index(program) + 1 :]) if program in launch.argv else []
    servers: list[Launch] = []
    helpers: list[str] = []
    lines = re.sub(r"\\\n", " ", text).splitlines()
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        tokens = _tokens(line)
        execs = bool(tokens) and tokens[0] == "exec"
        if execs and tokens[1:] in (['$@'], ['"$@"'], ["${@}"]):
            tokens = ["exec", *rest]
        workdir, target, segment = _run(tokens, launch.workdir)
        if target is None:
            nested = next((t for t in tokens if t.endswith(".sh") and t != program), "")
            if nested:
                inner = Launch(launch.source, number, launch.workdir, ("exec", nested))
                more, helped = _script_launches(repo, inner, deploy_dir, depth + 1)
                servers += more
                helpers += helped
            continue
        from truthgate.verify.kinds._launch import is_dev

        found_launch = Launch(f"{script} (via {launch.source})", number, workdir, target,
                              " ".join(segment), is_dev(segment))
        serving = execs or target[0] != "file" or segment[0].rsplit("/", 1)[-1] in (
            "gunicorn", "uvicorn", "hypercorn", "granian", "daphne", "uwsgi")
        if serving:
            servers.append(found_launch)
        else:
            helpers += _resolve(repo, found_launch, deploy_dir, {})
    return servers, helpers


def _flask_env(repo: _Repo) -> dict[str, str]:
    env: dict[str, str] = {}
    for path in repo.files:
        name = posixpath.basename(path)
        if name in (".flaskenv", ".env") or deploy_kind(path) == "dockerfile":
            for m in re.finditer(r"FLASK_APP[= ]\s*[\"']?([\w./:]+)", repo.read(path) or ""):
                env.setdefault("FLASK_APP", m.group(1))
    return env


def _dev_name(path: str) -> bool:
    """A deploy file for development, or one that only documents: it counts a third."""
    name = posixpath.basename(path).lower()
    if re.search(r"(^|/)(examples?|docs?|samples?|demos?)/", path.lower()):
        return True
    return bool(re.search(r"(^|[._-])(dev|local|override|test|ci)([._-]|$)", name))


def choose(files: Sequence[str], read: Reader, guards: Sequence[str]) -> Choice:
    """Rank every launch's file and pick one; say when unsure."""
    repo = _Repo(files, read)
    env = _flask_env(repo)
    votes: list[_Vote] = []
    helpers: list[str] = []
    unresolved: list[str] = []
    for path in files:
        if not deploy_kind(path) or is_test_path(path):
            continue
        text = read(path)
        if text is None:
            continue
        deploy_dir = posixpath.dirname(path)
        for launch in read_launches(path, text):
            followed = [launch]
            if launch.target[0] == "exec":
                followed, helped = _script_launches(repo, launch, deploy_dir)
                helpers += helped
            for one in followed:
                one = resolve_ini(one, read)
                resolved = _resolve(repo, one, deploy_dir, env)
                if resolved and posixpath.basename(resolved[0]) == "manage.py":
                    wsgi = _django_wsgi(repo, resolved[0])
                    resolved = [wsgi] if wsgi else resolved
                target = resolved[0] if resolved else ""
                label = f"{path}:{one.line} ({one.source})" if "via" not in one.source else (
                    f"{one.source.split(' (via')[0]}:{one.line} (via {path})")
                if not target:
                    if one.target[0] != "exec":
                        unresolved.append(f"{label} starts {one.target[1] or one.target[0]}")
                    continue
                if is_test_path(target) or is_config_path(target):
                    unresolved.append(f"{label} names {target} (a test or configuration file)")
                    continue
                dev = one.dev or _dev_name(path)
                # A console script is how a CLI starts: it counts a third of a server.
                script = deploy_kind(path) == "pyproject"
                votes.append(_Vote(target, 1 if dev or script else 3, one.command, label, dev))
    choice = Choice(helpers=sorted(set(helpers)))
    if votes:
        totals: dict[str, int] = {}
        prod: dict[str, int] = {}
        for v in votes:
            totals[v.path] = totals.get(v.path, 0) + v.score
            prod[v.path] = prod.get(v.path, 0) + (not v.dev)
        ranked = sorted(totals, key=lambda p: (-totals[p], -prod[p], p.count("/"), p))
        best = ranked[0]
        mine = [v for v in votes if v.path == best]
        vote = next((v for v in mine if not v.dev), mine[0])
        choice.path, choice.command = best, re.sub(r"^exec\s+", "", vote.command)
        choice.why = f"{vote.source}: {vote.command}"
        choice.dev_only = all(v.dev for v in votes if v.path == best)
        choice.sure = not choice.dev_only
        second = ranked[1] if len(ranked) > 1 else ""
        if second and (totals[second], prod[second]) == (totals[best], prod[best]):
            choice.sure = False
            choice.doubts.append(
                f"deploy files start {best} and {second} equally often; which one is production?"
            )
        if choice.dev_only:
            choice.doubts.append(f"only a development server or a dev/example deploy file "
                                 f"starts {best} ({vote.source})")
        return choice
    return _fallback(repo, guards, choice, unresolved)


def _fallback(repo: _Repo, guards: Sequence[str], choice: Choice, unresolved: list[str]
              ) -> Choice:
    for path in repo.files:
        if deploy_kind(path) != "dockerfile":
            continue
        text = repo.read(path) or ""
        if re.search(r"^\s*FROM\s+tiangolo/(uvicorn|gunicorn|meinheld|uwsgi)", text, re.M | re.I):
            # The image serves app.main:app (or main:app) from /app, its documented default.
            base = posixpath.dirname(path)
            for rel in ("app/main.py", "main.py"):
                cand = posixpath.join(base, rel) if base else rel
                if cand in repo.set:
                    prestart = posixpath.join(base, "prestart.sh") if base else "prestart.sh"
                    if prestart in repo.set:  # the image runs it before the server
                        _, helped = _script_launches(
                            repo, Launch("prestart", 0, base, ("exec", prestart)), base)
                        choice.helpers = sorted(set(choice.helpers) | set(helped))
                    choice.path, choice.sure = cand, True
                    choice.command = "gunicorn -k uvicorn.workers.UvicornWorker app.main:app" \
                        if rel == "app/main.py" else "gunicorn -k uvicorn.workers.UvicornWorker main:app"
                    choice.why = f"{path}: the base image serves {rel[:-3].replace('/', '.')}:app"
                    return choice
    manages = [f for f in repo.files if posixpath.basename(f) == "manage.py"
               and not is_test_path(f)]
    for manage in sorted(manages, key=lambda p: p.count("/")):
        wsgi = _django_wsgi(repo, manage)
        if wsgi:
            choice.path = wsgi
            choice.command = "gunicorn " + wsgi[:-3].replace("/", ".") + ":application"
            choice.why = f"Django project ({manage}); no deploy file names its server"
            choice.doubts.append(f"no deploy file says how production starts; {wsgi} is "
                                 "Django's WSGI module (use asgi.py if it serves ASGI)")
            choice.doubts += unresolved
            return choice
    pool = [g for g in guards if not is_test_path(g) and not is_config_path(g)]
    pool += [f for f in repo.files if f.endswith(".py") and f not in pool
             and not is_test_path(f) and not is_config_path(f)
             and _APP_MAKER.search(repo.read(f) or "")]
    named = [f for f in repo.files if posixpath.basename(f) in _PREFERRED_NAMES
             and not is_test_path(f) and f.endswith(".py")]
    ranked = sorted(
        set(pool) | set(named),
        key=lambda p: (p not in pool, posixpath.basename(p) not in _PREFERRED_NAMES,
                       _PREFERRED_NAMES.index(posixpath.basename(p))
                       if posixpath.basename(p) in _PREFERRED_NAMES else 99,
                       p.count("/"), p),
    )
    choice.doubts += unresolved
    if ranked:
        choice.path = ranked[0]
        choice.command = f"python {ranked[0]}"
        choice.why = "a guess: no deploy file says how production starts"
        choice.doubts.insert(0, f"no deploy file says how production starts; {ranked[0]} is a "
                             "guess (a main guard or a usual name)")
    else:
        choice.doubts.insert(0, "no deploy file says how production starts and no Python file "
                             "looks like an entrypoint")
    return choice
