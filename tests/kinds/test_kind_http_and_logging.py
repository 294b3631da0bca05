"""http_timeouts and no_secret_logging: positives and look-alike negatives."""

from __future__ import annotations

from truthgate.contract.model import Env, EnvVar


def test_requests_without_timeout(run_kind):
    files = {
        "client.py": """
            import requests
            import requests as r
            from requests import post

            requests.get("https://x")
            r.put("https://x", json={})
            post("https://x", data=b"")
            requests.request("GET", "https://x", timeout=None)
            s = requests.Session()
            s.get("https://x")
            requests.head("https://x", timeout=5)
            """,
    }
    assert run_kind("http_timeouts", files) == [
        ("client.py", 5, "requests.get() has no timeout="),
        ("client.py", 6, "requests.put() has no timeout="),
        ("client.py", 7, "requests.post() has no timeout="),
        ("client.py", 8, "requests.request() timeout=None disables the timeout"),
        ("client.py", 10, "Session call s.get() has no timeout="),
    ]


def test_requests_lookalikes_are_fine(run_kind):
    files = {
        "client.py": """
            import httpx
            import requests
            requests.get("https://x", timeout=(3, 10))
            requests.post("https://x", **options)
            httpx.get("https://x")
            session.get("https://x")
            cache.get("key")
            os.environ.get("HOME")
            """,
        "tests/test_client.py": "import requests\nrequests.get('https://x')\n",
    }
    assert run_kind("http_timeouts", files) == []


def test_httpx_is_opt_in(run_kind):
    files = {
        "client.py": """
            import httpx
            httpx.get("https://x")
            client = httpx.Client()
            client.get("/path")
            httpx.AsyncClient(timeout=10)
            httpx.post("https://x", timeout=2.0)
            """,
    }
    assert run_kind("http_timeouts", files, {"libraries": ["requests", "httpx"]}) == [
        ("client.py", 2, "httpx.get() has no timeout="),
        ("client.py", 3, "httpx.Client() has no timeout="),
    ]


def test_secret_logging(run_kind):
    files = {
        "auth.py": """
            import logging
            logger = logging.getLogger(__name__)

            def login(user, password, access_token, settings):
                logger.info(f"issued {access_token} for {user.email}")
                logging.debug("pw=%s", password)
                print("key", settings.SECRET_KEY)
                self.logger.warning("stripe %s", STRIPE_KEY)
                logger.info("%s %d", password, len(access_token))
            """,
    }
    env = Env(required=(EnvVar("STRIPE_KEY", secret=True),))
    assert run_kind("no_secret_logging", files, env=env) == [
        ("auth.py", 5, "logger.info() logs secret-like value(s): access_token"),
        ("auth.py", 6, "logging.debug() logs secret-like value(s): password"),
        ("auth.py", 7, "print() logs secret-like value(s): SECRET_KEY"),
        ("auth.py", 8, "self.logger.warning() logs secret-like value(s): STRIPE_KEY"),
        ("auth.py", 9, "logger.info() logs secret-like value(s): password"),
    ]


def test_secret_logging_lookalikes_are_fine(run_kind):
    files = {
        "auth.py": """
            import logging, hashlib
            logger = logging.getLogger(__name__)

            def refresh(token, token_count, password_reset_url, user, next_page_token):
                logger.info("token refreshed for %s", user.id)
                logger.info("tokens used: %d", token_count)
                print("reset link:", password_reset_url)
                logger.debug("token length %d", len(token))
                logger.debug("fp %s", hashlib.sha256(token.encode()).hexdigest())
                logger.info("hash %s", user.password_hash)
                logger.info("cursor %s", next_page_token)
                cache.info(token)
                catalog.warning(password)
            """,
        "tests/test_auth.py": "print(password)\n",
    }
    assert run_kind("no_secret_logging", files) == []
