"""The registry of report formats: one entry per format, the one list everything reads.

The CLI derives ``--format``/``--out`` choices and help from it, the reports package
renders through it, kb/ documents it. Standard library only, so the CLI can list the
formats at start-up without importing a renderer.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from truthgate.model import RunReport

RenderFn = Callable[["RunReport"], str]


@dataclass(frozen=True)
class Reporter:
    """One output format: where its renderer lives and how its files are named.

    ``module`` must define ``render(report: RunReport) -> str``; it is imported on first
    use only.
    """

    name: str
    module: str
    suffix: str
    media_type: str
    summary: str

    def load(self) -> RenderFn:
        """Import the format's module and return its ``render`` function."""
        fn: RenderFn = importlib.import_module(self.module).render
        return fn

    def render(self, report: RunReport) -> str:
        """Render ``report`` in this format."""
        return self.load()(report)


def _reporter(name: str, module: str, suffix: str, media_type: str, summary: str) -> Reporter:
    return Reporter(name, f"truthgate.reports.{module}", suffix, media_type, summary)


REPORTERS: dict[str, Reporter] = {
    r.name: r
    for r in (
        _reporter("text", "text", ".txt", "text/plain",
                  "plain terminal report grouped by invariant, one-line verdict"),
        _reporter("json", "json_report", ".json", "application/json",
                  "schema-versioned JSON of every field of the run"),
        _reporter("sarif", "sarif", ".sarif", "application/sarif+json",
                  "SARIF 2.1.0 of findings and red scenarios, for code scanning"),
        _reporter("junit", "junit", ".xml", "application/xml",
                  "JUnit XML: one test case per invariant and scenario"),
        _reporter("github", "github", ".txt", "text/plain",
                  "GitHub Actions workflow commands (annotations)"),
        _reporter("markdown", "markdown", ".md", "text/markdown",
                  "cycle report for a release captain and $GITHUB_STEP_SUMMARY"),
        _reporter("html", "html", ".html", "text/html", "self-contained HTML page, no scripts"),
    )
}


def formats() -> tuple[str, ...]:
    """The registered format names, in registration order (for ``--format`` help)."""
    return tuple(REPORTERS)


def help_list() -> str:
    """The format names as help text lists them: ``text, json, ..., html``."""
    return ", ".join(REPORTERS)
