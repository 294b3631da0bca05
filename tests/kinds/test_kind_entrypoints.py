"""single_entrypoint and forbidden_entrypoints on real tmp repositories."""

from __future__ import annotations

from truthgate.contract.model import Entrypoint, Legacy

BLESSED = Entrypoint("app/main.py", command="gunicorn app.main:app")


def test_blessed_entrypoint_missing(run_kind):
    files = {"lib.py": "x = 1\n"}
    assert run_kind("single_entrypoint", files, entrypoint=BLESSED) == [
        ("product/truth.yaml", 0, "blessed entrypoint app/main.py does not exist"),
    ]


def test_stray_main_guards(run_kind):
    files = {
        "app/main.py": 'if __name__ == "__main__":\n    main()\n',
        "run_server.py": 'import app\n\nif __name__ == "__main__":\n    app.run()\n',
        "scripts/seed.py": 'if __name__ == "__main__":\n    seed()\n',
        "tests/helpers.py": 'if __name__ == "__main__":\n    pass\n',
        "quarantine/bot.py": 'if __name__ == "__main__":\n    pass\n',
        "tools/gen.py": 'if __name__ == "__main__":\n    pass\n',
        "app/util.py": 'name = "__main__"\nif name == "__main__":\n    pass\n',
    }
    got = run_kind("single_entrypoint", files, {"allow_main_guards": ["tools/**"]},
                   entrypoint=BLESSED)
    assert got == [
        # gunicorn imports app/main.py: its own guard is a second way to start (issue 15).
        ("app/main.py", 1, "the blessed entrypoint app/main.py has an 'if __name__ == "
                           "\"__main__\"' guard, but production imports it (gunicorn "
                           "app.main:app): 'python app/main.py' is a second way to start "
                           "the product"),
        ("run_server.py", 3, "run_server.py has an 'if __name__ == \"__main__\"' guard outside "
                             "the blessed entrypoint app/main.py"),
    ]


def test_deploy_files_pointing_elsewhere(run_kind):
    files = {
        "app/main.py": "app = object()\n",
        "Dockerfile": """
            FROM python:3.12 AS build
            RUN pip install -r requirements.txt
            FROM python:3.12-slim
            WORKDIR /app
            CMD ["python", "run_server.py"]
            """,
        "deploy/Dockerfile.worker": """
            FROM python:3.12
            ENTRYPOINT ["python"]
            CMD ["legacy/bot.py"]
            """,
        "Procfile": "web: gunicorn -w 4 -b 0.0.0.0:$PORT server:app\nworker: python w.py\n",
        "render.yaml": """
            services:
              - type: web
                name: api
                startCommand: uvicorn other.main:app --host 0.0.0.0
              - type: worker
                name: jobs
                startCommand: python jobs.py
            """,
        "docker-compose.yml": """
            services:
              web:
                build: .
                command: ["sh", "-c", "cd app && python server.py"]
              db:
                image: postgres
                command: postgres -c max_connections=200
            """,
        "pyproject.toml": """
            [project]
            name = "svc"

            [project.scripts]
            serve = "svc.cli:main"
            """,
    }
    assert run_kind("single_entrypoint", files, entrypoint=BLESSED) == [
        ("Dockerfile", 5,
         "Dockerfile CMD starts file run_server.py, not the blessed entrypoint app/main.py"),
        ("Procfile", 1,
         "Procfile web starts module server, not the blessed entrypoint app/main.py"),
        ("deploy/Dockerfile.worker", 2, "Dockerfile ENTRYPOINT starts file legacy/bot.py, "
                                        "not the blessed entrypoint app/main.py"),
        ("docker-compose.yml", 4, "compose command starts file server.py, "
                                  "not the blessed entrypoint app/main.py"),
        ("pyproject.toml", 5, "pyproject.toml script 'serve' starts module svc.cli, "
                              "not the blessed entrypoint app/main.py"),
        ("render.yaml", 4, "render startCommand starts module other.main, "
                           "not the blessed entrypoint app/main.py"),
    ]


