"""Markdown cycle reports, terminal views and the HTML trend page."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from cycles.samples import green, inv, red, report, scen
from truthgate.cycles.diff import diff_reports
from truthgate.cycles.history import changes_for, dod_at
from truthgate.cycles.html import render_trend_html
from truthgate.cycles.ledger import list_cycles, record_cycle
from truthgate.cycles.markdown import render_cycle
from truthgate.cycles.text import diff_text, list_text, pass_rate, trend_text
from truthgate.model import Outcome
from truthgate.reports import render

VOID = {"meta", "br", "img", "input", "link", "hr", "area", "base", "col", "embed", "source",
        "track", "wbr"}
SVG_SELF_CLOSING = {"line", "polyline", "circle"}


class TagChecker(HTMLParser):
    """Every opened element is closed, in order; counts elements and their classes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.svgs: list[str] = []
        self.scripts = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "svg":
            self.svgs.append(dict(attrs).get("class") or "")
        if tag == "script":
            self.scripts += 1
        for name, value in attrs:
            if name.startswith("on") or (value or "").startswith(("http:", "https:", "//")) \
                    and name in ("src", "href"):
                self.errors.append(f"external or scripted attribute {name}={value}")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID | SVG_SELF_CLOSING:
            self.errors.append(f"self-closing <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _check(page: str) -> TagChecker:
    checker = TagChecker()
    checker.feed(page)
    checker.close()
    assert checker.errors == []
    assert checker.stack == []
    assert checker.scripts == 0
    return checker


def _ledger(tmp_path: Path) -> Path:
    evil = "<script>alert('x')</script> & \"q\""
    record_cycle(report("smoke", scenarios=(scen("S1", latencies=(10.0, 12.0)),
                                            scen("S2", latencies=(100.0,)))), tmp_path)
    record_cycle(report("smoke", product=evil,
                        scenarios=(scen("S1", Outcome.FAIL, latencies=(20.0,)),
                                   scen(evil, latencies=(300.0,)),
                                   scen("S2", latencies=(400.0,)))), tmp_path)
    record_cycle(green(), tmp_path)
    return tmp_path


def test_html_trend_page_is_valid_with_one_chart_per_scenario(tmp_path: Path) -> None:
    cycles = list_cycles(_ledger(tmp_path)).cycles
    page = render_trend_html(cycles)
    checker = _check(page)
    latency = [c for c in checker.svgs if "latency" in c.split()]
    assert len(latency) == 3  # S1, S2 and the one with the hostile id
    assert sum("pass-rate" in c.split() for c in checker.svgs) == 1
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "alert('x')" not in page  # the quote is escaped too
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</html>\n")


def test_html_single_report_and_empty_ledger() -> None:
    page = render("html", red())
    checker = _check(page)
    assert checker.svgs == []
    assert "verify: FAILED" in "".join(checker.text)
    _check(render_trend_html([]))


def test_markdown_cycle_has_changes_and_definition_of_done(tmp_path: Path) -> None:
    record_cycle(red(), tmp_path)
    record_cycle(report(invariants=(inv("a"), inv("b"), inv("c", Outcome.FAIL))), tmp_path)
    cycles = list_cycles(tmp_path).cycles
    latest = cycles[-1]
    text = render_cycle(latest, changes_for(cycles, latest), dod_at(cycles, 2),
                        criteria=("A human | checked it",))
    assert text.startswith("# truthgate verify — shop")
    assert "## Cycle 2" in text
    assert "## Changes since cycle 1" in text
    assert "**New failures** (1)" in text and "invariant `c`: absent → fail" in text
    assert "**Fixed** (1)" in text and "invariant `b`: fail → pass" in text
    assert "## Definition of done" in text and "0 of 2 consecutive green cycles" in text
    assert "- [ ] A human \\| checked it" in text
    first = render_cycle(cycles[0], None, None)
    assert "First cycle in the ledger" in first and "Definition of done" not in first
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_terminal_views(tmp_path: Path) -> None:
    cycles = list_cycles(_ledger(tmp_path)).cycles
    listing = list_text(cycles)
    assert listing.splitlines()[0].split() == ["#", "kind", "recorded", "commit", "verdict",
                                               "pass", "fail", "error", "skip"]
    assert len(listing.splitlines()) == 4 and "FAILED" in listing
    trend = trend_text(cycles)
    assert "S1: 10.0 ms  20.0 ms  -" in trend
    assert "100%" in trend and "67%" in trend
    d = diff_reports(cycles[0].report, cycles[1].report, before_number=1, after_number=2)
    out = diff_text(d)
    assert "new failures (1):\n  scenario S1: pass -> fail" in out
    assert "S2: p50 100.0 ms -> 400.0 ms (+300.0 ms, +300%)" in out
    assert pass_rate(report()) is None
    assert list_text([]) == trend_text([]) == "no cycles recorded\n"
