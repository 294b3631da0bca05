"""no_dev_server: production is not served by a development server.

Findings, one per call (the reasons are combined in its message):

* ``app.run(...)`` / ``socketio.run(app)``: the Werkzeug / Flask-SocketIO development server.
  A ``.run`` call counts when its receiver is one of ``app_names`` (default ``app``,
  ``application``, ``socketio``, ``sio``) or a name assigned, on the same line, from one of
  the web-app constructors (``flask.Flask``, ``quart.Quart``, ``flask_socketio.SocketIO``), so
  ``subprocess.run`` / ``asyncio.run`` / ``loop.run`` never match, and neither does a name
  assigned from ``sanic.Sanic`` (whose ``run`` is its production server);
* any call passing ``debug=True`` (``Flask.run``, ``FastAPI(debug=True)``, ``SocketIO``...);
* ``uvicorn.run(..., reload=True)``. ``uvicorn.run(app)`` without reload is a production
  server and is fine.

Main guards: a dev-server call *outside* ``if __name__ == "__main__":`` runs on import, so it
is always a finding. Inside a guard it runs only when that file is executed as a script, so it
is a finding only in the blessed entrypoint (``entrypoint.path``) — that file *is* executed in
production (``python run_server.py``, the audit case) — unless ``entrypoint.command`` starts the
product with a production server (gunicorn, uvicorn, hypercorn, waitress, daphne, granian),
which imports the module and never runs its guard: then ``python pkg/main.py`` is a second,
unreviewed way to start the product, and a dev server in that guard is reported too ("which
production imports, not executes"). Guards in files matching ``entrypoint.allow_main_guards``
are local-dev helpers; a dev server in a stray guard elsewhere is reported here (the stray
guard itself is single_entrypoint's finding: one finding per problem). ``debug=True`` and
``reload=True`` follow the same rule. tests/ and scripts/ are excluded by default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pathspec

from truthgate.verify.facts import CallFact, FileFacts
from truthgate.verify.kinds._secrets import callee_tail, kwarg, receiver, str_tuple
from truthgate.verify.kinds.base import CheckContext, InvariantKind, Violation

APP_CONSTRUCTORS = frozenset({"flask.Flask", "quart.Quart", "flask_socketio.SocketIO"})
# Apps whose own .run() is a production server: a name assigned from these never matches.
PRODUCTION_APPS = frozenset({"sanic.Sanic"})
PRODUCTION_SERVERS = ("gunicorn", "uvicorn", "hypercorn", "waitress", "daphne", "granian")


@dataclass(frozen=True)
class Params:
    """Receiver names whose ``.run(...)`` is a development server."""

    app_names: tuple[str, ...] = ("app", "application", "socketio", "sio")


def parse_params(raw: Mapping[str, Any]) -> Params:
    """Read ``app_names``; the defaults are kept and extended."""
    extra = str_tuple(raw, "app_names")
    return Params(app_names=tuple(dict.fromkeys(Params.app_names + extra)))


def _app_receivers(facts: FileFacts, names: tuple[str, ...]) -> frozenset[str]:
    """``names`` plus targets assigned from a dev-server app constructor in this file."""
    def assigned(ctors: frozenset[str]) -> set[str]:
        lines = {c.line for c in facts.calls if c.qualname in ctors}
        return {a.target for a in facts.assigns if a.line in lines}

    return frozenset((set(names) | assigned(APP_CONSTRUCTORS)) - assigned(PRODUCTION_APPS))


def _reasons(call: CallFact, apps: frozenset[str]) -> list[str]:
    reasons: list[str] = []
    if callee_tail(call) == "run" and call.qualname != "uvicorn.run":
        base = receiver(call)
        if base in apps or base.rsplit(".", 1)[-1] in apps:
            reasons.append(f"{call.name}() starts the development server")
    present, debug = kwarg(call, "debug")
    if present and debug is True:
        reasons.append("debug=True enables the debugger and reloader")
    if call.qualname == "uvicorn.run":
        present, reload = kwarg(call, "reload")
        if present and reload is True:
            reasons.append("uvicorn.run(reload=True) runs the auto-reloading dev server")
    return reasons


def entry_is_imported(command: str) -> bool:
    """True when ``command`` starts the product with a production server (it imports)."""
    return any(tok.rsplit("/", 1)[-1] in PRODUCTION_SERVERS for tok in command.split())


def _entry_runs_guard(ctx: CheckContext) -> bool:
    """False when the production command imports the entrypoint instead of executing it."""
    command = ctx.contract.entrypoint.command.split()
    return not any(tok.rsplit("/", 1)[-1] in PRODUCTION_SERVERS for tok in command)


def _where(ctx: CheckContext, path: str, blessed: str,
           allowed: pathspec.PathSpec[Any]) -> str | None:
    """How a dev-server call in ``path``'s main guard is reported; None: it is not."""
    if path == blessed:
        if _entry_runs_guard(ctx):
            return " in the blessed entrypoint's main guard"
        return (" in the blessed entrypoint's main guard, which production imports, not "
                f"executes ({ctx.contract.entrypoint.command.strip()}): 'python {path}' "
                "is a second way to start the product")
    process = next((p for p in ctx.contract.entrypoint.processes
                    if p.path.strip().removeprefix("./") == path), None)
    if process is not None:  # a declared secondary process: the same rule as the blessed file
        if not entry_is_imported(process.command):
            return f" in the main guard of process {process.name!r}"
        return (f" in the main guard of process {process.name!r}, which production imports, "
                f"not executes ({process.command.strip()})")
    if allowed.match_file(path):
        return None
    return " in a stray main guard (outside entrypoint.allow_main_guards)"


def check(ctx: CheckContext, params: Params) -> Iterable[Violation]:
    """One violation per dev-server call on the production path."""
    blessed = ctx.contract.entrypoint.path.strip().removeprefix("./")
    allowed = pathspec.PathSpec.from_lines("gitignore", ctx.contract.entrypoint.allow_main_guards)
    for facts in ctx.files:
        apps = _app_receivers(facts, params.app_names)
        for call in facts.calls:
            reasons = _reasons(call, apps)
            if not reasons:
                continue
            where = _where(ctx, facts.path, blessed, allowed) if call.in_main_guard else ""
            if where is None:
                continue
            yield Violation(
                path=facts.path,
                message="; ".join(reasons) + where,
                line=call.line,
                col=call.col,
                end_line=call.end_line,
                end_col=call.end_col,
                key=call.name,
            )


KIND = InvariantKind(
    name="no_dev_server",
    summary="No development server (app.run, debug=True, reload=True) on the production path.",
    why=(
        "The Werkzeug/Flask development server is single-process, not hardened and, with "
        "debug=True, exposes an interactive debugger that executes arbitrary code."
    ),
    hint=(
        "Serve production with gunicorn/uvicorn (e.g. 'gunicorn app:app'), keep app.run() "
        "for local use under a main guard outside the blessed entrypoint, drop debug/reload."
    ),
    params_schema={
        "properties": {
            "app_names": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "description": "Extra receiver names whose .run(...) starts a dev server "
                "(added to app, application, socketio, sio).",
            }
        }
    },
    parse_params=parse_params,
    check=check,
    default_paths=("**/*.py",),
    default_exclude=("tests/**", "**/tests/**", "scripts/**", "**/scripts/**"),
    example=(
        "- id: no-dev-server\n"
        "  kind: no_dev_server\n"
        "  app_names: [web]\n"
    ),
)
