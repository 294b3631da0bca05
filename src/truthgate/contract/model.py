"""The validated contract as typed, frozen dataclasses: the only form the core sees."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from truthgate.model import Severity


@dataclass(frozen=True)
class Product:
    name: str
    version: str = ""
    owners: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Process:
    """A secondary process started beside the web one (``entrypoint.processes``)."""

    name: str
    path: str
    command: str = ""


@dataclass(frozen=True)
class Entrypoint:
    """The single blessed way the product starts (and its declared secondary processes)."""

    path: str  # the blessed file, relative to the repository root
    command: str = (
        ""  # how it starts in production, e.g. 'python main.py' or 'uvicorn app.main:app'
    )
    forbidden: tuple[str, ...] = ()  # files that must be absent or quarantined
    allow_main_guards: tuple[str, ...] = ("scripts/**", "tests/**", "quarantine/**")
    processes: tuple[Process, ...] = ()

    def starts(self) -> tuple[tuple[str, str], ...]:
        """(path, command) of the web process, then of each secondary process."""
        return ((self.path, self.command), *((p.path, p.command) for p in self.processes))


@dataclass(frozen=True)
class EnvVar:
    name: str
    secret: bool = False
    description: str = ""


@dataclass(frozen=True)
class Env:
    required: tuple[EnvVar, ...] = ()
    optional: tuple[EnvVar, ...] = ()
    forbidden: tuple[EnvVar, ...] = ()
    example_file: str = ""  # e.g. '.env.example'; '' when the contract names none
    # Extra accessor functions that read an env var by name, e.g. 'config.env' or 'get_env'.
    accessors: tuple[str, ...] = ()
    # The project's own placeholder values (fnmatch globs), on top of the built-in list.
    placeholders: tuple[str, ...] = ()

    @property
    def declared(self) -> tuple[EnvVar, ...]:
        return self.required + self.optional

    @property
    def secret_names(self) -> frozenset[str]:
        return frozenset(v.name for v in self.required + self.optional + self.forbidden if v.secret)


@dataclass(frozen=True)
class KbFile:
    path: str
    headings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Kb:
    files: tuple[KbFile, ...] = ()


# What is not product code: dot-directories (tool configs, fixtures of linters), tests and
# test fixtures. The production scope's default exclude (kb/contract.md#production).
PRODUCTION_EXCLUDE = (
    ".*/**", "**/.*/**",
    "tests/**", "**/tests/**", "test/**", "**/test/**", "testing/**", "**/testing/**",
    "**/test_*.py", "**/*_test.py", "**/tests.py", "**/conftest.py",
    "**/fixtures/**", "**/testdata/**",
)


@dataclass(frozen=True)
class Production:
    """The paths that are product code: runtime kinds check these by default."""

    paths: tuple[str, ...] = ()  # () = each kind's own default paths
    exclude: tuple[str, ...] = PRODUCTION_EXCLUDE


@dataclass(frozen=True)
class Legacy:
    quarantine_dir: str = "quarantine"
    # Module patterns (fnmatch on dotted names, e.g. 'legacy.*', 'bot_kie') that the blessed
    # path must never import, directly or transitively.
    forbidden_modules: tuple[str, ...] = ()


@dataclass(frozen=True)
class InvariantSpec:
    """One declared invariant; ``params`` is the kind's own frozen Params dataclass."""

    id: str
    kind: str
    severity: Severity = Severity.ERROR
    message: str = ""
    paths: tuple[str, ...] = ()  # empty: the kind's default paths
    exclude: tuple[str, ...] = ()
    params: Any = None
    line: int = 0  # where the invariant is declared in the contract file
    # The kind's own keys as written. When the contract text is known valid (this same
    # code typed it without a problem before) ``params`` stays None and the verify runner
    # types these, so commands that never verify (smoke) skip importing the kinds.
    raw_params: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    budget_ms: float | None = None
    name: str = ""
    unsafe: bool = False


@dataclass(frozen=True)
class Mode:
    name: str
    allows: tuple[str, ...] = ()  # route names or 'METHOD /path' this mode serves
    refuses: tuple[str, ...] = ()
    refusal_status: int = 503
    description: str = ""


@dataclass(frozen=True)
class LogPattern:
    name: str
    regex: str
    max: int = 0  # occurrences allowed (in the whole log, or per window)
    window_seconds: int = 0  # 0: the whole log
    severity: Severity = Severity.ERROR


@dataclass(frozen=True)
class Observability:
    forbidden_log_patterns: tuple[LogPattern, ...] = ()
    error_loop_limit: int = 0  # same error line repeated more than this is a finding; 0: off


@dataclass(frozen=True)
class ReleaseStep:
    name: str
    run: str  # 'verify' | 'smoke' | 'logs' | 'dod' | 'command'
    target: str = ""
    command: str = ""
    source: str = ""  # a logs step's log file, relative to the repository root or absolute
    source_command: str = ""  # a logs step's log as the output of a shell-free command
    optional: bool = False  # a step that cannot run is skipped (said in the tag), not red
    timeout_seconds: float = 1800.0  # a 'command' step is killed (with its children) after


@dataclass(frozen=True)
class DefinitionOfDone:
    """What counts toward the definition of done (see ``cycles.dod``).

    The older form ``consecutive_green_cycles: N`` counts every recorded verify, smoke
    and logs cycle (``of: any``, ``distinct: cycle``). The newer form ``consecutive_green:
    N`` defaults to ``of: smoke``, ``distinct: deployment``: N green deploys in a row.
    """

    consecutive_green_cycles: int = 1  # N, whichever form the contract used
    criteria: tuple[str, ...] = ()
    of: str = "any"  # any | verify | smoke | logs: which recorded cycles are evidence
    distinct: str = "cycle"  # cycle | commit | deployment: what makes two cycles two
    deployment_field: str = ""  # JMESPath into the health endpoint's JSON: the deployment
    deployment_path: str = ""  # where to read it ('' the first health scenario's path)


@dataclass(frozen=True)
class Release:
    checklist: tuple[ReleaseStep, ...] = ()
    definition_of_done: DefinitionOfDone = field(default_factory=DefinitionOfDone)
    cycles_dir: str = "reports/cycles"


@dataclass(frozen=True)
class VerifySettings:
    exclude: tuple[str, ...] = ()  # global excludes on top of .gitignore
    cache: bool = True
    # (glob, reason): Python files that may stay unexamined without failing the gate
    accept_unexamined: tuple[tuple[str, str], ...] = ()
    python: str = ""  # the Python the project runs on ("3.12"); "" = read from its files
    source_roots: tuple[str, ...] = ()  # directories imports resolve from; () = detected


@dataclass(frozen=True)
class Contract:
    version: int
    product: Product
    entrypoint: Entrypoint
    env: Env
    kb: Kb
    legacy: Legacy
    invariants: tuple[InvariantSpec, ...]
    routes: tuple[Route, ...] = ()
    modes: tuple[Mode, ...] = ()
    smoke: Any = None  # truthgate.smoke.spec.SmokeSpec, or None when the section is absent
    observability: Observability = field(default_factory=Observability)
    release: Release = field(default_factory=Release)
    verify: VerifySettings = field(default_factory=VerifySettings)
    production: Production = field(default_factory=Production)
    # Where it came from: the contract file, the repository root every path is relative to,
    # and a hash of the file's bytes (cycle reports and caches key on it).
    source: Path = Path("product/truth.yaml")
    root: Path = Path(".")
    sha256: str = ""
