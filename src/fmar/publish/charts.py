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
        counts[min(int(value / width), bins - 1)] += 1
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
