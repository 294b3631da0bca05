"""Hand-built RunReports the renderer tests share (golden files are rendered from these).

They are written out field by field, not produced by the engines, so a change in an
engine can never silently change a golden file: only a change in a renderer can.
"""

from __future__ import annotations

from truthgate.model import (
    Exchange,
    Finding,
    InvariantResult,
    Location,
    Outcome,
    RunContext,
    RunReport,
    ScenarioResult,
    Severity,
    StepResult,
)

CONTEXT = RunContext(
    command="verify",
    product="shopfront",
    product_version="2.4.0",
    contract_path="product/truth.yaml",
    contract_hash="9f2c1e0b7a6d5c4b3a29180716f5e4d3c2b1a09f8e7d6c5b4a3928170615f4e3",
    truthgate_version="0.1.0",
    started_at="2025-03-14T09:26:53Z",
    finished_at="2025-03-14T09:26:55Z",
    git_commit="3e1b9c0d2f4a6b8c0e1f2a3b4c5d6e7f80912345",
    git_branch="main",
)


def passing_verify() -> RunReport:
    """Every invariant green, one deliberately skipped."""
    return RunReport(
        context=CONTEXT,
        invariants=(
            InvariantResult(id="one-entrypoint", kind="single_entrypoint",
                            severity=Severity.ERROR, outcome=Outcome.PASS,
                            description="app/main.py is the only production entrypoint",
                            why="Two entrypoints drift apart.", files_examined=41,
                            duration_ms=12.5),
            InvariantResult(id="no-star-imports", kind="no_wildcard_imports",
                            severity=Severity.WARNING, outcome=Outcome.PASS,
                            description="No wildcard imports", files_examined=38,
                            duration_ms=3.25),
            InvariantResult(id="pinned-deps", kind="pinned_dependencies",
                            severity=Severity.INFO, outcome=Outcome.SKIPPED,
                            description="Dependencies are pinned"),
        ),
    )


def failing_verify() -> RunReport:
    """Findings full of characters every format must escape, an errored invariant, skips."""
    secret_loc = Location(path="src/app, v2/cönfig.py", line=12, col=5, end_line=12,
                          end_col=38)
    return RunReport(
        context=RunContext(
            command="verify", product="shop|front <beta>", product_version="2.4.0-rc.1",
            contract_path="product/truth.yaml", contract_hash="ab" * 32,
            truthgate_version="0.1.0", started_at="2025-03-14T09:30:00Z",
            finished_at="2025-03-14T09:30:02Z", git_commit="0123456789abcdef0123",
            git_branch="feature/ä,b:c", git_dirty=True, flags=("--baseline", "base line.json"),
        ),
        invariants=(
            InvariantResult(
                id="no-secrets", kind="no_hardcoded_secrets", severity=Severity.ERROR,
                outcome=Outcome.FAIL,
                description='No literal secrets ("keys", <tokens> & passwords)',
                why="A secret in git is a secret leaked:\nrotate it, then read it from env.",
                files_examined=17, suppressed=1, baselined=2, duration_ms=20.0,
                findings=(
                    Finding(invariant_id="no-secrets", kind="no_hardcoded_secrets",
                            message='SECRET_KEY = "dev-key" — literal <default> & "quoted"',
                            location=secret_loc,
                            hint="Use os.environ[\"SECRET_KEY\"], no default;\nrotate it.",
                            snippet='SECRET_KEY = os.getenv("SECRET_KEY", "dev-key")  # `x` | y',
                            fingerprint="fp:1a2b,3c%4d"),
                    Finding(invariant_id="no-secrets", kind="no_hardcoded_secrets",
                            message="password in URL postgresql://user:***@db:5432/app",
                            severity=Severity.WARNING,
                            location=Location(path="./deploy/settings.py", line=3),
                            hint="Take DATABASE_URL from the environment.",
                            fingerprint="fp:5e6f"),
                ),
            ),
            InvariantResult(
                id="kb-files", kind="required_files", severity=Severity.INFO,
                outcome=Outcome.FAIL, description="Knowledge base exists",
                files_examined=0,
                findings=(
                    Finding(invariant_id="kb-files", kind="required_files",
                            message="kb/runbook.md is missing\r\n(required by the contract)",
                            severity=Severity.INFO, hint="Create it; 100% required."),
                ),
            ),
            InvariantResult(
                id="import-cycles", kind="no_import_cycles", severity=Severity.ERROR,
                outcome=Outcome.ERROR, description="No import cycles",
                error="RecursionError: maximum recursion depth exceeded\nin graph.walk()",
            ),
            InvariantResult(id="no-cors-*", kind="no_cors_wildcard", severity=Severity.ERROR,
                            outcome=Outcome.PASS, description="No CORS wildcard",
                            files_examined=17, duration_ms=1.0),
        ),
        notes=("baseline base line.json: 2 findings matched", "cache: 3 of 17 files re-parsed"),
        skipped_files=(
            Finding(invariant_id="", kind="skipped", message="binary file",
                    severity=Severity.INFO, location=Location(path="static/logo.png")),
            Finding(invariant_id="", kind="skipped", message="not UTF-8 (byte 0xff at 4)",
                    severity=Severity.INFO, location=Location(path="legacy/latin1.py")),
        ),
    )


