"""Charts as inline SVG, drawn on the server: no JavaScript, no chart library.

Each chart is an image with a name (role="img", a <title> and a <desc>), scales to its box
(a viewBox, width 100% in the stylesheet) and says everything it shows in words: every bar
and panel is labelled directly, so no colour has to be told apart. The page puts the same
figures in a table beside it. The viewBox is narrow (360 units) so the text stays readable
when a phone shrinks it; the stylesheet caps how far a desktop enlarges it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

WIDTH = 360
FONT = 13  # in viewBox units: about 13 px on a phone, at most about 18 px on a desktop
LINE = 18
# Our own month names: strftime's %b follows the server's locale, so the same figures
# would be labelled differently on a server set to another language.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_month(day: date) -> str:
    """A short date for an axis, like "30 Nov"."""
    return f"{day.day} {MONTHS[day.month - 1]}"


@dataclass(frozen=True)
class Bar:
    label: str  # said beside the bar: what it counts
    value: float  # drawn length, against the largest value in the chart
    text: str  # said at the bar's end: the figure
    kind: str  # a class for its colour, e.g. "bar-urgent"
    group: str | None = None  # a heading said above the first bar of each group


@dataclass(frozen=True)
class Series:
    label: str
    kind: str
    values: Sequence[int]


def _svg(chart_id: str, title: str, description: str, height: float, body: list[str]) -> Markup:
    return Markup(
        f'<svg class="chart" id="{chart_id}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {WIDTH} {height:g}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, words: str, css: str = "", anchor: str = "start") -> str:
    cls = f' class="{css}"' if css else ""
    align = f' text-anchor="{anchor}"' if anchor != "start" else ""
    return f'<text x="{x:g}" y="{y:.1f}"{cls}{align}>{escape(words)}</text>'


def _rect(x: float, y: float, width: float, height: float, kind: str) -> str:
    return (
        f'<rect class="chart-bar {kind}" x="{x:g}" y="{y:g}" '
        f'width="{max(width, 0):.1f}" height="{height:g}"/>'
    )


def bar_chart(chart_id: str, title: str, description: str, bars: Sequence[Bar]) -> Markup:
    """Horizontal bars, each with its label above it and its figure after it. Lengths are
    relative to the largest value; a zero draws no bar, only its words."""
    # The longest bar leaves room for the longest figure after it (about 7.5 units a
    # character at this size).
    room = WIDTH - 8 - 7.5 * max((len(b.text) for b in bars), default=0)
    top = max((b.value for b in bars), default=0) or 1
    body, y, group = [], 0.0, None
    for bar in bars:
        if bar.group is not None and bar.group != group:
            group = bar.group
            y += LINE + (6 if y else 0)
            body.append(_text(0, y, bar.group, "chart-group"))
        y += LINE
        body.append(_text(0, y, bar.label))
        length = room * bar.value / top
        body.append(_rect(0, y + 5, length, 14, bar.kind))
        body.append(_text(length + 6, y + 17, bar.text))
        y += 24
    return _svg(chart_id, title, description, y + 4, body)


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50... at or above `value`: a round top for an axis."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def week_panels(
    chart_id: str, title: str, description: str, weeks: Sequence[date], series: Sequence[Series]
) -> Markup:
    """One small bar chart per series, stacked one above the other on a shared scale and
    named in words, instead of one chart told apart by colour. Weeks run left to right;
    the bottom axis names the first week of every few."""
    left, right, panel, gap = 44, 20, 56, 30
    plot = WIDTH - left - right  # the right margin keeps the last week's date inside
    slot = plot / max(len(weeks), 1)
    top = nice_ceiling(max((v for s in series for v in s.values), default=0))
    body, y, base = [], 0.0, 0.0
    for s in series:
        y = base + gap if base else LINE  # where the panel's name sits
        body.append(_text(0, y, f"{s.label}: {sum(s.values):,}", "chart-group"))
        base = y + 6 + panel
        body.append(_text(left - 6, y + 6 + FONT, f"{top:,}", "chart-axis", "end"))
        body.append(_text(left - 6, base, "0", "chart-axis", "end"))
        body.append(
            f'<line class="chart-baseline" x1="{left}" y1="{base:g}" '
            f'x2="{left + plot:g}" y2="{base:g}"/>'
        )
        for i, value in enumerate(s.values):
            height = panel * value / top if value else 0
            if height:
                body.append(
                    _rect(left + i * slot + slot * 0.15, base - height, slot * 0.7, height, s.kind)
                )
    every = -(-len(weeks) // 6)  # about six dates along the bottom, whatever the range
    y = base + 16
    half_label = 22  # "30 Nov" is about 44 units wide: keep it inside the picture
    for i in range(0, len(weeks), every):
        x = min(max(left + (i + 0.5) * slot, half_label), WIDTH - half_label)
        body.append(_text(x, y, day_month(weeks[i]), "chart-axis", "middle"))
    return _svg(chart_id, title, description, y + 4, body)
