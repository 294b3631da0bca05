"""The release captain's page over the ledger (``truthgate report html``).

First what the captain asks: can this be released (the definition of done, when the
contract is known, and what blocks a release); then every cycle, newest first (commit,
kind, deployment, verdict); then the newest cycle in full; charts last (inline SVG: pass
rate per cycle, each scenario's median latency with its budget line). No script, no
external asset; byte-for-byte deterministic. Built from ``reports.html``'s pieces.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from truthgate.cycles.blockers import release_blockers
from truthgate.cycles.charts import line_chart
from truthgate.cycles.dod import DodStatus, failing_items
from truthgate.cycles.ledger import Cycle
from truthgate.cycles.text import latency_series, pass_rate, scenario_ids
from truthgate.model import Outcome, RunReport
from truthgate.reports.common import fmt_ms, short_commit
from truthgate.reports.html import esc, outcome_span, page, run_body


def _verdict_word(report: RunReport) -> str:
    return "PASSED" if report.passed else "FAILED"


def _captain(cycles: Sequence[Cycle], dod: DodStatus | None) -> list[str]:
    """The top of the page: can this be released, the definition of done, what blocks it."""
    last = cycles[-1]
    blockers = release_blockers(cycles, dod)
    ready = not blockers and dod is not None
    if ready:
        headline, css = "Ready to release", "pass"
    elif dod is None and not blockers:
        headline, css = "No definition of done given: readiness unknown", "unknown"
    else:
        headline, css = "Not ready to release", "fail"
    out = ['<section class="captain">',
           f'<p class="headline {css}" id="verdict">{esc(headline)}</p>',
           '<table class="facts">',
           f'<tr><th>Latest cycle</th><td>{last.number} ({esc(last.kind)}): '
           f'<span class="verdict {"pass" if last.passed else "fail"}">'
           f"{_verdict_word(last.report)}</span></td></tr>"]
    if dod is not None:
        out.append(f'<tr><th>Definition of done</th><td id="dod" class="'
                   f'{"pass" if dod.met else "fail"}">{esc(dod.summary())}</td></tr>')
    else:
        out.append('<tr><th>Definition of done</th><td id="dod">unknown: no contract '
                   "(pass --contract)</td></tr>")
    out.append("</table>")
    if blockers:
        out += ["<h2>What blocks a release</h2>", '<ul class="blockers">']
        out += [f"<li>{esc(b)}</li>" for b in blockers]
        out.append("</ul>")
    elif dod is not None:
        out.append('<p class="blockers none">Nothing blocks a release: the definition of done '
                   "is met and the latest verify, smoke and logs runs are green.</p>")
    return out + ["</section>"]


def _cycle_table(cycles: Sequence[Cycle]) -> list[str]:
    """Every cycle, newest first: number, kind, time, commit, deployment, verdict, what
    failed."""
    out = ["<h2>Cycles</h2>", '<table class="cycles"><tr><th>Cycle</th><th>Kind</th>'
           "<th>Recorded</th><th>Commit</th><th>Deployment</th><th>Verdict</th>"
           "<th>Failed</th></tr>"]
    for c in reversed(cycles):
        ctx = c.report.context
        commit = short_commit(ctx.git_commit) + ("*" if ctx.git_dirty else "") \
            if ctx.git_commit else "-"
        word = "pass" if c.report.passed else "fail"
        failed = ", ".join(failing_items(c.report)[:6])
        out.append(f"<tr><td>{c.number}</td><td>{esc(c.kind)}</td>"
                   f"<td>{esc(c.recorded_at or ctx.started_at)}</td><td><code>{esc(commit)}"
                   f"</code></td><td>{esc(ctx.deployment or '-')}</td>"
                   f"<td>{outcome_span(Outcome(word))}</td><td>{esc(failed)}</td></tr>")
    return out + ["</table>"]


def render_trend_html(cycles: Sequence[Cycle], dod: DodStatus | None = None,
                      budgets: Mapping[str, float] | None = None) -> str:
    """The release captain's page over ``cycles`` (oldest first).

    First what the captain asks: can this be released (the definition of done ``dod``,
    when the contract is known, and what blocks a release); then every cycle, newest
    first (commit, kind, deployment, verdict); then the newest cycle in full; charts last:
    pass rate per cycle, and one latency chart (median per cycle) for every scenario any
    cycle ran, with the scenario's budget from ``budgets`` drawn as a line.
    """
    if not cycles:
        return page("truthgate cycles", ["<h1>truthgate cycles</h1>",
                                          "<p>No cycles recorded.</p>"])
    last = cycles[-1]
    ctx = last.report.context
    name = " ".join(x for x in (ctx.product, ctx.product_version) if x)
    title = "truthgate release readiness" + (f" — {name}" if name else "")
    body = [f"<h1>{esc(title)}</h1>"] + _captain(cycles, dod) + _cycle_table(cycles)
    body += [f"<h2>Latest cycle: {last.number} ({esc(last.kind)})</h2>"] + run_body(last.report)
    body += ["<h2>Trend</h2>", f"<p>{len(cycles)} cycles, {cycles[0].number} to "
             f"{last.number}.</p>"]
    rates = [(str(c.number), None if (r := pass_rate(c.report)) is None else r * 100)
             for c in cycles]
    body.append(line_chart("Pass rate per cycle (%)", rates, fmt=lambda v: f"{v:.0f}%",
                           css_class="pass-rate", y_max=100.0))
    for sid in scenario_ids(cycles):
        series = [(str(n), v) for n, v in latency_series(cycles, sid)]
        budget = (budgets or {}).get(sid)
        body.append(line_chart(f"Median latency of {sid}", series, fmt=fmt_ms,
                               css_class="latency", budget=budget))
    return page(title, body)