def smoke_report() -> RunReport:
    """Scenarios that pass, fail (with a masked exchange), error and are skipped."""
    login = Exchange(
        method="POST", url="https://staging.example.test/api/login?next=/a,b",
        request_headers=(("Content-Type", "application/json"), ("Authorization", "***")),
        request_body='{"user": "ann", "password": "***"}',
        status=500, response_headers=(("Content-Type", "text/html; charset=utf-8"),),
        response_body="<h1>Internal Server Error</h1>\n```\nTraceback & </details>\x1b[31m",
        elapsed_ms=231.5,
    )
    return RunReport(
        context=RunContext(
            command="smoke", product="shopfront", product_version="2.4.0",
            contract_path="product/truth.yaml", contract_hash="cd" * 32,
            truthgate_version="0.1.0", started_at="2025-03-14T10:00:00Z",
            finished_at="2025-03-14T10:00:09Z", git_commit="feedfacecafebeef0000",
            git_branch="main", target="staging", base_url="https://staging.example.test",
        ),
        scenarios=(
            ScenarioResult(id="S0", name="health is green", kind="health", outcome=Outcome.PASS,
                           duration_ms=45.0, latencies_ms=(12.0, 15.5, 11.0, 40.25),
                           metrics=(("p95_ms", 40.25), ("requests", 4.0))),
            ScenarioResult(
                id="S3", name="login works", kind="auth_flow", outcome=Outcome.FAIL,
                duration_ms=250.0, latencies_ms=(231.5,),
                failures=("expected status 200, got 500",),
                steps=(
                    StepResult(name="GET /login", outcome=Outcome.PASS,
                               exchange=Exchange(method="GET", url="https://s/login",
                                                 status=200, elapsed_ms=9.0)),
                    StepResult(name="POST /api/login", outcome=Outcome.FAIL, exchange=login,
                               failures=("status: expected 200, got 500",
                                         'body: expected "token" in JSON')),
                ),
            ),
            ScenarioResult(id="S5", name="checkout <under load>", kind="load",
                           outcome=Outcome.ERROR, duration_ms=5000.0,
                           error="connection refused: staging.example.test:443",
                           error_class="ConnectError"),
            ScenarioResult(id="S8", name="admin stays private", kind="forbidden_paths",
                           outcome=Outcome.SKIPPED, skip_reason="needs --allow-unsafe"),
        ),
    )


