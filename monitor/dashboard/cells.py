"""Small pieces of markup that several pages repeat, as functions the templates call.

The index calls five of them on every row: as Jinja macros they cost more than the
rest of the row. Every value is escaped here as the templates' autoescaping would.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from monitor.dashboard.views import verdict_text, web_url


def _percent(value: float) -> str:
    return "100%" if value >= 1 else f"{value * 100:.1f}%"


def percent(value: float | None) -> str:
    """A share as a percentage: ``99.5%``, ``100%``, ``–`` for none."""
    return "–" if value is None else _percent(value)


def link(url: Any, text: Any = None) -> Markup:
    """``url`` as a link when it is an http(s) URL, else as text."""
    shown = escape(text or url)
    href = web_url(url)
    if href:
        return Markup(f'<a class="url" href="{escape(href)}">{shown}</a>')
    return Markup(f'<span class="url">{shown}</span>')


def verdict_pill(mark: Any, verdict: str | None) -> Markup:
    """A verdict with its mark (:func:`monitor.publish.marks.mark_for`)."""
    return _pill(mark, verdict_text(verdict))


def health_pill(mark: Any) -> Markup:
    """A health with its mark (:data:`monitor.dashboard.views.HEALTH_MARKS`)."""
    return _pill(mark, mark.label)


def _pill(mark: Any, text: Any) -> Markup:
    return Markup(
        f'<span class="pill k-{escape(mark.kind)}"><span class="icon" aria-hidden="true">'
        f"{escape(mark.icon)}</span>{escape(text)}</span>"
    )


def uptime(value: float | None) -> Markup:
    if value is None:
        return Markup('<span class="muted">no data</span>')
    return escape(_percent(value))


def archive_cell(status: str | None, url: str | None, date: str | None) -> Markup:
    """Whether the source needs an archived copy, and a link to the one found."""
    if not status:
        return Markup('<span class="muted">not needed</span>')
    if not url:
        return escape(status)
    of = f" of {escape(date)}" if date else ""
    return Markup(f'{escape(status)}<br><a class="url" href="{escape(url)}">copy{of}</a>')
