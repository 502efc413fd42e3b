"""Small pieces of markup that pages repeat, as functions the templates call.

They are built in Python because the index has a row per source, each made of several
of them, and a dashboard of 10,000 sources writes its index at the end of every run:
a template draws such a row several times slower. Every value is escaped here as the
templates' autoescaping would.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from monitor.dashboard.dates import age, clock, day
from monitor.dashboard.timeline import format_ms
from monitor.dashboard.views import verdict_text, web_url

if TYPE_CHECKING:
    from monitor.dashboard.views import Row

# What HTML escaping changes. Most values hold none of it and are written as they are:
# markupsafe's escape makes a new Markup of every value, a third of drawing a row.
_SPECIAL = re.compile(r"[&<>\"']")


def _text(value: Any) -> str:
    """``value`` escaped as the templates' autoescaping would escape it."""
    if type(value) is str and not _SPECIAL.search(value):
        return value
    return str(escape(value))


def _percent(value: float) -> str:
    return "100%" if value >= 1 else f"{value * 100:.1f}%"


def percent(value: float | None) -> str:
    """A share as a percentage: ``99.5%``, ``100%``, ``–`` for none."""
    return "–" if value is None else _percent(value)


def link(url: Any, text: Any = None) -> Markup:
    """``url`` as a link when it is an http(s) URL, else as text."""
    shown = _text(text or url)
    href = web_url(url)
    if href:
        return Markup(f'<a class="url" href="{_text(href)}">{shown}</a>')
    return Markup(f'<span class="url">{shown}</span>')


def verdict_pill(mark: Any, verdict: str | None) -> Markup:
    """A verdict with its mark (:func:`monitor.publish.marks.mark_for`)."""
    return _pill(mark, verdict_text(verdict))


def health_pill(mark: Any) -> Markup:
    """A health with its mark (:data:`monitor.dashboard.views.HEALTH_MARKS`)."""
    return _pill(mark, mark.label)


def _pill(mark: Any, text: Any) -> Markup:
    return Markup(
        f'<span class="pill k-{_text(mark.kind)}"><span class="icon" aria-hidden="true">'
        f"{_text(mark.icon)}</span>{_text(text)}</span>"
    )


def uptime(value: float | None) -> Markup:
    if value is None:
        return Markup('<span class="muted">no data</span>')
    return Markup(_text(_percent(value)))


def archive_cell(status: str | None, url: str | None, date: str | None) -> Markup:
    """Whether the source needs an archived copy, and a link to the one found."""
    if not status:
        return Markup('<span class="muted">not needed</span>')
    if not url:
        return Markup(_text(status))
    of = f" of {_text(date)}" if date else ""
    return Markup(f'{_text(status)}<br><a class="url" href="{_text(url)}">copy{of}</a>')


_NONE = '<span class="muted">–</span>'
_NO_DOCUMENT = '<li class="muted">no document</li>'


def index_row(r: Row, now: datetime) -> Markup:
    """A source's row in the index table (``index.html.j2`` has its head)."""
    changed = ' class="changed"' if r.changed else ""
    was = (
        f'<br><span class="flag">Changed: was {_text(verdict_text(r.previous_verdict))}</span>'
        if r.changed
        else ""
    )
    snoozed = (
        f'<br><span class="small muted">snoozed until {_text(day(r.snoozed_until))}</span>'
        if r.snoozed_until
        else ""
    )
    if r.since:
        since = (
            f'<time class="nowrap" datetime="{_text(r.since.isoformat())}">'
            f'{_text(day(r.since))}</time><br><span class="small muted">'
            f"{_text(age(r.since, now))}</span>"
        )
    else:
        since = _NONE
    documents = "".join(
        f'<li><a href="{_text(d.href)}">{_text(d.title)}</a></li>' for d in r.documents
    )
    elapsed = _NONE if r.elapsed_ms is None else _text(format_ms(r.elapsed_ms))
    checked = (
        f'<time datetime="{_text(r.checked_at)}"><span class="nowrap">'
        f"{_text(day(r.checked_at))}</span> {_text(clock(r.checked_at))}</time>"
        if r.checked_at
        else '<span class="muted">never</span>'
    )
    return Markup(
        f'<tr id="{_text(r.key)}"{changed}>\n'
        f'<td data-label="Source" class="source"><a class="source-title" '
        f'href="{_text(r.href)}">{_text(r.title)}</a><br><span class="small">'
        f"{link(r.url)}</span>{was}</td>\n"
        f'<td data-label="Verdict">{verdict_pill(r.mark, r.verdict)}<br>'
        f'<span class="small muted">{_text(r.reason)}</span></td>\n'
        f'<td data-label="Health">{health_pill(r.health)}{snoozed}</td>\n'
        f'<td data-label="Since (UTC)">{since}</td>\n'
        f'<td data-label="Owner">{_text(r.owner_name or "–")}</td>\n'
        f'<td data-label="Cited in"><ul class="plain">'
        f"{documents or _NO_DOCUMENT}</ul></td>\n"
        f'<td data-label="Uptime 30 d" class="num">{uptime(r.uptime)}</td>\n'
        f'<td data-label="Response" class="num">{elapsed}</td>\n'
        f'<td data-label="Archive">'
        f"{archive_cell(r.archive_status, r.archive_url, r.archive_date)}</td>\n"
        f'<td data-label="Checked (UTC)">{checked}</td>\n'
        "</tr>\n"
    )
