"""The typed smoke section: what ``smoke:`` in ``product/truth.yaml`` becomes after parsing.

Every class is a frozen dataclass built by :func:`truthgate.smoke.spec.parse_smoke` from an
already schema-validated mapping. Strings that may hold templates (``${VAR}``,
``${VAR:-default}``, ``${uuid}``, ``${now}``, ``${run_id}``, captured variables) are kept
verbatim here and rendered only when a scenario runs, so a contract loads the same way
whatever the environment holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
"""Response bodies are read up to this many bytes (decoded); a larger body is an error."""


@dataclass(frozen=True)
class StatusMatch:
    """Accepted HTTP statuses: exact codes and/or whole classes (``2`` stands for ``2xx``)."""

    codes: tuple[int, ...] = ()
    classes: tuple[int, ...] = ()

    def matches(self, status: int) -> bool:
        """True when ``status`` is one of the codes or falls in one of the classes."""
        return status in self.codes or status // 100 in self.classes

    def __str__(self) -> str:
        parts = [str(c) for c in self.codes] + [f"{c}xx" for c in self.classes]
        return " or ".join(parts) if parts else "any"


ANY_2XX = StatusMatch(classes=(2,))
ANY_4XX = StatusMatch(classes=(4,))


@dataclass(frozen=True)
class Auth:
    """Credentials taken from environment variables at run time, never from the contract.

    Exactly one style is set: ``bearer_env`` (``Authorization: Bearer <value>``),
    ``basic_user_env`` + ``basic_password_env`` (HTTP Basic) or ``header`` + ``value_env``
    (an API-key style header). The values are secrets: they are masked in every output.
    """

    bearer_env: str = ""
    basic_user_env: str = ""
    basic_password_env: str = ""
    header: str = ""
    value_env: str = ""

    @property
    def env_names(self) -> tuple[str, ...]:
        """The environment variables this auth reads (all of them are treated as secret)."""
        names = (self.bearer_env, self.basic_user_env, self.basic_password_env, self.value_env)
        return tuple(n for n in names if n)


@dataclass(frozen=True)
class Request:
    """One HTTP request template; ``path`` is joined to the base URL, ``url`` is absolute.

    At most one of ``json`` / ``body`` / ``form`` is set (``has_json`` tells a JSON ``null``
    apart from no JSON). ``raw_body`` is for kinds that must send bytes no template can
    express (invalid UTF-8); contracts cannot set it.
    """

    method: str = "GET"
    path: str = ""
    url: str = ""
    query: tuple[tuple[str, str], ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    json: Any = None
    has_json: bool = False
    body: str | None = None
    form: tuple[tuple[str, str], ...] = ()
    auth: Auth | None = None
    timeout_s: float | None = None
    follow_redirects: bool = True
    raw_body: bytes | None = None
    # A body past the response cap is read up to the cap and judged (by status, headers,
    # what the read part holds) instead of ending the step as ``body-too-large``: for a
    # kind that provokes big answers on purpose (no_crash's 422 echoing a 2 MiB body).
    truncate_body: bool = False


@dataclass(frozen=True)
class JsonCheck:
    """A JMESPath query over the JSON body and one test of its result.

    ``op`` is ``equals`` (deep equality), ``contains`` (list membership or substring),
    ``type`` (JSON type name), ``regex`` (search in the string form) or ``exists``
    (the query yields something other than null, or null when ``value`` is false).
    """

    query: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class HeaderExpect:
    """Response header expectations; names are case-insensitive."""

    present: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    equals: tuple[tuple[str, str], ...] = ()
    regex: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Expect:
    """What a response must look like; an empty ``Expect`` accepts any response.

    ``status`` None means "not checked". ``max_ms`` is the latency budget of the request.
    ``json_schema`` is an inline JSON Schema; ``schema_file`` a repository path to one
    (loaded by the runner relative to the contract's root).
    """

    status: StatusMatch | None = None
    max_ms: float | None = None
    headers: HeaderExpect = field(default_factory=HeaderExpect)
    json_schema: Any = None
    schema_file: str = ""
    json: tuple[JsonCheck, ...] = ()
    body_contains: tuple[str, ...] = ()
    body_not_contains: tuple[str, ...] = ()
    body_regex: tuple[str, ...] = ()
    body_not_regex: tuple[str, ...] = ()


@dataclass(frozen=True)
class Poll:
    """Repeat a step until its expectations hold, for at most ``until_s`` seconds.

    Attempts are also capped by ``max_attempts`` so no contract can make an endless loop.
    Transport errors while polling count as "not yet" (a service that is still starting
    refuses connections); the last attempt's result is what gets reported.
    """

    until_s: float = 30.0
    interval_ms: float = 500.0
    max_attempts: int = 600


@dataclass(frozen=True)
class Step:
    """One request, its expectations, the variables it captures and an optional poll."""

    name: str
    request: Request
    expect: Expect = field(default_factory=Expect)
    capture: tuple[tuple[str, str], ...] = ()  # (variable, JMESPath over the JSON body)
    poll: Poll | None = None


@dataclass(frozen=True)
class Scenario:
    """One smoke scenario: plain ``steps`` or a named ``kind`` with its ``params``.

    ``modes`` empty means "every mode"; when the run names a mode, scenarios listing other
    modes are skipped. ``unsafe`` marks anything that writes: skipped unless the run allows
    unsafe scenarios, refused outright on a production target. ``line`` is where the
    scenario's entry starts in the contract file (1-based; 0 when built without one).
    """

    id: str
    name: str
    kind: str = "steps"
    description: str = ""
    tags: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    unsafe: bool = False
    steps: tuple[Step, ...] = ()
    params: Any = None  # the kind's own frozen Params dataclass; None for 'steps'
    line: int = 0


@dataclass(frozen=True)
class Target:
    """A named deployment (``local``, ``preview``, ``production``...)."""

    name: str
    base_url: str
    production: bool = False
    description: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    # A non-production preview: a release's smoke step here runs the unsafe scenarios too.
    preview: bool = False


@dataclass(frozen=True)
class Defaults:
    """Settings every request inherits unless a step or the command line overrides them."""

    timeout_s: float = 10.0
    budget_ms: float | None = None
    headers: tuple[tuple[str, str], ...] = ()
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_redirects: int = 5
    verify_tls: bool = True
    # All of one scenario's requests together: a burst against a slow server must end
    # even when no --deadline was given. Polling steps extend it by their own wait.
    scenario_timeout_s: float = 120.0
    # A scenario whose precondition is not met: "not_run" (its own outcome, not red) or
    # "fail" (the contract counts it red).
    unmet_precondition: str = "not_run"


@dataclass(frozen=True)
class Readiness:
    """``smoke.readiness``: what "ready" means, so no scenario judges a warming service.

    ``probe``: the path polled (empty: the first health / cold_start path, else ``/``);
    ``timeout_s``: the longest wait (None: the cold_start scenario's budget, else 60 s).
    """

    probe: str = ""
    timeout_s: float | None = None


@dataclass(frozen=True)
class SmokeSpec:
    """The whole ``smoke:`` section."""

    base_url: str = ""
    targets: tuple[Target, ...] = ()
    defaults: Defaults = field(default_factory=Defaults)
    scenarios: tuple[Scenario, ...] = ()
    readiness: Readiness | None = None

    def target(self, name: str) -> Target | None:
        """The target called ``name``, or None."""
        return next((t for t in self.targets if t.name == name), None)
