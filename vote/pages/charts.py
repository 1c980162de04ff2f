"""Horizontal bar charts as inline SVG, drawn on the server: no script, no outside library.

Each bar has its option's label above it and its figures beside it; the whole chart is one image
(``role="img"``) named by a text alternative that reads every bar's figures, and the page keeps
the table as the data a screen reader walks through.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 600
"""The drawing's width in its own units; it scales to the column, at most ``MAX_WIDTH``."""
LABEL_SIZE = 34
VALUE_SIZE = 30
BAR_HEIGHT = 34
ROW_HEIGHT = 100
BAR_SPACE = 360
"""The longest bar (100%); the figures are written after the bar's end."""
INK, BAR, CHOSEN, TRACK = "#111111", "#0b4f9c", "#0a6b2d", "#e4e7eb"


@dataclass(frozen=True)
class Bar:
    """One bar: its label and count (written above it), its share (written after it), its length
    (0 to 1), and whether the option was chosen (drawn green, with a tick by the label)."""

    label: str
    count: str
    share: str
    fraction: float
    chosen: bool = False


def _text_width(text: str, size: int) -> float:
    """About how wide ``text`` is: CJK and other wide characters an em, the rest half of one."""
    return sum(
        size if unicodedata.east_asian_width(char) in ("W", "F") else size * 0.56 for char in text
    )


def _fit(text: str, size: int, room: float) -> str:
    """``text`` shortened with an ellipsis to fit ``room`` (the table keeps the whole label)."""
    if _text_width(text, size) <= room:
        return text
    while text and _text_width(text + "…", size) > room:
        text = text[:-1]
    return text + "…"


def bar_chart(bars: Sequence[Bar], label: str, chart_id: str) -> Markup:
    """An SVG bar chart of ``bars``, named by ``label`` (its text alternative)."""
    height = ROW_HEIGHT * len(bars) + 8
    title_id = f"{chart_id}-title"
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" role="img" aria-labelledby="{title_id}" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(label)}</title>',
    ]
    for index, bar in enumerate(bars):
        top = index * ROW_HEIGHT
        fraction = max(0.0, min(1.0, bar.fraction))
        length = BAR_SPACE * fraction
        if 0 < length < 3:
            length = 3.0  # a sliver still shows that there were votes
        name = ("✔ " if bar.chosen else "") + bar.label
        kind = "bar chosen" if bar.chosen else "bar"
        weight = ' font-weight="700"' if bar.chosen else ""
        count_room = _text_width(bar.count, LABEL_SIZE)
        parts.append(
            f'<text class="label" x="0" y="{top + LABEL_SIZE}" font-size="{LABEL_SIZE}" '
            f'fill="{INK}"{weight}>{escape(_fit(name, LABEL_SIZE, WIDTH - count_room - 24))}</text>'
            f'<text class="count" x="{WIDTH}" y="{top + LABEL_SIZE}" font-size="{LABEL_SIZE}" '
            f'fill="{INK}" text-anchor="end">{escape(bar.count)}</text>'
        )
        bar_top = top + LABEL_SIZE + 14
        parts.append(
            f'<rect class="track" x="0" y="{bar_top}" width="{BAR_SPACE}" '
            f'height="{BAR_HEIGHT}" fill="{TRACK}"/>'
        )
        if length > 0:
            parts.append(
                f'<rect class="{kind}" x="0" y="{bar_top}" width="{length:.1f}" '
                f'height="{BAR_HEIGHT}" fill="{CHOSEN if bar.chosen else BAR}"/>'
            )
        parts.append(
            f'<text class="value" x="{BAR_SPACE + 12}" y="{bar_top + BAR_HEIGHT - 7}" '
            f'font-size="{VALUE_SIZE}" fill="{INK}">'
            f"{escape(_fit(bar.share, VALUE_SIZE, WIDTH - BAR_SPACE - 12))}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - our own SVG, every text escaped above
