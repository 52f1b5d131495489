"""A server-rendered SVG bar chart of scans per day, stacked by language: no script, no
third-party host, readable on a phone (it scales to the screen's width). Colours go in SVG
attributes, never `style`, so the strict CSP holds.
"""

from __future__ import annotations

import math
from datetime import date

from markupsafe import Markup, escape

# Drawn for a phone: 400 units across a ~360 px screen keeps the 13-unit labels readable.
WIDTH, HEIGHT = 400, 220
LEFT, RIGHT, TOP, BOTTOM = 34, 6, 10, 24
MAX_DAY_LABELS = 6
LANGUAGE_COLOURS = {"vi": "#9b2c1f", "en": "#1f5f9b", "zh": "#b07800", "ko": "#2f7d4a"}
OTHER_COLOUR = "#6e6a66"


def colour(lang: str) -> str:
    return LANGUAGE_COLOURS.get(lang, OTHER_COLOUR)


def _nice_top(value: int) -> int:
    """The axis top: the next 1, 2, 4, 6 or 8 times a power of ten (at least 1); even, so the
    middle line is a whole number of scans."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 4, 6, 8, 10) if step * power >= value)


def scans_chart(by_day: dict[date, dict[str, int]], languages: list[str], label: str) -> Markup:
    days = list(by_day)
    top = _nice_top(max((sum(counts.values()) for counts in by_day.values()), default=0))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(1, len(days))
    bar = max(1.0, slot * 0.75)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(label)}" '
        'xmlns="http://www.w3.org/2000/svg" font-family="system-ui,sans-serif" font-size="13">',
        f"<title>{escape(label)}</title>",
    ]
    # The middle line only when it falls on a whole number of scans.
    for value in (0, top // 2, top) if top % 2 == 0 else (0, top):
        y = TOP + plot_h * (1 - value / top)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#e0dbd5"/>')
        parts.append(f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#5b5650">{value}</text>')
    every = max(1, math.ceil(len(days) / MAX_DAY_LABELS))
    for index, day in enumerate(days):
        x = LEFT + index * slot + (slot - bar) / 2
        y = TOP + plot_h
        for lang in languages:
            count = by_day[day].get(lang, 0)
            if not count:
                continue
            h = plot_h * count / top
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour(lang)}">'
                f"<title>{day.isoformat()} · {escape(lang)}: {count}</title></rect>"
            )
        if index % every == 0:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle" fill="#5b5650">'
                f"{day.day:02d}/{day.month:02d}</text>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def swatch(lang: str) -> Markup:
    return Markup(
        f'<svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" '
        f'fill="{colour(lang)}"/></svg>'
    )
