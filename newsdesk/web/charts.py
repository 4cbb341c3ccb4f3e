"""Draws small bar charts as inline SVG on the server: no script, no external file, and a text
alternative (title and a caption per bar) for screen readers."""

from __future__ import annotations

from datetime import datetime, timedelta

from markupsafe import Markup, escape

__all__ = ["bar_chart", "buckets"]

WIDTH, HEIGHT, PAD_TOP, PAD_BOTTOM = 600, 140, 12, 22


def buckets(times: list[datetime], max_bars: int = 24) -> list[tuple[str, int]]:
    """Counts times into hourly, six-hourly or daily bars, whichever keeps the span within
    ``max_bars`` bars; empty bars in between are kept so the time axis stays even."""
    if not times:
        return []
    start, end = min(times), max(times)
    for hours, fmt in ((1, "%d %b %H:00"), (6, "%d %b %H:00"), (24, "%d %b")):
        step = timedelta(hours=hours)
        first = start.replace(minute=0, second=0, microsecond=0)
        if hours == 24:
            first = first.replace(hour=0)
        elif hours == 6:
            first = first.replace(hour=first.hour - first.hour % 6)
        count = int((end - first) / step) + 1
        if count <= max_bars or hours == 24:
            bars = [0] * count
            for t in times:
                bars[int((t - first) / step)] += 1
            return [((first + i * step).strftime(fmt), n) for i, n in enumerate(bars)]
    return []  # unreachable: the daily step always returns


def bar_chart(points: list[tuple[str, int]], title: str) -> Markup:
    """Returns an SVG bar chart of (label, count) points, or nothing for fewer than two."""
    if len(points) < 2:
        return Markup("")
    top = max(n for _, n in points) or 1
    slot = WIDTH / len(points)
    bar_w = max(1.0, slot * 0.8)
    usable = HEIGHT - PAD_TOP - PAD_BOTTOM
    bars = []
    for i, (label, n) in enumerate(points):
        h = usable * n / top
        x, y = i * slot + (slot - bar_w) / 2, PAD_TOP + usable - h
        bars.append(Markup('<rect class="bar" x="{:.1f}" y="{:.1f}" width="{:.1f}" height="{:.1f}">'
                           '<title>{}: {}</title></rect>').format(x, y, bar_w, h, label, n))
    axis = Markup('<text class="axis" x="0" y="{}">{}</text>'
                  '<text class="axis end" x="{}" y="{}" text-anchor="end">{}</text>').format(
        HEIGHT - 6, points[0][0], WIDTH, HEIGHT - 6, points[-1][0])
    peak = Markup('<text class="axis" x="0" y="10">peak {}</text>').format(top)
    summary = escape(f"{title}: " + ", ".join(f"{label} {n}" for label, n in points if n))
    return Markup('<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}">'
                  '<title>{}</title>{}{}{}</svg>').format(
        WIDTH, HEIGHT, summary, title, Markup("").join(bars), axis, peak)
