"""Inline SVG line charts for the HTML trend page: no script, no external asset.

Each chart is a self-contained ``<svg>`` element with a ``<title>`` (screen readers and
hover text) and one ``<title>`` per point, so the exact figure is readable without
JavaScript. Every label passes through ``html.escape``.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

WIDTH, HEIGHT = 640, 200
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 28, 32


def _x(i: int, n: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span / 2 if n == 1 else span * i / (n - 1))


def _y(value: float, y_max: float) -> float:
    span = HEIGHT - TOP - BOTTOM
    return TOP + span * (1 - (value / y_max if y_max > 0 else 0))


def _segments(coords: Sequence[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Runs of consecutive known points: a missing figure breaks the line, not joins it."""
    out: list[list[tuple[float, float]]] = [[]]
    for c in coords:
        if c is None:
            if out[-1]:
                out.append([])
        else:
            out[-1].append(c)
    return [s for s in out if s]


def line_chart(title: str, points: Sequence[tuple[str, float | None]], *,
               fmt: Callable[[float], str], css_class: str, y_max: float | None = None,
               budget: float | None = None) -> str:
    """A line chart of ``(x label, value or None)`` points, oldest first; ``budget`` is
    drawn as a dashed horizontal line (the scale always shows it)."""
    esc = html.escape
    known = [v for _, v in points if v is not None]
    highest = max([*known, *([budget] if budget and budget > 0 else [])], default=0.0)
    top = y_max if y_max is not None else (highest * 1.1 if highest > 0 else 1.0)
    n = len(points)
    coords = [None if v is None else (_x(i, n), _y(v, top)) for i, (_, v) in enumerate(points)]
    parts = [f'<svg class="chart {esc(css_class)}" xmlns="http://www.w3.org/2000/svg" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
             f'aria-label="{esc(title)}">',
             f"<title>{esc(title)}</title>",
             f'<text x="{LEFT}" y="16" class="chart-title">{esc(title)}</text>']
    base, ceil = _y(0, top), _y(top, top)
    parts.append(f'<line class="axis" x1="{LEFT}" y1="{base:.1f}" x2="{WIDTH - RIGHT}" '
                 f'y2="{base:.1f}" />')
    parts.append(f'<line class="grid" x1="{LEFT}" y1="{ceil:.1f}" x2="{WIDTH - RIGHT}" '
                 f'y2="{ceil:.1f}" />')
    parts.append(f'<text x="{LEFT - 6}" y="{base:.1f}" class="ylabel">{esc(fmt(0))}</text>')
    parts.append(f'<text x="{LEFT - 6}" y="{ceil + 4:.1f}" class="ylabel">{esc(fmt(top))}</text>')
    if budget is not None and 0 < budget <= top:
        by = _y(budget, top)
        parts.append(f'<line class="budget" x1="{LEFT}" y1="{by:.1f}" x2="{WIDTH - RIGHT}" '
                     f'y2="{by:.1f}"><title>budget {esc(fmt(budget))}</title></line>')
        parts.append(f'<text x="{WIDTH - RIGHT}" y="{by - 4:.1f}" class="budget-label" '
                     f'text-anchor="end">budget {esc(fmt(budget))}</text>')
    for seg in _segments(coords):
        pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in seg)
        parts.append(f'<polyline class="line" points="{pts}" />')
    step = max(1, n // 10)  # at most ~10 x labels, or they overlap
    for i, ((label, value), c) in enumerate(zip(points, coords, strict=True)):
        x = _x(i, n)
        if i % step == 0 or i == n - 1:
            parts.append(f'<text x="{x:.1f}" y="{HEIGHT - 10}" class="xlabel">{esc(label)}</text>')
        if c is not None and value is not None:
            parts.append(f'<circle class="point" cx="{c[0]:.1f}" cy="{c[1]:.1f}" r="3">'
                         f"<title>{esc(label)}: {esc(fmt(value))}</title></circle>")
    if not known:
        parts.append(f'<text x="{WIDTH / 2:.0f}" y="{HEIGHT / 2:.0f}" class="empty">'
                     "no data</text>")
    parts.append("</svg>")
    return "\n".join(parts)
