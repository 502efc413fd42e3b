"""The geometry of a source's timeline chart: state bands over time and response times.

Pure: points in, shapes out. :mod:`monitor.dashboard.chart` draws the shapes as inline
SVG, escaping every label.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

from monitor.dashboard.data import Point
from monitor.dashboard.dates import when
from monitor.history import HealthSpan
from monitor.publish.marks import mark_for

WIDTH = 960
HEIGHT = 272
LEFT = 72
RIGHT = 16
BAND_TOP = 16
BAND_HEIGHT = 26
HEALTH_TOP = 50
CHART_TOP = 96
CHART_BOTTOM = 226
AXIS_LABEL_Y = 248
MIN_SPAN = timedelta(hours=1)
X_TICKS = 5
# A stretch between two checks this many times longer than their usual spacing, and at
# least MIN_GAP long, had no checks: it is drawn as such, not as the state before it.
# The floor keeps a source checked every few hours while suspect, then daily (with
# jitter), from showing gaps between its daily checks.
GAP_FACTOR = 4
MIN_GAP = timedelta(days=3)
NO_CHECKS = "nochecks"


@dataclass(frozen=True)
class Band:
    """A stretch of time in one state (consecutive results of one kind merged)."""

    x: float
    width: float
    kind: str  # a MarkKind value, or "inconclusive"
    label: str
    checks: int


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    left: int
    right: int
    band_top: int
    band_height: int
    health_top: int
    chart_top: int
    chart_bottom: int
    axis_label_y: int
    bands: tuple[Band, ...]
    health: tuple[Band, ...]
    lines: tuple[str, ...]  # SVG polyline ``points`` values
    dots: tuple[Dot, ...]
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    start: datetime
    end: datetime

    @property
    def plot_right(self) -> int:
        return self.width - self.right


def build_timeline(
    points: Sequence[Point], spans: Sequence[HealthSpan], now: datetime
) -> Timeline | None:
    """The chart of ``points`` and health ``spans`` (oldest first) up to ``now``; None
    without points."""
    if not points:
        return None
    end = max(now, points[-1].at)
    start = min(points[0].at, end - MIN_SPAN)
    span = (end - start).total_seconds()
    plot = WIDTH - LEFT - RIGHT

    def x(at: datetime) -> float:
        return round(LEFT + (at - start).total_seconds() / span * plot, 1)

    top = _nice_ceiling(max((p.elapsed_ms or 0.0) for p in points))
    gaps = _gaps(points, end)

    def y(ms: float) -> float:
        return round(CHART_BOTTOM - ms / top * (CHART_BOTTOM - CHART_TOP), 1)

    return Timeline(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=RIGHT,
        band_top=BAND_TOP,
        band_height=BAND_HEIGHT,
        health_top=HEALTH_TOP,
        chart_top=CHART_TOP,
        chart_bottom=CHART_BOTTOM,
        axis_label_y=AXIS_LABEL_Y,
        bands=_bands(points, end, x, gaps),
        health=_health_bands(spans, start, end, x),
        lines=_lines(points, x, y, gaps),
        dots=tuple(
            Dot(x(p.at), y(p.elapsed_ms), f"{when(p.at)}: {format_ms(p.elapsed_ms)}")
            for p in points
            if p.elapsed_ms is not None
        ),
        x_ticks=tuple(
            Tick(x(at), _tick_label(at, end - start))
            for at in (start + (end - start) * i / (X_TICKS - 1) for i in range(X_TICKS))
        ),
        y_ticks=tuple(Tick(y(top * f), format_ms(top * f)) for f in (0.0, 0.5, 1.0)),
        start=start,
        end=end,
    )


def band_kind(point: Point) -> str:
    """The colour class of a result's band; results of inconclusive runs stand apart."""
    return "inconclusive" if point.inconclusive_run else mark_for(point.verdict.value).kind.value


@dataclass(frozen=True)
class _Gaps:
    """Where the checks stopped for a while: after the point at each index of
    ``until``, from the moment the next check was due (``due`` after the point) to
    the next check (or the chart's end, after the last point)."""

    until: Mapping[int, datetime]
    due: timedelta


