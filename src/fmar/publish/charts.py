"""Small charts as inline SVG, drawn at build time (no script, no CDN)."""

from __future__ import annotations

from markupsafe import Markup, escape


def histogram(values: tuple[float, ...], target: int | None, title: str, bins: int = 12) -> Markup:
    """Bars of how many ``values`` fall in each range of days, with the target as a line."""
    if not values:
        return Markup("<p>No decisions yet.</p>")
    top = max(max(values), float(target or 0), 1.0)
    width = top / bins
    counts = [0] * bins
    for value in values:
        counts[min(max(int(value / width), 0), bins - 1)] += 1
    w, h, pad = 480, 200, 30
    bar = (w - 2 * pad) / bins
    peak = max(counts)
    parts = [
        f'<svg class="fmar-chart" role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for index, count in enumerate(counts):
        height = (h - 2 * pad) * count / peak
        x, y = pad + index * bar, h - pad - height
        label = f"{index * width:.0f}–{(index + 1) * width:.0f} days: {count}"
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 2:.1f}" height="{height:.1f}" fill="#3f51b5">'
            f"<title>{escape(label)}</title></rect>"
        )
    if target:
        x = pad + (w - 2 * pad) * target / top
        parts.append(
            f'<line x1="{x:.1f}" y1="{pad / 2}" x2="{x:.1f}" y2="{h - pad}" stroke="#c62828" stroke-width="2"/>'
        )
        parts.append(f'<text x="{x + 3:.1f}" y="{pad}" font-size="11" fill="#c62828">target {target} d</text>')
    parts.append(f'<text x="{pad}" y="{h - 8}" font-size="11">0 days</text>')
    parts.append(f'<text x="{w - pad - 50}" y="{h - 8}" font-size="11">{top:.0f} days</text></svg>')
    return Markup("".join(parts))


#: Bar colours of the series of a bar chart, in order (colour-blind safe: Okabe and Ito's palette).
SERIES_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")


def _ticks(top: float) -> list[float]:
    """Round axis ticks from 0 to at least ``top`` (about five)."""
    step = 1.0
    for candidate in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000):
        step = float(candidate)
        if top / candidate <= 5:
            break
    count = max(1, -(-int(top) // int(step))) if top > 0 else 1
    return [step * i for i in range(count + 1)]


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def bars(title: str, labels: list[str], series: list[tuple[str, list[float | None]]], unit: str) -> Markup:
    """Horizontal grouped bars: one group per label, one bar per series, each bar's value written at
    its end (no hovering needed), an axis of ``unit`` with round ticks, and a legend. ``None``: no
    value (written as "–")."""
    if not labels:
        return Markup("<p>Nothing to show.</p>")
    bar, gap, left, right, top_pad = 14, 10, 230, 60, 46
    group = bar * len(series) + gap
    plot = 420
    width = left + plot + right
    height = top_pad + group * len(labels) + 30
    peak = max([v for _, values in series for v in values if v is not None] + [0.0])
    ticks = _ticks(peak)
    scale = plot / (ticks[-1] or 1.0)
    parts = [
        f'<svg class="fmar-chart" role="img" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="12"><title>{escape(title)}</title>'
        f'<text x="0" y="14" font-weight="bold">{escape(title)}</text>'
    ]
    for number, (name, _) in enumerate(series):
        key = left + number * 115
        colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
        parts.append(f'<rect x="{key}" y="22" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{key + 16}" y="32">{escape(name)}</text>')
    axis_y = top_pad + group * len(labels)
    for tick in ticks:
        x = left + tick * scale
        parts.append(
            f'<line x1="{x:.1f}" y1="{top_pad - 4}" x2="{x:.1f}" y2="{axis_y}" stroke="#bbb" stroke-width="0.5"/>'
        )
        parts.append(f'<text x="{x:.1f}" y="{axis_y + 14}" text-anchor="middle">{_number(tick)}</text>')
    parts.append(f'<text x="{left + plot / 2:.1f}" y="{axis_y + 28}" text-anchor="middle">{escape(unit)}</text>')
    for row, label in enumerate(labels):
        y0 = top_pad + row * group
        parts.append(
            f'<text x="{left - 6}" y="{y0 + bar * len(series) / 2 + 4:.1f}" text-anchor="end">{escape(label)}</text>'
        )
        for number, (name, values) in enumerate(series):
            value = values[row]
            y = y0 + number * bar
            colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
            length = (value or 0.0) * scale
            shown = _number(value) if value is not None else "–"
            parts.append(
                f'<rect x="{left}" y="{y}" width="{length:.1f}" height="{bar - 2}" fill="{colour}">'
                f"<title>{escape(f'{label}, {name}: {shown}')}</title></rect>"
            )
            parts.append(f'<text x="{left + length + 4:.1f}" y="{y + bar - 4}">{shown}</text>')
    parts.append(f'<line x1="{left}" y1="{top_pad - 4}" x2="{left}" y2="{axis_y}" stroke="#333"/></svg>')
    return Markup("".join(parts))
