"""Inline suppressions: ``# truthgate: ignore[kind-or-id, ...] reason`` on a finding's line.

A suppression must say why; one without a reason, one naming no rule, or one that suppressed
nothing is itself reported under the synthetic invariant ``truthgate-suppressions``
(missing reasons and empty brackets are errors, unused or unknown rules are warnings).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from truthgate.model import Finding, Location, Severity
from truthgate.verify.baseline import fingerprint
from truthgate.verify.facts import FileFacts, SuppressionComment

SUPPRESSIONS_ID = "truthgate-suppressions"
SUPPRESSIONS_KIND = "suppression"


def _finding(
    path: str, line: int, src: str, message: str, severity: Severity, key: str, hint: str
) -> Finding:
    return Finding(
        invariant_id=SUPPRESSIONS_ID,
        kind=SUPPRESSIONS_KIND,
        message=message,
        severity=severity,
        location=Location(path, line),
        hint=hint,
        snippet=src.strip(),
        fingerprint=fingerprint(SUPPRESSIONS_KIND, path, key, src),
    )


class Suppressions:
    """Every suppression comment of the run, and which rules each one actually used."""

    def __init__(self, files: Iterable[FileFacts]) -> None:
        self._at: dict[tuple[str, int], SuppressionComment] = {}
        for f in files:
            for s in f.suppressions:
                self._at[(f.path, s.line)] = s
        self._used: set[tuple[str, int, str]] = set()

    def suppresses(self, path: str, line: int, invariant_id: str, kind: str) -> bool:
        """True (and remembered) when a comment on that line names the invariant or kind."""
        comment = self._at.get((path, line))
        if comment is None:
            return False
        for rule in (invariant_id, kind):
            if rule in comment.rules:
                self._used.add((path, line, rule))
                return True
        return False

    def problems(
        self,
        checked: set[str],
        known: set[str],
        all_ran: bool,
        line_text: Callable[[str, int], str],
    ) -> list[Finding]:
        """Findings about the comments themselves.

        ``checked``: ids and kinds of invariants that ran to completion this run (only their
        unused suppressions are provably unused); ``known``: every id and kind in the
        contract; ``all_ran``: no --select/--ignore narrowed the run, so a rule naming
        nothing in the contract can be reported as unknown.
        """
        out: list[Finding] = []
        for (path, line), c in sorted(self._at.items()):
            src = line_text(path, line)
            issues = self._issues(path, line, c, checked, known, all_ran)
            for message, severity, key, hint in issues:
                out.append(_finding(path, line, src, message, severity, key, hint))
        return out

    def _issues(
        self,
        path: str,
        line: int,
        c: SuppressionComment,
        checked: set[str],
        known: set[str],
        all_ran: bool,
    ) -> list[tuple[str, Severity, str, str]]:
        if not c.rules:
            return [
                (
                    "suppression names no rule",
                    Severity.ERROR,
                    "no-rule",
                    "Write '# truthgate: ignore[<invariant id or kind>] <why>'.",
                )
            ]
        out = []
        if not c.reason:
            out.append(
                (
                    f"suppression of {', '.join(c.rules)} gives no reason",
                    Severity.ERROR,
                    "no-reason",
                    "Say why after the bracket: '# truthgate: ignore[rule] <why this is fine>'.",
                )
            )
        for rule in c.rules:
            if (path, line, rule) in self._used:
                continue
            if rule in checked:
                out.append(
                    (
                        f"suppression of {rule!r} suppresses nothing on this line",
                        Severity.WARNING,
                        f"unused:{rule}",
                        "Remove the stale suppression comment.",
                    )
                )
            elif all_ran and rule not in known:
                out.append(
                    (
                        f"suppression names {rule!r}, which is no invariant id or kind "
                        "of the contract",
                        Severity.WARNING,
                        f"unknown:{rule}",
                        "Fix the rule name or remove the comment.",
                    )
                )
        return out