def _gaps(points: Sequence[Point], end: datetime) -> _Gaps:
    steps = sorted(b.at - a.at for a, b in pairwise(points))
    if not steps:
        return _Gaps({}, MIN_GAP)
    usual = steps[len(steps) // 2]
    longest = max(GAP_FACTOR * usual, MIN_GAP)
    nexts = [p.at for p in points[1:]] + [end]
    until = {i: nexts[i] for i, p in enumerate(points) if nexts[i] - p.at > longest}
    return _Gaps(until, max(usual, timedelta(seconds=1)))


def _bands(
    points: Sequence[Point], end: datetime, x: Callable[[datetime], float], gaps: _Gaps
) -> tuple[Band, ...]:
    bands: list[Band] = []
    group: list[Point] = []

    def close(until: datetime) -> None:
        first, last = group[0], group[-1]
        verdicts = sorted({p.verdict.value.replace("_", " ") for p in group})
        kind = band_kind(first)
        extra = " (run inconclusive)" if kind == "inconclusive" else ""
        label = (
            f"{when(first.at)} to {when(until)}: {', '.join(verdicts)}{extra}, "
            f"{len(group)} check{'s' if len(group) != 1 else ''}; last: {last.reason}"
        )
        left = x(first.at)
        bands.append(Band(left, max(round(x(until) - left, 1), 1.0), kind, label, len(group)))

    def nothing(since: datetime, until: datetime) -> None:
        left = x(since)
        label = f"{when(since)} to {when(until)}: no checks"
        bands.append(Band(left, max(round(x(until) - left, 1), 1.0), NO_CHECKS, label, 0))

    for index, point in enumerate(points):
        if group and band_kind(point) != band_kind(group[0]):
            close(point.at)
            group = []
        group.append(point)
        if index in gaps.until:
            # The state is known until the next check was due, not until the next one.
            due = point.at + gaps.due
            close(due)
            nothing(due, gaps.until[index])
            group = []
    if group:
        close(end)
    return tuple(bands)


def _health_bands(
    spans: Sequence[HealthSpan], start: datetime, end: datetime, x: Callable[[datetime], float]
) -> tuple[Band, ...]:
    """Health spans clipped to the chart's time window."""
    bands = []
    for span in spans:
        until = min(span.end or end, end)
        since = max(span.start, start)
        if until <= since:
            continue
        label = f"{when(since)} to {when(until)}: {span.health.value} ({span.reason})"
        left = x(since)
        bands.append(Band(left, max(round(x(until) - left, 1), 1.0), span.health.value, label, 0))
    return tuple(bands)


def _lines(
    points: Sequence[Point],
    x: Callable[[datetime], float],
    y: Callable[[float], float],
    gaps: _Gaps,
) -> tuple[str, ...]:
    """Response-time polylines, broken where a result has no time and where the checks
    stopped for a while."""
    lines: list[str] = []
    current: list[str] = []
    for index, point in enumerate(points):
        if point.elapsed_ms is None:
            if len(current) > 1:
                lines.append(" ".join(current))
            current = []
            continue
        current.append(f"{x(point.at)},{y(point.elapsed_ms)}")
        if index in gaps.until:
            if len(current) > 1:
                lines.append(" ".join(current))
            current = []
    if len(current) > 1:
        lines.append(" ".join(current))
    return tuple(lines)


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 times a power of ten that is at least ``value`` (>= 10)."""
    if value <= 10:
        return 10.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)


def format_ms(value: float | None) -> str:
    """A response time for people: ``840 ms``, ``1.25 s``."""
    if value is None:
        return "no time"
    if value < 1000:
        return f"{value:.0f} ms"
    return f"{value / 1000:.2f} s"


def _tick_label(at: datetime, span: timedelta) -> str:
    return at.strftime("%Y-%m-%d" if span > timedelta(days=14) else "%m-%d %H:%M")
