"""Small server-rendered SVG charts: horizontal bars, grouped bars and lines.

Inline SVG needs no JavaScript and no library, prints, and scales to a phone (``viewBox`` with
``width: 100%``). Every chart carries a title for screen readers, and the pages show the same
figures in a table next to it. Labels are escaped; the markup is returned safe for templates."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#0b5cad", "#2e8b57", "#d08700", "#b3261e", "#6b4fbb", "#5f6b7a")
WIDTH = 640
FONT = 12


def _svg(height: int, title: str, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 - every label below is escaped
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg" '
        f'font-size="{FONT}" font-family="sans-serif">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _fmt(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _legend(series_names: list[str], y: int) -> list[str]:
    parts = []
    x = 8
    for n, name in enumerate(series_names):
        color = PALETTE[n % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="{y - 10}" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{x + 14}" y="{y}">{escape(name)}</text>')
        x += 24 + FONT * max(2, len(name))
    return parts


def bar_chart(
    items: list[tuple[str, float]], *, title: str, max_value: float | None = None, suffix: str = ""
) -> SafeString:
    """One horizontal bar per item, labelled with its value."""
    return grouped_bar_chart(
        [label for label, _v in items],
        [("", [v for _l, v in items])],
        title=title,
        max_value=max_value,
        suffix=suffix,
    )


def grouped_bar_chart(
    categories: list[str],
    series: list[tuple[str, list[float]]],
    *,
    title: str,
    max_value: float | None = None,
    suffix: str = "",
) -> SafeString:
    """For each category a group of horizontal bars, one per series (e.g. today, in 30, 60
    and 90 days)."""
    label_width = 170
    bar_h = 12
    gap = 10
    named = [name for name, _values in series if name]
    top = 24 if named else 6
    group_h = bar_h * len(series) + gap
    height = top + group_h * max(1, len(categories)) + 6
    peak = max_value or max([v for _n, values in series for v in values] + [1])
    span = WIDTH - label_width - 60
    body = _legend(named, 14) if named else []
    for c, category in enumerate(categories):
        y0 = top + c * group_h
        text = category if len(category) <= 14 else category[:13] + "…"
        body.append(
            f'<text x="{label_width - 6}" y="{y0 + bar_h * len(series) / 2 + 4}" '
            f'text-anchor="end"><title>{escape(category)}</title>{escape(text)}</text>'
        )
        for s, (_name, values) in enumerate(series):
            value = values[c] if c < len(values) else 0
            w = max(0.0, span * (value or 0) / peak) if peak else 0
            y = y0 + s * bar_h
            color = PALETTE[s % len(PALETTE)]
            body.append(
                f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" '
                f'fill="{color}"/>'
            )
            body.append(
                f'<text x="{label_width + w + 4:.1f}" y="{y + bar_h - 3}">'
                f"{escape(_fmt(value))}{escape(suffix)}</text>"
            )
    return _svg(height, title, body)


def line_chart(
    labels: list[str],
    series: list[tuple[str, list[float | None]]],
    *,
    title: str,
    max_value: float | None = None,
    suffix: str = "",
) -> SafeString:
    """Lines over ``labels`` (months, horizons); ``None`` leaves a gap."""
    left, right, top, bottom = 44, 16, 28, 28
    height = 240
    plot_w = WIDTH - left - right
    plot_h = height - top - bottom
    values = [v for _n, vs in series for v in vs if v is not None]
    peak = max_value or max(values + [1])
    body = _legend([n for n, _v in series], 14)
    for tick in range(5):
        value = peak * tick / 4
        y = top + plot_h - plot_h * tick / 4
        body.append(
            f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#d9dee5" stroke-width="1"/>'
        )
        body.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(_fmt(round(value, 1)))}{escape(suffix)}</text>"
        )
    count = max(1, len(labels) - 1)

    def x_of(i: int) -> float:
        return left + plot_w * i / count if len(labels) > 1 else left + plot_w / 2

    for i, label in enumerate(labels):
        body.append(
            f'<text x="{x_of(i):.1f}" y="{height - 8}" text-anchor="middle">{escape(label)}</text>'
        )
    for s, (name, vs) in enumerate(series):
        color = PALETTE[s % len(PALETTE)]
        segment: list[str] = []
        for i, v in enumerate(vs):
            if v is None:
                if len(segment) > 1:
                    body.append(_polyline(segment, color))
                segment = []
                continue
            x, y = x_of(i), top + plot_h - plot_h * v / peak if peak else top + plot_h
            segment.append(f"{x:.1f},{y:.1f}")
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}">'
                f"<title>{escape(name)} {escape(labels[i])}: {escape(_fmt(v))}{escape(suffix)}"
                f"</title></circle>"
            )
        if len(segment) > 1:
            body.append(_polyline(segment, color))
    return _svg(height, title, body)


def _polyline(points: list[str], color: str) -> str:
    return f'<polyline points="{" ".join(points)}" fill="none" stroke="{color}" stroke-width="2"/>'
