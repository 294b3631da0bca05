"""single_entrypoint: the product starts one way, through ``entrypoint.path``.

Findings:

* the blessed file does not exist, or the file of a declared secondary process
  (``entrypoint.processes: {worker: {path, command}}``) does not; a process file is checked
  like the blessed one (its guard is no stray guard unless its command imports it, and a
  deploy file that starts it starts a declared process);
* the blessed file's own main guard when ``entrypoint.command`` imports it (``uvicorn
  pkg.main:app``, ``gunicorn pkg.wsgi:app``): ``python pkg/main.py`` would be a second,
  unreviewed way to start the product;
* an ``if __name__ == "__main__":`` guard in any selected Python file other than the blessed
  one, unless the file matches ``entrypoint.allow_main_guards`` (default ``scripts/**``,
  ``tests/**``, ``quarantine/**``) or this invariant's ``allow_main_guards``;
* a deploy file that starts Python somewhere else: ``Dockerfile*`` ``CMD``/``ENTRYPOINT``
  (exec and shell forms; an exec ENTRYPOINT is joined with the CMD of its stage; the stage's
  ``WORKDIR`` is mapped back to the repository through its ``COPY``/``ADD``),
  ``Procfile`` ``web:`` lines, ``render.yaml`` ``startCommand`` of web services,
  ``docker-compose*.yml``/``compose*.yaml``/``docker-stack*.yml`` ``command``/``entrypoint``
  of every service (paths relative to its ``build`` context), ``fly.toml`` processes,
  ``heroku.yml`` ``run: web``,
  App Engine ``app.yaml`` ``entrypoint``, systemd ``ExecStart=``, supervisor ``command=`` and
  ``pyproject.toml`` ``[project.scripts]`` / ``[tool.poetry.scripts]``.

Commands are reduced to what they start: ``python main.py`` -> file ``main.py``;
``python -m app.main``, ``uvicorn app.main:app``, ``gunicorn app.main:app`` (also hypercorn,
daphne, waitress-serve, granian, ``python -m uvicorn``; ``--chdir``/``--app-dir`` honoured)
-> module ``app.main``; ``gunicorn -c conf.py`` -> the config's ``wsgi_app``; ``flask run
--app X``, ``fastapi run x.py``, ``./serve.py``, uwsgi's ``--module`` / ``--wsgi-file`` or its
ini file's ``module``/``wsgi-file``; ``python manage.py runserver`` ->
file ``manage.py`` (other management commands, ``flask db upgrade``, start nothing). Wrappers
(``exec``, ``poetry run``, ``ddtrace-run``), ``VAR=x`` prefixes, ``sh -c "..."`` and
``cd dir && ...`` are followed. A target resolves to candidate paths relative to the root, to
the deploy file's directory and under ``src/``; an absolute container path (``/app/main.py``)
also tries each of its suffixes. A command that starts something unreadable here (``celery``,
``./start.sh``, ``python -c``) is not a finding, and neither is one that starts a file under an
allowed main-guard glob (a script). The deploy-file readers live in ``_deploy.py``.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pathspec

from truthgate.verify.kinds._deploy import launches
from truthgate.verify.kinds._launch import candidates
from truthgate.verify.kinds._secrets import str_tuple
from truthgate.verify.kinds.base import CheckContext, InvariantKind, Violation
from truthgate.verify.kinds.no_dev_server import entry_is_imported


@dataclass(frozen=True)
class Params:
    """Extra main-guard globs and whether deploy files are read."""

    allow_main_guards: tuple[str, ...] = ()
    check_deploy_files: bool = True


def parse_params(raw: Mapping[str, Any]) -> Params:
    """Read ``allow_main_guards`` (added to the contract's) and ``check_deploy_files``."""
    return Params(str_tuple(raw, "allow_main_guards"), bool(raw.get("check_deploy_files", True)))


# -- the check ------------------------------------------------------------------------------
def check(ctx: CheckContext, params: Params) -> Iterable[Violation]:
    """Missing blessed file, stray main guards, deploy files starting something else."""
    contract = ctx.contract
    blessed = posixpath.normpath(contract.entrypoint.path.strip())
    allowed = pathspec.PathSpec.from_lines(
        "gitignore", contract.entrypoint.allow_main_guards + params.allow_main_guards
    )
    source = contract.source.as_posix().removeprefix(contract.root.as_posix().rstrip("/") + "/")
    if not ctx.exists(blessed):
        yield Violation(source, f"blessed entrypoint {blessed} does not exist",
                        key=f"missing:{blessed}")
    processes = {posixpath.normpath(p.path.strip()): p for p in contract.entrypoint.processes}
    for path, proc in processes.items():
        if not ctx.exists(path):
            yield Violation(source, f"process {proc.name!r}: {path} does not exist",
                            key=f"missing:{path}")
    imported = entry_is_imported(contract.entrypoint.command)
    for facts in ctx.files:
        if facts.path in processes:
            proc = processes[facts.path]
            if entry_is_imported(proc.command):
                for guard in facts.main_guards:
                    yield Violation(
                        facts.path,
                        f"process {proc.name!r} ({facts.path}) has an 'if __name__ == "
                        f"\"__main__\"' guard, but production imports it "
                        f"({proc.command.strip()}): a second way to start it",
                        guard.line, guard.col, key="process-main-guard")
            continue
        if facts.path == blessed and imported:
            # Production imports the blessed module (uvicorn pkg.main:app): its own guard
            # is a second, unreviewed way to start the product.
            for guard in facts.main_guards:
                yield Violation(
                    facts.path,
                    f"the blessed entrypoint {blessed} has an 'if __name__ == \"__main__\"' "
                    f"guard, but production imports it ({contract.entrypoint.command.strip()})"
                    f": 'python {blessed}' is a second way to start the product",
                    guard.line, guard.col, key="blessed-main-guard")
            continue
        if facts.path == blessed or allowed.match_file(facts.path):
            continue
        for guard in facts.main_guards:
            yield Violation(
                facts.path,
                f"{facts.path} has an 'if __name__ == \"__main__\"' guard outside the blessed "
                f"entrypoint {blessed}",
                guard.line, guard.col, key="main-guard",
            )
    if not params.check_deploy_files:
        return
    for path, launch in launches(ctx):
        dirs = tuple(dict.fromkeys(("", posixpath.dirname(path), launch.workdir)))
        found = candidates(launch.target, dirs)
        if not found:  # 'flask run' with no app named, an ini that names none: nothing to say
            continue
        if blessed in found or any(allowed.match_file(c) or c in processes for c in found):
            continue
        kind, value = launch.target
        yield Violation(
            path,
            f"{launch.source} starts {kind} {value}, not the blessed entrypoint {blessed}",
            launch.line, 1 if launch.line else 0, key=f"{launch.source}:{value}",
        )


KIND = InvariantKind(
    name="single_entrypoint",
    summary="The blessed entrypoint exists and is the only way the product starts.",
    why=(
        "When several files can start the product, production ends up running one nobody "
        "reviewed (a dev runner, an old script) with different settings, middleware or server."
    ),
    hint=(
        "Point every deploy file at entrypoint.path (e.g. 'gunicorn app.main:app'), and move "
        "other runnable files under scripts/ or the quarantine dir, or drop their main guard."
    ),
    params_schema={
        "properties": {
            "allow_main_guards": {
                "type": "array",
                "items": {"type": "string", "format": "repo-glob", "minLength": 1},
                "description": "Extra gitignore-style globs where a main guard is allowed, on "
                "top of entrypoint.allow_main_guards.",
            },
            "check_deploy_files": {
                "type": "boolean",
                "description": "Read Dockerfile, Procfile, render.yaml, compose, fly.toml, "
                "heroku.yml, app.yaml, systemd/supervisor units and pyproject.toml scripts "
                "(default true).",
            },
        }
    },
    parse_params=parse_params,
    check=check,
    default_paths=("**/*.py",),
    example=(
        "# entrypoint: {path: app/main.py, command: 'gunicorn app.main:app'}\n"
        "- id: one-entrypoint\n"
        "  kind: single_entrypoint\n"
        "  allow_main_guards: [tools/**]\n"
    ),
)
