"""no_runtime_schema_create and no_dev_server: positives and look-alike negatives."""

from __future__ import annotations

from truthgate.contract.model import Entrypoint


def test_create_all_on_production_path(run_kind):
    files = {
        "app.py": """
            from flask_sqlalchemy import SQLAlchemy
            db = SQLAlchemy()
            db.create_all()
            """,
        "models/base.py": """
            def init(engine):
                Base.metadata.create_all(bind=engine)
            """,
    }
    assert run_kind("no_runtime_schema_create", files) == [
        ("app.py", 3, "db.create_all() creates the database schema at run time"),
        ("models/base.py", 2,
         "Base.metadata.create_all() creates the database schema at run time"),
    ]


def test_create_all_lookalikes_are_fine(run_kind):
    files = {
        "migrations/versions/001_init.py": "db.create_all()\n",
        "alembic/env.py": "Base.metadata.create_all(bind=engine)\n",
        "scripts/bootstrap.py": "db.create_all()\n",
        "tests/test_db.py": "db.create_all()\n",
        "app.py": """
            # db.create_all() is done by migrations
            create_all_users()
            users.create_all_admins()
            note = "call create_all() by hand"
            """,
    }
    assert run_kind("no_runtime_schema_create", files) == []


def test_create_all_configurable_calls(run_kind):
    files = {"app.py": "db.drop_all()\ndb.create_all()\n"}
    assert run_kind("no_runtime_schema_create", files, {"calls": ["drop_all"]}) == [
        ("app.py", 1, "db.drop_all() creates the database schema at run time"),
    ]


def test_dev_server_in_blessed_entrypoint_main_guard(run_kind):
    # Audit 000: run_server.py is how production starts, so its guard runs in production.
    files = {
        "run_server.py": """
            from app import app

            if __name__ == "__main__":
                app.run(host="0.0.0.0", port=5000)
            """,
    }
    assert run_kind("no_dev_server", files, entrypoint=Entrypoint("run_server.py")) == [
        ("run_server.py", 4,
         "app.run() starts the development server in the blessed entrypoint's main guard"),
    ]


def test_dev_server_outside_guard_debug_and_reload(run_kind):
    files = {
        "app.py": """
            import uvicorn
            from fastapi import FastAPI
            from flask import Flask
            web = Flask(__name__)
            api = FastAPI(debug=True)
            web.run(debug=True)
            uvicorn.run("app:api", reload=True)
            """,
    }
    assert run_kind("no_dev_server", files, entrypoint=Entrypoint("main.py")) == [
        ("app.py", 5, "debug=True enables the debugger and reloader"),
        ("app.py", 6, "web.run() starts the development server; "
                      "debug=True enables the debugger and reloader"),
        ("app.py", 7, "uvicorn.run(reload=True) runs the auto-reloading dev server"),
    ]


def test_dev_server_lookalikes_are_fine(run_kind):
    files = {
        "app.py": """
            import asyncio, subprocess, uvicorn
            from flask import Flask
            app = Flask(__name__)
            subprocess.run(["ls"], check=True)
            asyncio.run(main())
            uvicorn.run(app, host="0.0.0.0", workers=4)
            app.config.update(DEBUG=False)
            """,
        # A guard under entrypoint.allow_main_guards is a local-dev helper. (A dev server
        # in a stray guard, or in the guard of a blessed file production imports, is a
        # finding since issue 15: tests/fixtures/issue15.)
        "scripts/local.py": """
            from app import app
            if __name__ == "__main__":
                app.run()
            """,
        "tests/test_app.py": "app.run()\n",
        "sanic_app.py": "from sanic import Sanic\napp = Sanic('x')\napp.run(workers=4)\n",
        "scripts/dev.py": "socketio.run(app, debug=True)\n",
    }
    entry = Entrypoint("app.py", command="gunicorn app:app")
    assert run_kind("no_dev_server", files, entrypoint=entry) == []


def test_dev_server_guard_in_entrypoint_started_by_python(run_kind):
    files = {
        "main.py": """
            from flask_socketio import SocketIO
            sio_server = SocketIO(app)
            if __name__ == "__main__":
                sio_server.run(app)
            """,
    }
    entry = Entrypoint("main.py", command="python main.py")
    assert run_kind("no_dev_server", files, entrypoint=entry) == [
        ("main.py", 4, "sio_server.run() starts the development server "
                       "in the blessed entrypoint's main guard"),
    ]