def smoke_engine_report() -> RunReport:
    """Scenarios shaped exactly as ``smoke/scenario.py`` builds them.

    The engine keeps step failures on their steps and only the kind's verdict in the
    scenario's ``failures``; it copies an errored step's error into the scenario's
    ``error`` as ``"<step>: <error>"`` and names that step in ``error_step``, so renderers
    show it once, under the step. An errored scenario's step failures do not count
    (``counts_step_failures=False``). Each scenario carries its line in the contract.
    """
    products = Exchange(
        method="GET", url="https://staging.example.test/api/products",
        request_headers=(("Accept", "application/json"),), status=200,
        response_headers=(("Content-Type", "application/json"),),
        response_body='{"items": []}', elapsed_ms=18.25)
    step_failures = ("json $.items: expected at least 1 item, got 0",
                     "header Cache-Control: expected present")
    second_post = ("status: expected 201, got 500",)
    return RunReport(
        context=RunContext(
            command="smoke", product="shopfront", product_version="2.4.0",
            contract_path="product/truth.yaml", contract_hash="ef" * 32,
            truthgate_version="0.1.0", started_at="2025-03-14T11:00:00Z",
            finished_at="2025-03-14T11:00:04Z", git_commit="c0ffee00c0ffee00c0ff",
            git_branch="main", target="staging", base_url="https://staging.example.test",
            flags=("--allow-unsafe",),
        ),
        scenarios=(
            ScenarioResult(id="S0", name="health is green", kind="health", outcome=Outcome.PASS,
                           duration_ms=14.0, latencies_ms=(9.5,), line=40,
                           steps=(StepResult(name="GET /health", outcome=Outcome.PASS),)),
            ScenarioResult(
                id="S1", name="catalogue lists products", kind="steps", outcome=Outcome.FAIL,
                duration_ms=40.0, latencies_ms=(7.0, 18.25), line=43,
                steps=(
                    StepResult(name="GET /health", outcome=Outcome.PASS),
                    StepResult(name="GET /api/products", outcome=Outcome.FAIL,
                               exchange=products, failures=step_failures),
                ),
            ),
            ScenarioResult(
                id="S2", name="orders answer", kind="steps", outcome=Outcome.ERROR,
                duration_ms=3.5,
                error="GET /api/orders: staging.example.test refused the connection "
                      "(nothing listens there)",
                error_class="connect-refused", counts_step_failures=False,
                error_step="GET /api/orders", line=52,
                steps=(StepResult(
                    name="GET /api/orders", outcome=Outcome.ERROR,
                    exchange=Exchange(method="GET",
                                      url="https://staging.example.test/api/orders"),
                    error="staging.example.test refused the connection (nothing listens "
                          "there)",
                    error_class="connect-refused"),),
            ),
            ScenarioResult(
                id="S4", name="ordering twice is safe", kind="idempotency",
                outcome=Outcome.FAIL, duration_ms=60.0, latencies_ms=(21.0, 25.5), line=57,
                failures=("the repeated request created a second order (ids 41 and 42)",),
                steps=(
                    StepResult(name="POST /api/orders #1", outcome=Outcome.PASS),
                    StepResult(name="POST /api/orders #2", outcome=Outcome.FAIL,
                               failures=second_post),
                ),
            ),
            ScenarioResult(id="S6", name="refunds are idempotent", kind="idempotency",
                           outcome=Outcome.SKIPPED, line=66,
                           skip_reason="unsafe (it writes); run with --allow-unsafe to "
                                       "include it"),
            ScenarioResult(id="S7", name="nothing crashes", kind="no_crash",
                           outcome=Outcome.ERROR, duration_ms=12.0,
                           error="the no_crash check crashed: KeyError('p95')",
                           error_class="internal", counts_step_failures=False, line=72,
                           steps=(StepResult(name="GET /", outcome=Outcome.PASS),)),
        ),
    )


def logs_report() -> RunReport:
    """A ``truthgate logs`` run as ``logs/report.py`` shapes it: one invariant per pattern."""
    why = "A deployment that logs this is broken in a way its health check does not show."
    return RunReport(
        context=RunContext(command="logs", contract_path="product/truth.yaml",
                           truthgate_version="0.1.0", started_at="2025-03-14T12:00:00Z",
                           finished_at="2025-03-14T12:00:01Z"),
        invariants=(
            InvariantResult(
                id="log:traceback", kind="forbidden_log_pattern", severity=Severity.ERROR,
                outcome=Outcome.FAIL, description="/Traceback/ — max 0 in the whole log",
                why=why, files_examined=1,
                findings=tuple(
                    Finding(invariant_id="log:traceback", kind="forbidden_log_pattern",
                            message=f"'traceback' matched 2 lines, max 0 in the whole log: "
                                    f"Traceback (most recent call last) #{n}",
                            location=Location(path="deploy/app.log", line=line),
                            hint="Fix the cause the line reports.",
                            fingerprint=f"log:traceback:{line}")
                    for n, line in ((1, 120), (2, 348))),
            ),
            InvariantResult(
                id="log:bad-regex", kind="forbidden_log_pattern", severity=Severity.ERROR,
                outcome=Outcome.ERROR, description="/([/ — max 0 in the whole log", why=why,
                error="the pattern does not compile: missing ), unterminated subpattern",
                files_examined=1,
            ),
            InvariantResult(id="log:error-loop", kind="error_loop", severity=Severity.ERROR,
                            outcome=Outcome.PASS,
                            description="the same error line at most 50 times",
                            files_examined=1),
        ),
        notes=("log: deploy/app.log, 400 lines, 31000 characters, 2 error lines",),
    )


SAMPLES = {
    "passing_verify": passing_verify,
    "failing_verify": failing_verify,
    "smoke": smoke_report,
    "smoke_engine": smoke_engine_report,
    "logs": logs_report,
}