def test_deploy_files_pointing_at_the_blessed_path(run_kind):
    files = {
        # No guard of its own: under an importing command it would be a finding (issue 15).
        "app/main.py": 'app = object()\n',
        "Dockerfile": """
            FROM python:3.12-slim
            # comment
            ENTRYPOINT ["/entrypoint.sh"]
            CMD gunicorn --bind 0.0.0.0:8000 \\
                --workers 2 app.main:app
            """,
        "services/Dockerfile": 'FROM python\nCMD ["python", "-m", "app.main"]\n',
        "Procfile": "web: ddtrace-run uvicorn app.main:app --port $PORT\n"
                    "release: python manage.py migrate\n",
        "render.yaml": """
            services:
              - type: web
                startCommand: python -m uvicorn app.main:app --host 0.0.0.0
              - type: worker
                startCommand: python jobs.py
            """,
        "compose.yaml": """
            services:
              web:
                command: sh -c "cd app && exec python main.py"
              migrate:
                command: python scripts/migrate.py
              worker:
                command: celery -A app.tasks worker
            """,
        "docker/Dockerfile.abs": 'FROM python\nCMD ["python", "/srv/app/main.py"]\n',
        "pyproject.toml": '[project.scripts]\nsvc = "app.main:cli"\n',
    }
    assert run_kind("single_entrypoint", files, entrypoint=BLESSED) == []


def test_src_layout_and_deploy_checks_off(run_kind):
    files = {
        "src/svc/main.py": "def run():\n    pass\n",
        "pyproject.toml": '[project.scripts]\nsvc = "svc.main:run"\n',
        "Procfile": "web: python other.py\n",
    }
    entry = Entrypoint("src/svc/main.py")
    assert run_kind("single_entrypoint", files, {"check_deploy_files": False},
                    entrypoint=entry) == []


def test_forbidden_entrypoints(run_kind):
    files = {
        "run_server.py": "x = 1\n",
        "quarantine/bot.py": "x = 1\n",
        "legacy/old/start_dev.py": "x = 1\n",
        "app.py": "x = 1\n",
    }
    entry = Entrypoint("app.py", forbidden=("run_server.py", "quarantine/bot.py", "gone.py"))
    got = run_kind("forbidden_entrypoints", files, {"files": ["**/start_dev.py"]},
                   entrypoint=entry, legacy=Legacy(quarantine_dir="quarantine"))
    assert got == [
        ("legacy/old/start_dev.py", 0,
         "forbidden entrypoint legacy/old/start_dev.py exists outside quarantine/"),
        ("run_server.py", 0, "forbidden entrypoint run_server.py exists outside quarantine/"),
    ]


def test_forbidden_entrypoints_all_quarantined(run_kind):
    files = {"quarantine/run_server.py": "x = 1\n", "app.py": "x = 1\n"}
    entry = Entrypoint("app.py", forbidden=("run_server.py", "**/run_server.py"))
    assert run_kind("forbidden_entrypoints", files, entrypoint=entry) == []


def test_pyproject_scripts_survive_invalid_toml(run_kind):
    # tomllib rejects the file; the tolerant reader still finds the scripts table.
    files = {
        "app.py": "x = 1\n",
        "pyproject.toml": '[tool.broken\n\n[project.scripts]\nworker = "jobs.run:main"\n',
    }
    assert run_kind("single_entrypoint", files) == [
        ("pyproject.toml", 4,
         "pyproject.toml script 'worker' starts module jobs.run, "
         "not the blessed entrypoint app.py"),
    ]


def test_new_deploy_descriptors_pointing_elsewhere(run_kind):
    files = {
        "app/main.py": "app = object()\n",
        "fly.toml": 'app = "x"\n[processes]\napp = "gunicorn other.wsgi"\n',
        "app.yaml": "runtime: python312\nentrypoint: gunicorn -b :$PORT gae:app\n",
        "deploy/api.service": "[Unit]\nDescription=api\n[Service]\n"
                              "ExecStart=/srv/venv/bin/uvicorn unit.api:app\n",
        "deploy/supervisor/web.conf": "[program:web]\ncommand=/v/bin/gunicorn sup:app\n",
        "docker-stack.yml": "services:\n  api:\n    command: hypercorn stack:app\n",
        "Dockerfile": 'FROM python\nCMD ["uwsgi", "--module", "uw.wsgi:application"]\n',
        "heroku.yml": "build:\n  docker:\n    web: Dockerfile\nrun:\n  web: gunicorn hk:app\n",
        "Dockerfile.gc": 'FROM python\nCMD ["gunicorn", "--config=gc.py"]\n',
        "gc.py": 'wsgi_app = "gc_app.web:app"\n',
    }
    got = {(p, m) for p, _, m in run_kind("single_entrypoint", files, entrypoint=BLESSED)}
    assert got == {
        ("fly.toml", "fly.toml process 'app' starts module other.wsgi, "
                     "not the blessed entrypoint app/main.py"),
        ("app.yaml", "app.yaml entrypoint starts module gae, not the blessed entrypoint "
                     "app/main.py"),
        ("deploy/api.service", "systemd ExecStart starts module unit.api, not the blessed "
                               "entrypoint app/main.py"),
        ("deploy/supervisor/web.conf", "supervisor command starts module sup, not the "
                                       "blessed entrypoint app/main.py"),
        ("docker-stack.yml", "compose command starts module stack, not the blessed "
                             "entrypoint app/main.py"),
        ("Dockerfile", "Dockerfile CMD starts module uw.wsgi, not the blessed entrypoint "
                       "app/main.py"),
        ("Dockerfile.gc", "Dockerfile CMD starts module gc_app.web, not the blessed "
                          "entrypoint app/main.py"),
        ("heroku.yml", "heroku.yml web starts module hk, not the blessed entrypoint "
                       "app/main.py"),
    }


