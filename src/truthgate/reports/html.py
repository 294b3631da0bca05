"""HTML: one self-contained page (inline CSS, no CDN, no script) for a run or a ledger.

``render(report)`` is the registered single-run format; the ledger's page (the release
captain's, ``truthgate report html``) is ``cycles/html.py``, built from the same pieces,
so it can be archived as a CI artefact and opened years later, offline. Every piece of run
text is escaped.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from truthgate.model import InvariantResult, Outcome, RunReport, ScenarioResult
from truthgate.reports.common import (
    defang,
    fmt_ms,
    has_smoke,
    has_verify,
    latency_p50_max,
    place,
    scenario_problems,
    section_verdicts,
    short_commit,
    tool_version,
)

_CSS = """
body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;
color:#1f2328}
table{border-collapse:collapse;margin:.5rem 0 1rem}
th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left;vertical-align:top}
td.num{text-align:right}
.pass{color:#1a7f37}.fail,.error{color:#cf222e}.skipped,.not_run{color:#6e7781}
.verdict{font-weight:bold}
code{background:#f6f8fa;padding:0 .2rem}
.chart .line{fill:none;stroke:#0969da;stroke-width:2}
.chart .point{fill:#0969da}
.chart .axis,.chart .grid{stroke:#d0d7de}
.chart text{font-size:11px;fill:#57606a}
.chart .ylabel{text-anchor:end}
.chart .xlabel{text-anchor:middle}
.chart .chart-title{font-size:13px;fill:#1f2328}
.chart .budget{stroke:#cf222e;stroke-dasharray:6 4;stroke-width:1.5}
.chart text.budget-label{fill:#cf222e}
.captain{border:1px solid #d0d7de;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
.headline{font-size:1.6rem;font-weight:bold;margin:.4rem 0}
.headline.unknown{color:#6e7781}
.captain .facts th{width:11rem}
"""


def _e(text: object) -> str:
    """Escape run text for element content and attribute values alike."""
    return html.escape(defang(str(text)), quote=True)


def _outcome(o: Outcome) -> str:
    return f'<span class="{o.value}">{o.value}</span>'


def _context(report: RunReport) -> list[str]:
    ctx = report.context
    rows = [("Command", ctx.command)]
    if ctx.git_commit:
        rows.append(("Commit", short_commit(ctx.git_commit)
                     + (" (uncommitted changes)" if ctx.git_dirty else "")))
    if ctx.git_branch:
        rows.append(("Branch", ctx.git_branch))
    if ctx.started_at:
        rows.append(("Time", ctx.started_at))
    if ctx.contract_path:
        rows.append(("Contract", ctx.contract_path
                     + (f" (sha256 {ctx.contract_hash[:12]})" if ctx.contract_hash else "")))
    if ctx.target or ctx.base_url:
        rows.append(("Target", " ".join(x for x in (ctx.target, ctx.base_url) if x)))
    if ctx.deployment:
        rows.append(("Deployment", ctx.deployment))
    rows.append(("truthgate", tool_version(report)))
    out = ["<table>"]
    out += [f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows]
    return out + ["</table>"]


def _invariants(invs: Sequence[InvariantResult]) -> list[str]:
    out = ["<h2>Invariants</h2>"]
    if not invs:
        return out + ["<p>No invariants ran.</p>"]
    out.append("<table><tr><th>Invariant</th><th>Kind</th><th>Outcome</th><th>Findings</th>"
               "</tr>")
    for r in invs:
        out.append(f"<tr><td><code>{_e(r.id)}</code></td><td>{_e(r.kind)}</td>"
                   f"<td>{_outcome(r.outcome)}</td><td class=\"num\">{len(r.findings)}</td></tr>")
    out.append("</table>")
    items = [f"<li><code>{_e(place(f.location) if f.location else r.id)}</code> "
             f"{_e(f.message)}</li>" for r in invs for f in r.findings]
    items += [f"<li><code>{_e(r.id)}</code> could not run: {_e(r.error or 'unknown error')}</li>"
              for r in invs if r.outcome is Outcome.ERROR]
    if items:
        out += ["<h3>Findings</h3>", "<ul>"] + items + ["</ul>"]
    return out


def _scenarios(scen: Sequence[ScenarioResult]) -> list[str]:
    out = ["<h2>Scenarios</h2>"]
    if not scen:
        return out + ["<p>No scenarios ran.</p>"]
    out.append("<table><tr><th>Scenario</th><th>Name</th><th>Outcome</th><th>p50</th>"
               "<th>max</th><th>Detail</th></tr>")
    for s in scen:
        p50, worst = latency_p50_max(s)
        problems = "<br>".join(_e(p) for p in scenario_problems(s)) if s.outcome in (
            Outcome.FAIL, Outcome.ERROR) else ""
        if s.outcome is Outcome.SKIPPED and s.skip_reason:
            # A skip is deliberate; the reason says whether it was meant (a mode, a tag) or
            # an oversight (a missing --allow-unsafe), as in the text and Markdown reports.
            problems = _e(f"skipped: {s.skip_reason}")
        if s.outcome is Outcome.NOT_RUN:
            problems = _e(f"not run: {s.skip_reason or 'a precondition was not met'}")
        out.append(f"<tr><td><code>{_e(s.id)}</code></td><td>{_e(s.name)}</td>"
                   f"<td>{_outcome(s.outcome)}</td><td class=\"num\">{_e(fmt_ms(p50))}</td>"
                   f"<td class=\"num\">{_e(fmt_ms(worst))}</td><td>{problems}</td></tr>")
    return out + ["</table>"]


def _body(report: RunReport) -> list[str]:
    out = _context(report)
    for ok, line in section_verdicts(report):
        out.append(f'<p class="verdict {"pass" if ok else "fail"}">{_e(line)}</p>')
    if has_verify(report):
        out += _invariants(report.invariants)
    if has_smoke(report):
        out += _scenarios(report.scenarios)
    if report.notes:
        out += ["<h2>Notes</h2>", "<ul>"] + [f"<li>{_e(n)}</li>" for n in report.notes]
        out.append("</ul>")
    return out


def _page(title: str, body: list[str]) -> str:
    head = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{_e(title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>"]
    return "\n".join(head + body + ["</body>", "</html>"]) + "\n"


def _title(report: RunReport) -> str:
    ctx = report.context
    name = " ".join(x for x in (ctx.product, ctx.product_version) if x)
    return f"truthgate {ctx.command}" + (f" — {name}" if name else "")


def render(report: RunReport) -> str:
    """One run as a standalone HTML page."""
    return _page(_title(report), [f"<h1>{_e(_title(report))}</h1>"] + _body(report))


# What the ledger's page (``cycles/html.py``, a layer above) builds with: the same escaping,
# page frame and run body, so a cycle reads exactly like the run's own HTML report.
esc, outcome_span, run_body, page = _e, _outcome, _body, _page
