"""A source's timeline chart as inline SVG, from its geometry (:mod:`.timeline`).

Built in Python because every source page has one, with a shape per band, dot and
tick, which a template draws several times slower. Every label is escaped here as the
templates' autoescaping would; the numbers are the geometry's own.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from monitor.dashboard.dates import when
from monitor.dashboard.timeline import Band, Timeline

# Hatching for the bands of sources that were down or lost their figure.
_DEFS = (
    "<defs>\n"
    '<pattern id="hatch-dead" width="7" height="7" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect class="hatch-dead-bg" width="7" height="7"></rect>'
    '<line class="hatch-line" x1="0" y1="0" x2="0" y2="7"></line></pattern>\n'
    '<pattern id="hatch-drifted" width="7" height="7" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(-45)"><rect class="hatch-drifted-bg" width="7" height="7">'
    '</rect><line class="hatch-line" x1="0" y1="0" x2="0" y2="7"></line></pattern>\n'
    "</defs>\n"
)
# The legends, and the end of the figure.
_CAPTION = (
    "</svg>\n"
    "<figcaption>\n"
    '<ul class="legend" aria-label="Legend of the check band and the line">\n'
    '<li><span class="swatch s-ok"></span>✓ working</li>\n'
    '<li><span class="swatch s-moved"></span>↪ moved</li>\n'
    '<li><span class="swatch s-dead"></span>✗ unavailable (hatched)</li>\n'
    '<li><span class="swatch s-drifted"></span>! cited figure not found (hatched)</li>\n'
    '<li><span class="swatch s-unverifiable"></span>? could not be verified</li>\n'
    '<li><span class="swatch s-inconclusive"></span>run inconclusive</li>\n'
    '<li><span class="swatch s-nochecks"></span>no checks</li>\n'
    "</ul>\n"
    '<ul class="legend" aria-label="Legend of the health band">\n'
    '<li><span class="swatch s-ok"></span>healthy</li>\n'
    '<li><span class="swatch s-moved"></span>recovered</li>\n'
    '<li><span class="swatch s-unverifiable"></span>suspect</li>\n'
    '<li><span class="swatch s-dead"></span>dead (hatched)</li>\n'
    '<li><span class="swatch s-rt"></span>response time</li>\n'
    "</ul>\n"
    "</figcaption>\n"
    "</figure>"
)


def chart_svg(t: Timeline, title: str) -> Markup:
    """The chart of ``t`` for the source called ``title``."""
    tick_x = t.left - 8
    parts = [
        '<figure class="chart">\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {t.width} {t.height}" '
        'role="img" aria-labelledby="chart-title chart-desc" focusable="false">\n'
        f'<title id="chart-title">Timeline of {escape(title)}</title>\n'
        f'<desc id="chart-desc">From {escape(when(t.start))} to {escape(when(t.end))} UTC. '
        "First band: what each check found. Second band: the source's health. "
        "Line: response time. The tables below list the same checks and health changes."
        "</desc>\n",
        _DEFS,
        f'<text class="tick" x="{tick_x}" y="{t.band_top + t.band_height / 2 + 4}" '
        'text-anchor="end">check</text>\n'
        f'<text class="tick" x="{tick_x}" y="{t.health_top + t.band_height / 2 + 4}" '
        'text-anchor="end">health</text>\n',
    ]
    parts.extend(_band(b, "band", t.band_top, t.band_height) for b in t.bands)
    parts.append("\n")
    parts.extend(_band(b, "hband", t.health_top, t.band_height) for b in t.health)
    parts.append("\n")
    parts.extend(
        f'<line class="grid" x1="{t.left}" x2="{t.plot_right}" y1="{tick.at}" '
        f'y2="{tick.at}"></line><text class="tick" x="{tick_x}" y="{tick.at + 4}" '
        f'text-anchor="end">{escape(tick.label)}</text>\n'
        for tick in t.y_ticks
    )
    parts.append(
        f'\n<line class="axis" x1="{t.left}" x2="{t.plot_right}" y1="{t.chart_bottom}" '
        f'y2="{t.chart_bottom}"></line>\n'
    )
    parts.extend(f'<polyline class="rt" points="{escape(line)}"></polyline>\n' for line in t.lines)
    parts.append("\n")
    parts.extend(
        f'<circle class="rt-dot" cx="{d.x}" cy="{d.y}" r="2.5"><title>{escape(d.label)}'
        "</title></circle>\n"
        for d in t.dots
    )
    parts.append("\n")
    last = len(t.x_ticks) - 1
    parts.extend(
        f'<text class="tick" x="{tick.at}" y="{t.axis_label_y}" text-anchor="'
        f'{"start" if i == 0 else ("end" if i == last else "middle")}">'
        f"{escape(tick.label)}</text>\n"
        for i, tick in enumerate(t.x_ticks)
    )
    # The time axis is in UTC, whoever reads it.
    parts.append(
        f'<text class="tick" x="{tick_x}" y="{t.axis_label_y}" text-anchor="end">UTC</text>\n\n'
    )
    parts.append(_CAPTION)
    return Markup("".join(parts))


def _band(b: Band, kind: str, top: int, height: int) -> str:
    return (
        f'<rect class="band {kind}-{escape(b.kind)}" x="{b.x}" y="{top}" width="{b.width}" '
        f'height="{height}"><title>{escape(b.label)}</title></rect>\n'
    )