def test_new_deploy_descriptors_pointing_at_the_blessed_path(run_kind):
    files = {
        "app/main.py": "app = object()\n",
        "svc/app/main.py": "app = object()\n",  # the compose service's copy
        "etc/uwsgi.ini": "[uwsgi]\nhttp-socket=:8000\nmodule = app.main:app\n",
        "Dockerfile": 'FROM python\nENTRYPOINT ["/code/entry.sh"]\n'
                      'CMD ["uwsgi", "/code/etc/uwsgi.ini"]\n',
        # compose: a command runs in its service's build context
        "docker-compose.prod.yml": "services:\n  web:\n    build:\n      context: ./svc\n"
                                   "    command: gunicorn app.main:app\n",
        "Procfile": "release: python manage.py migrate\n"
                    "web: flask db upgrade; gunicorn --chdir app main:app\n",
        "fly.toml": '[experimental]\ncmd = ["fastapi", "run", "app/main.py"]\n',
        "app.yaml": "entrypoint: gunicorn other:app\n",  # no runtime: not App Engine's
        "Dockerfile.gc": 'FROM python\nCMD ["gunicorn", "-c", "gc.py"]\n',
        "gc.py": "wsgi_app = 'app.main:app'\n",
        "Dockerfile.bare": 'FROM python\nCMD ["gunicorn", "-c", "bare.py"]\n',
        "bare.py": "bind = ':80'\n",  # no wsgi_app: nothing to compare
        "other.service.md": "ExecStart=python other.py\n",  # not a unit file
        "conf/nginx.conf": "command=python other.py\n",  # not a supervisor file
    }
    entry = Entrypoint("app/main.py")
    assert run_kind("single_entrypoint", files, entrypoint=entry) == []


def test_commands_that_start_no_server_are_not_launches(run_kind):
    files = {
        "app/main.py": "app = object()\n",
        "Procfile": "web: python manage.py migrate && flask translate compile && flask run\n"
                    "web: ./manage.py collectstatic\n",
        "docker-compose.yml": "services:\n  w:\n    command: python manage.py collectstatic\n",
    }
    # migrate/collectstatic run and exit; 'flask run' names no app here: nothing to compare.
    assert run_kind("single_entrypoint", files, entrypoint=BLESSED) == []


def test_dev_server_of_a_django_project_is_still_compared(run_kind):
    files = {
        "site1/wsgi.py": "application = None\n",
        "docker-compose.yml": "services:\n  w:\n    command: python manage.py runserver\n",
        "manage.py": "x = 1\n",
    }
    entry = Entrypoint("site1/wsgi.py")
    assert run_kind("single_entrypoint", files, entrypoint=entry) == [
        ("docker-compose.yml", 3, "compose command starts file manage.py, not the blessed "
                                  "entrypoint site1/wsgi.py"),
    ]


def test_dockerfile_workdir_maps_through_copy(run_kind):
    files = {
        "backend/app/main.py": "app = object()\n",
        "Dockerfile": "FROM python\nCOPY . /srv\nWORKDIR /srv/backend\n"
                      'CMD ["gunicorn", "app.main:app"]\n',
        "Dockerfile.other": "FROM python\nCOPY requirements.txt /srv/backend\n"
                            "WORKDIR /srv/backend\nCMD gunicorn other:app\n",
    }
    assert run_kind("single_entrypoint", files, entrypoint=Entrypoint("backend/app/main.py")) == [
        ("Dockerfile.other", 4, "Dockerfile CMD starts module other, not the blessed entrypoint "
                                "backend/app/main.py"),
    ]
