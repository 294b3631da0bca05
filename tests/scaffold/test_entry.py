"""init's entrypoint detection, on real files in temp repositories: every deploy descriptor
a Python service uses, true positives and look-alikes that must not be picked."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from truthgate.cli.main import app
from truthgate.contract import load_contract
from truthgate.scaffold.discover import Discovery, discover
from truthgate.scaffold.entry import is_config_path, is_test_path


def _repo(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _found(tmp_path: Path, files: dict[str, str]) -> Discovery:
    return discover(_repo(tmp_path, files))


APP = "from fastapi import FastAPI\napp = FastAPI()\n"
GUARD = "if __name__ == '__main__':\n    main()\n"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        pytest.param(  # shell form across continuation lines, the server on the second
            {"Dockerfile": "FROM python:3.12\nCMD poetry run alembic upgrade head && \\\n"
             "    poetry run uvicorn --host=0.0.0.0 app.main:app\n",
             "app/__init__.py": "", "app/main.py": APP},
            "app/main.py", id="dockerfile-shell-form-continued"),
        pytest.param(  # a Dockerfile in a subdirectory, exec form
            {"backend/Dockerfile": 'FROM python:3.12\nCMD ["gunicorn", "-k", '
             '"uvicorn.workers.UvicornWorker", "app.main:app"]\n',
             "backend/app/__init__.py": "", "backend/app/main.py": APP},
            "backend/app/main.py", id="dockerfile-in-subdir"),
        pytest.param(  # a gunicorn config file is an option value, never the app
            {"Dockerfile": 'FROM python:3.10\nCMD ["gunicorn", "--config", "gunicorn-cfg.py", '
             '"run:app"]\n', "gunicorn-cfg.py": "bind = '0.0.0.0:5005'\n",
             "run.py": "app = object()\n" + GUARD},
            "run.py", id="gunicorn-config-not-picked"),
        pytest.param(  # an entry script that execs the server; a root tests.py with a guard
            {"Dockerfile": 'FROM python:slim\nENTRYPOINT ["./boot.sh"]\n',
             "boot.sh": "#!/bin/bash\nflask db upgrade\n"
             "exec gunicorn -b :5000 --access-logfile - microblog:app\n",
             "microblog.py": "from app import app\n", "app/__init__.py": "app = 1\n",
             "tests.py": "import unittest\n" + GUARD},
            "microblog.py", id="entry-script-exec"),
        pytest.param(  # an entry script that execs "$@", the CMD an uwsgi ini file
            {"Dockerfile": 'FROM python:3.12\nWORKDIR /code/\nENTRYPOINT '
             '["/code/docker-entrypoint.sh"]\nCMD ["uwsgi", "/code/etc/uwsgi.ini"]\n',
             "docker-entrypoint.sh": "#!/bin/sh\npython manage.py migrate --noinput\n"
             'exec "$@"\n',
             "etc/uwsgi.ini": "[uwsgi]\nhttp-socket=:$(PORT)\nwsgi-file=shop/wsgi.py\n",
             "shop/__init__.py": "", "shop/wsgi.py": "application = None\n",
             "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', "
             "'shop.settings')\n" + GUARD},
            "shop/wsgi.py", id="uwsgi-ini-via-entry-script"),
        pytest.param(  # compose: the command is relative to the service's build context
            {"docker-compose.prod.yml": "services:\n  web:\n    build:\n      context: ./app\n"
             "    command: gunicorn hello.wsgi:application --bind 0.0.0.0:8000\n",
             "docker-compose.yml": "services:\n  web:\n    build: ./app\n"
             "    command: python manage.py runserver 0.0.0.0:8000\n",
             "app/manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', "
             "'hello.settings')\n" + GUARD,
             "app/hello/__init__.py": "", "app/hello/wsgi.py": "application = None\n",
             "app/hello/settings.py": "DEBUG = False\n"},
            "app/hello/wsgi.py", id="compose-build-context"),
        pytest.param(  # a Flask manage.py named by gunicorn is the app
            {"compose.yaml": "services:\n  web:\n    build: ./services/web\n"
             "    command: gunicorn --bind 0.0.0.0:5000 manage:app\n",
             "services/web/manage.py": "from project import app\n"},
            "services/web/manage.py", id="compose-yaml-flask-manage"),
        pytest.param(
            {"docker-stack.yml": "services:\n  api:\n    command: [hypercorn, 'svc.api:app']\n",
             "svc/__init__.py": "", "svc/api.py": APP},
            "svc/api.py", id="docker-stack"),
        pytest.param(  # Procfile: commands before the server are skipped
            {"Procfile": "release: python manage.py migrate\n"
             "web: flask db upgrade; flask translate compile; gunicorn microblog:app\n"
             "worker: rq worker tasks\n", "microblog.py": "app = 1\n"},
            "microblog.py", id="procfile"),
        pytest.param(
            {"render.yaml": "services:\n  - type: web\n    buildCommand: ./build.sh\n"
             "    startCommand: python -m gunicorn mysite.asgi:application -k "
             "uvicorn.workers.UvicornWorker\n",
             "mysite/__init__.py": "", "mysite/asgi.py": "application = None\n",
             "mysite/wsgi.py": "application = None\n"},
            "mysite/asgi.py", id="render-yaml"),
        pytest.param(  # heroku.yml's run.web, as a command list; release is no server
            {"heroku.yml": "release:\n  command:\n    - python manage.py migrate\n"
             "run:\n  web:\n    command:\n      - gunicorn shop.wsgi\n",
             "shop/__init__.py": "", "shop/wsgi.py": "application = None\n"},
            "shop/wsgi.py", id="heroku-yml"),
        pytest.param(
            {"fly.toml": 'app = "x"\n[processes]\napp = "gunicorn --bind :8000 hello.wsgi"\n',
             "hello/__init__.py": "", "hello/wsgi.py": "application = None\n"},
            "hello/wsgi.py", id="fly-toml"),
        pytest.param(
            {"app.yaml": "runtime: python312\nentrypoint: gunicorn -b :$PORT main:app\n",
             "main.py": "app = 1\n"},
            "main.py", id="app-engine"),
        pytest.param(
            {"deploy/api.service": "[Service]\nExecStart=/srv/venv/bin/uvicorn svc.api:app "
             "--app-dir src --port 8000\n",
             "src/svc/__init__.py": "", "src/svc/api.py": APP},
            "src/svc/api.py", id="systemd-app-dir"),
        pytest.param(
            {"deployment/supervisor/web.conf": "[program:web]\n"
             "command=/home/u/venv/bin/gunicorn -b localhost:8000 -w 4 blog:app\n",
             "blog.py": "app = 1\n"},
            "blog.py", id="supervisor"),
        pytest.param(  # WORKDIR inside what COPY put in the image
            {"Dockerfile": "FROM python:3.12\nCOPY . /srv\nWORKDIR /srv/backend\n"
             'CMD ["uvicorn", "app.main:app"]\n',
             "backend/app/__init__.py": "", "backend/app/main.py": APP,
             "app/__init__.py": "", "app/main.py": "# a look-alike at the root\n"},
            "backend/app/main.py", id="dockerfile-workdir"),
        pytest.param(  # a multi-stage build: the last stage's WORKDIR, COPY --from ignored
            {"deploy/Dockerfile": "FROM python:3.12 AS build\nWORKDIR /build\nCOPY . .\n"
             "FROM python:3.12-slim\nWORKDIR /code\nCOPY --from=build /build /x\n"
             "COPY ./svc /code\nCMD gunicorn web:app\n",
             "deploy/svc/web.py": APP, "web.py": "# a look-alike at the root\n"},
            "deploy/svc/web.py", id="dockerfile-multistage-workdir"),
        pytest.param(  # gunicorn -c with the app in the config file
            {"Dockerfile": 'FROM python:3.12\nCMD ["gunicorn", "-c", "deploy/gunicorn.conf.py"]\n',
             "deploy/gunicorn.conf.py": "bind = ':8000'\nwsgi_app = 'shop.web:app'\n",
             "shop/__init__.py": "", "shop/web.py": APP},
            "shop/web.py", id="gunicorn-config-wsgi-app"),
        pytest.param(  # an executable script as the command
            {"Dockerfile": 'FROM python:3.12\nCMD ["./serve.py", "--port", "80"]\n',
             "serve.py": "#!/usr/bin/env python\n" + GUARD},
            "serve.py", id="executable-script"),
        pytest.param(  # python -m pkg runs pkg/__main__.py
            {"Dockerfile": 'FROM python:3.12\nCMD ["python", "-m", "bot"]\n',
             "bot/__init__.py": "", "bot/__main__.py": GUARD},
            "bot/__main__.py", id="python-m-package"),
        pytest.param(  # a server imports the package, it does not run its __main__
            {"Procfile": "web: gunicorn 'shop:create_app()'\n",
             "shop/__init__.py": "def create_app(): ...\n", "shop/__main__.py": GUARD},
            "shop/__init__.py", id="server-imports-package"),
        pytest.param(
            {"Dockerfile": 'FROM python:3.12\nCMD ["fastapi", "run", "app/main.py", '
             '"--port", "80"]\n', "app/main.py": APP},
            "app/main.py", id="fastapi-run"),
        pytest.param(
            {"Dockerfile": 'FROM python:3.12\nCMD ["gunicorn", "--chdir", "backend", '
             '"app.main:app"]\n', "backend/app/__init__.py": "", "backend/app/main.py": APP,
             "app/main.py": "# a look-alike at the root\n"},
            "backend/app/main.py", id="gunicorn-chdir"),
        pytest.param(  # the base image's documented default: app.main:app from /app
            {"backend/Dockerfile": "FROM tiangolo/uvicorn-gunicorn-fastapi:python3.10\n"
             "WORKDIR /app/\nCOPY ./app /app/app\n",
             "backend/prestart.sh": "python /app/app/backend_pre_start.py\nalembic upgrade head\n",
             "backend/app/__init__.py": "", "backend/app/main.py": APP,
             "backend/app/backend_pre_start.py": GUARD},
            "backend/app/main.py", id="tiangolo-base-image"),
    ],
)
def test_entrypoint_from_deploy_files(tmp_path: Path, files: dict[str, str],
                                      expected: str) -> None:
    found = _found(tmp_path, files)
    assert found.entrypoint == expected
    assert found.choice.sure, found.choice.doubts
    assert found.command and not found.command.startswith("exec ")


def test_entry_script_helpers_and_tests_are_allowed_not_forbidden(tmp_path: Path) -> None:
    found = _found(tmp_path, {
        "backend/Dockerfile": "FROM tiangolo/uvicorn-gunicorn-fastapi:python3.10\n",
        "backend/prestart.sh": "#! /usr/bin/env bash\npython /app/app/backend_pre_start.py\n"
        "python /app/app/initial_data.py\n",
        "backend/app/main.py": APP,
        "backend/app/backend_pre_start.py": GUARD, "backend/app/initial_data.py": GUARD,
        "backend/app/tests_pre_start.py": GUARD, "tests.py": GUARD,
        "tools/old_runner.py": GUARD,
    })
    assert found.entrypoint == "backend/app/main.py"
    assert set(found.allowed_scripts) == {
        "backend/app/backend_pre_start.py", "backend/app/initial_data.py",
        "**/tests_*.py", "**/tests.py",
    }
    assert found.other_entrypoints == ("tools/old_runner.py",)


def test_django_manage_is_allowed_and_stands_for_wsgi(tmp_path: Path) -> None:
    manage = ("import os\nfrom django.core.management import execute_from_command_line\n"
              "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site1.settings')\n" + GUARD)
    found = _found(tmp_path, {
        "docker-compose.yml": "services:\n  web:\n    command: python manage.py runserver\n",
        "manage.py": manage, "site1/__init__.py": "", "site1/wsgi.py": "application = None\n",
        "site1/settings.py": "DEBUG = True\n",
    })
    assert found.entrypoint == "site1/wsgi.py"
    assert "manage.py" in found.allowed_scripts and "manage.py" not in found.other_entrypoints
    assert not found.choice.sure  # only a development server starts it
    assert any("development server" in d for d in found.choice.doubts)


def test_management_commands_are_not_launches(tmp_path: Path) -> None:
    found = _found(tmp_path, {
        "Procfile": "web: python manage.py migrate && gunicorn shop.wsgi\n",
        "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', "
        "'shop.settings')\n",
        "shop/__init__.py": "", "shop/wsgi.py": "application = None\n",
    })
    assert found.entrypoint == "shop/wsgi.py" and found.choice.sure


def test_flask_run_reads_flask_app_and_is_a_dev_server(tmp_path: Path) -> None:
    found = _found(tmp_path, {
        "Dockerfile": 'FROM python:3.12\nENV FLASK_APP app.py\nCMD ["flask", "run", '
        '"--host", "0.0.0.0"]\n',
        "app.py": "app = 1\n",
    })
    assert found.entrypoint == "app.py"
    assert any("development server" in d for d in found.choice.doubts)


# -- look-alikes: never a test, a config file or a file that does not exist ------------------
def test_a_command_naming_a_missing_module_is_not_guessed_into_a_path(tmp_path: Path) -> None:
    found = _found(tmp_path, {
        "Dockerfile": 'FROM python:3.12\nCMD ["uvicorn", "main:app"]\n',
        "service/api.py": APP, "tests/test_api.py": GUARD, "tests.py": GUARD,
    })
    assert found.entrypoint != "main.py"
    assert (tmp_path / found.entrypoint).is_file()
    assert not found.choice.sure
    assert any("starts main" in d for d in found.choice.doubts)


def test_a_test_file_named_by_a_deploy_file_is_refused(tmp_path: Path) -> None:
    found = _found(tmp_path, {
        "Procfile": "web: python tests.py\n", "tests.py": GUARD, "app.py": "app = 1\n" + GUARD,
    })
    assert found.entrypoint == "app.py" and not found.choice.sure
    assert any("a test or configuration file" in d for d in found.choice.doubts)


def test_no_deploy_file_is_a_guess_with_a_todo_and_a_notice(tmp_path: Path) -> None:
    _repo(tmp_path, {
        "app.py": "app = 1\n", "run_server.py": "from app import app\n" + GUARD,
        "tests/test_x.py": GUARD, "gunicorn.conf.py": GUARD, "tests.py": GUARD,
    })
    result = CliRunner().invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "product" / "truth.yaml").read_text()
    assert "# TODO(init): entrypoint: no deploy file says how production starts" in text
    assert "notice: entrypoint: no deploy file says how production starts" in result.stdout
    contract = load_contract(tmp_path / "product" / "truth.yaml")
    assert contract.entrypoint.path == "run_server.py"  # the main guard beats a bare name
    assert contract.entrypoint.forbidden == ()  # init never forbids on a guess


def test_a_tie_between_deploy_files_is_unsure(tmp_path: Path) -> None:
    found = _found(tmp_path, {
        "Procfile": "web: gunicorn a:app\n", "Dockerfile": 'CMD ["gunicorn", "b:app"]\n',
        "a.py": "app = 1\n", "b.py": "app = 1\n",
    })
    assert found.entrypoint in ("a.py", "b.py") and not found.choice.sure
    assert any("equally often" in d for d in found.choice.doubts)


def test_sure_contract_has_no_todo(tmp_path: Path) -> None:
    _repo(tmp_path, {"Procfile": "web: gunicorn blog:app\n", "blog.py": "app = 1\n"})
    result = CliRunner().invoke(app, ["init", str(tmp_path)])
    assert "notice:" not in result.stdout
    text = (tmp_path / "product" / "truth.yaml").read_text()
    assert "TODO(init)" not in text and "# entrypoint from Procfile:1 (Procfile web)" in text


@pytest.mark.parametrize("path", ["tests.py", "test_app.py", "app/tests/views.py",
                                  "app_test.py", "conftest.py", "tests_pre_start.py"])
def test_is_test_path(path: str) -> None:
    assert is_test_path(path)


@pytest.mark.parametrize("path", ["app/main.py", "contest.py", "latest.py", "attestation.py",
                                  "testimonials/views.py"])
def test_is_not_test_path(path: str) -> None:
    assert not is_test_path(path)


@pytest.mark.parametrize("path", ["gunicorn-cfg.py", "gunicorn.conf.py", "conf.py",
                                  "app/config.py", "site1/settings.py", "site1/settings/prod.py"])
def test_is_config_path(path: str) -> None:
    assert is_config_path(path)


@pytest.mark.parametrize("path", ["app/main.py", "wsgi.py", "run.py", "concurrency.py",
                                  "conference.py", "configurator_app.py", "tasks.py"])
def test_is_not_config_path(path: str) -> None:
    assert not is_config_path(path)


def test_deploy_files_of_examples_and_dev_count_less(tmp_path: Path) -> None:
    found = _found(tmp_path, {
        "Dockerfile": 'FROM python\nCMD ["gunicorn", "svc.main:app"]\n',
        "examples/Dockerfile": 'FROM python\nCMD ["gunicorn", "demo:app"]\n',
        "docs/Procfile": "web: gunicorn demo:app\n",
        "docker-compose.dev.yml": "services:\n  w:\n    command: uvicorn demo:app\n",
        "svc/__init__.py": "", "svc/main.py": APP, "demo.py": APP,
    })
    assert found.entrypoint == "svc/main.py" and found.choice.sure


def test_a_console_script_is_a_cli_entrypoint_below_a_server(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": '[project]\nname = "tool"\n[project.scripts]\ntool = "tool.cli:main"\n',
        "src/tool/__init__.py": "", "src/tool/cli.py": "def main(): ...\n",
        "examples/demo/Procfile": "web: python -m app.main\n",
        "examples/demo/app/__init__.py": "", "examples/demo/app/main.py": GUARD,
    }
    found = _found(tmp_path, files)
    assert (found.entrypoint, found.command) == ("src/tool/cli.py", "tool")
    # ... but a service's server wins over its console scripts.
    _repo(tmp_path, {"Dockerfile": 'CMD ["gunicorn", "tool.web:app"]\n',
                     "src/tool/web.py": APP})
    assert _found(tmp_path, {}).entrypoint == "src/tool/web.py"


def test_test_trees_are_allowed_by_one_glob(tmp_path: Path) -> None:
    files = {f"app/tests/test_{i}.py": GUARD for i in range(5)}
    files.update({"pkg/test_x.py": GUARD, "pkg/y_test.py": GUARD, "tests/z.py": GUARD,
                  "Procfile": "web: gunicorn app.main:app\n", "app/main.py": APP})
    found = _found(tmp_path, files)
    assert set(found.allowed_scripts) == {"**/tests/**", "**/test_*.py", "**/*_test.py"}
    result = CliRunner().invoke(app, ["verify", "-c", str(_init(tmp_path)), "--no-cache",
                                      "--select", "single-entrypoint", "--no-record"])
    assert result.exit_code == 0, result.output


def _init(root: Path) -> Path:
    result = CliRunner().invoke(app, ["init", str(root)])
    assert result.exit_code == 0, result.output
    return root / "product" / "truth.yaml"


def test_init_then_verify_has_no_finding_caused_by_init(tmp_path: Path) -> None:
    """A small service shaped like the panel's: every deploy style at once, clean code."""
    _repo(tmp_path, {
        "Dockerfile": 'FROM python:slim\nENTRYPOINT ["./boot.sh"]\n',
        "boot.sh": "#!/bin/bash\nflask db upgrade\npython scripts_seed.py\n"
                   "exec gunicorn -b :5000 blog:app\n",
        "Procfile": "release: python manage_db.py\nweb: flask db upgrade; gunicorn blog:app\n",
        "docker-compose.yml": "services:\n  web:\n    build: .\n"
                              "    command: flask run --debug\n",
        ".flaskenv": "FLASK_APP=blog.py\n",
        "blog.py": "from app import create_app\napp = create_app()\n",
        "app/__init__.py": "def create_app():\n    return object()\n",
        "app/config.py": "import os\nSECRET_KEY = os.environ['SECRET_KEY']\n"
                         "DB = os.getenv('DATABASE_URL', 'sqlite://')\n"
                         "TOKEN_TTL = int(os.getenv('ACCESS_TOKEN_EXPIRE_MINUTES', '30'))\n",
        "scripts_seed.py": "def seed():\n    pass\n\n" + GUARD,
        "gunicorn-cfg.py": "bind = ':5000'\n",
        "tests.py": "import os\nos.environ['TESTING'] = '1'\n" + GUARD,
        ".env.example": "SECRET_KEY=changethis\n"
                        "DATABASE_URL=postgresql://app:<password>@db/app\n",
    })
    contract = _init(tmp_path)
    text = contract.read_text()
    assert 'path: "blog.py"' in text and "TODO(init)" not in text
    result = CliRunner().invoke(app, [
        "verify", "-c", str(contract), "--no-cache", "--no-record",
        "--select", "single-entrypoint", "--select", "env-contract",
        "--select", "no-hardcoded-secrets",
    ])
    assert result.exit_code == 0, result.output
