"""no_cors_wildcard: wildcard origins in every supported form, and the look-alikes."""

from __future__ import annotations


def test_cors_wildcards(run_kind):
    files = {
        "api.py": """
            from fastapi import FastAPI
            from fastapi.middleware.cors import CORSMiddleware
            app = FastAPI()
            app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["*"])
            mw = CORSMiddleware(app, allow_origins="*")
            app.add_middleware(CORSMiddleware, allow_origin_regex=".*")
            """,
        "web.py": """
            from flask import Flask
            from flask_cors import CORS, cross_origin
            from flask_socketio import SocketIO
            app = Flask(__name__)
            CORS(app)
            CORS(app, origins="*")
            CORS(app, resources={r"/api/*": {"origins": "*"}})
            socketio = SocketIO(app, cors_allowed_origins="*")

            @cross_origin()
            def view():
                return ""
            """,
        "config.py": """
            import os
            class Settings:
                cors_origins: list = ["*"]
            CORS_ORIGINS = "https://a.example.com, *"
            CORS_ALLOW_ALL_ORIGINS = True
            FRONTEND = os.getenv("CORS_ORIGINS", "*")
            """,
    }
    assert run_kind("no_cors_wildcard", files) == [
        ("api.py", 4, "allow_origins=['*'] allows every origin"),
        ("api.py", 5, "allow_origins='*' allows every origin"),
        ("api.py", 6, "allow_origin_regex='.*' matches every origin"),
        ("config.py", 3, "cors_origins = ['*'] allows every origin"),
        ("config.py", 4, "CORS_ORIGINS = 'https://a.example.com, *' allows every origin"),
        ("config.py", 5, "CORS_ALLOW_ALL_ORIGINS = True allows every origin"),
        ("config.py", 6, "env var CORS_ORIGINS falls back to '*': every origin when unset"),
        ("web.py", 5, "CORS() without origins allows every origin (Flask-CORS default '*')"),
        ("web.py", 6, "origins='*' allows every origin"),
        ("web.py", 7, "resources with origins '*' allow every origin"),
        ("web.py", 8, "cors_allowed_origins='*' allows every origin"),
        ("web.py", 10,
         "cross_origin() without origins allows every origin (Flask-CORS default '*')"),
    ]


def test_cors_lookalikes_are_fine(run_kind):
    files = {
        "api.py": """
            import glob, os
            from fastapi.middleware.cors import CORSMiddleware
            from flask_cors import CORS
            from flask_socketio import SocketIO
            origins = os.environ["CORS_ORIGINS"].split(",")
            app.add_middleware(CORSMiddleware, allow_origins=origins,
                               allow_methods=["*"], allow_headers=["*"])
            app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])
            CORS(app, origins=os.getenv("CORS_ORIGINS", "https://app.example.com").split(","))
            CORS(app, resources={r"/api/*": {"origins": ["https://app.example.com"]}})
            CORS()
            socketio = SocketIO(app, cors_allowed_origins=origins)
            files = glob.glob("*")
            ALLOWED_HOSTS = ["*"]
            pattern = "*"
            CORS_ALLOW_ALL_ORIGINS = False
            """,
        "tests/test_cors.py": 'CORS_ORIGINS = "*"\n',
    }
    assert run_kind("no_cors_wildcard", files) == []


def test_flask_cors_default_with_config_origins_is_fine(run_kind):
    files = {
        "web.py": """
            from flask_cors import CORS
            app.config["CORS_ORIGINS"] = ["https://app.example.com"]
            CORS(app)
            """,
    }
    assert run_kind("no_cors_wildcard", files) == []


def test_cors_extra_setting_names(run_kind):
    files = {"settings.py": 'FRONTEND_ORIGINS = ["*"]\n'}
    assert run_kind("no_cors_wildcard", files, {"setting_names": ["frontend_origins"]}) == [
        ("settings.py", 1, "FRONTEND_ORIGINS = ['*'] allows every origin"),
    ]


def test_cors_env_or_fallback_to_wildcard(run_kind):
    # 'os.getenv(...) or "*"' is the same wildcard default as 'os.getenv(..., "*")'.
    files = {
        "config.py": """
            import os
            ORIGINS = (os.getenv("CORS_ORIGINS") or "*").split(",")
            ALLOWED = os.getenv("ALLOWED_ORIGINS") or "https://app.example.com"
            """,
    }
    assert run_kind("no_cors_wildcard", files) == [
        ("config.py", 2, "env var CORS_ORIGINS falls back to '*': every origin when unset"),
    ]
