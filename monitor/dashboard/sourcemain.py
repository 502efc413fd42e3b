"""The body of a source's page: its panels, history tables and lists, as markup.

Built in Python because a run writes a page for every source it checked, thousands of
them at the end of a large run, and as a template block this body took a third of a
page's time (a page in 0.26 ms instead of 0.28, 10,000 sources; ``source.html.j2``
keeps the page's frame). The markup is the block's, byte for byte, blank lines
included. Every value is escaped here as the templates' autoescaping would: anything
added must go through ``escape`` or be markup built the same way
(:mod:`~monitor.dashboard.cells`, :mod:`~monitor.dashboard.chart`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from monitor.dashboard.cells import health_pill, link, percent, uptime, verdict_pill
from monitor.dashboard.chart import chart_svg
from monitor.dashboard.data import Facts, Notice, Point, SourceHistory
from monitor.dashboard.dates import lasted, when
from monitor.dashboard.timeline import Timeline, format_ms
from monitor.publish.marks import Mark, mark_for

if TYPE_CHECKING:
    from monitor.dashboard.views import HealthMark


@dataclass(frozen=True)
class CitedIn:
    """A place a document cites the source, linked to the document's page."""

    href: str
    title: str
    line: int
    footnote: str | None
    text: str | None


@dataclass(frozen=True)
class SourceView:
    """What the body of a source's page shows. ``entry``: the source's entry in the
    status document (:func:`monitor.reports.status.source_entry`)."""

    entry: Mapping[str, Any]
    title: str
    mark: Mark
    health: HealthMark
    facts: Facts | None
    owner_name: str | None
    history: SourceHistory
    timeline: Timeline | None
    recent: Sequence[Point]  # newest first
    citations: Sequence[CitedIn]


_INCONCLUSIVE = ' <span class="small muted">(run inconclusive)</span>'


def source_main(v: SourceView, now: datetime) -> Markup:
    """The page's ``main`` element content."""
    s = v.entry
    parts = [
        f'\n<h1>{escape(v.title)}</h1>\n<p class="lede">{link(s.get("url"))}',
        f"<br>{escape(s.get('publisher'))}" if s.get("publisher") else "",
        "</p>\n\n"
        '<div class="grid2">\n'
        '<section class="panel" aria-labelledby="now-title">\n'
        '<h2 id="now-title">Newest check</h2>\n'
        '<dl class="facts">\n',
        _newest_check(v, now),
        "</dl>\n</section>\n\n",
        _archive_panel(s.get("archive")),
        "</div>\n\n",
        _history(v),
        _redirects(s.get("hops")),
        _claims(s.get("claims")),
        _captures(s.get("archive")),
        _cited_in(v.citations),
        _notifications(v.history.notifications),
    ]
    return Markup("".join(parts))


def _dd(term: str, value: Any) -> str:
    """A term of the facts list with its value (escaped unless markup)."""
    return f"<dt>{term}</dt><dd>{escape(value)}</dd>"


def _newest_check(v: SourceView, now: datetime) -> str:
    s, facts = v.entry, v.facts
    health = [str(health_pill(v.health))]
    if facts and facts.since:
        health.append(
            f' since <time datetime="{escape(facts.since.isoformat())}">'
            f"{escape(when(facts.since))}</time> UTC ({escape(lasted(facts.since, now))})"
        )
    if facts and facts.failing_since and v.health.kind in ("suspect", "dead"):
        health.append(
            '<br><span class="small muted">failing since '
            f"{escape(when(facts.failing_since))} UTC</span>"
        )
    if facts and facts.snoozed_until:
        health.append(
            '<br><span class="small muted">snoozed until '
            f"{escape(when(facts.snoozed_until))} UTC</span>"
        )
    checked = f"{escape(when(s.get('checked_at')))} UTC" if s.get("checked_at") else "never"
    # One line per term; a term left out leaves its line empty, as the template did.
    lines = [
        _dd("Verdict", verdict_pill(v.mark, s.get("verdict"))),
        _dd("Reason", s.get("reason") or "–"),
        f"<dt>Health</dt><dd>{''.join(health)}</dd>",
        f"<dt>Checked</dt><dd>{checked}</dd>",
    ]
    status = s.get("status")
    lines.append(_dd("HTTP status", status) if status is not None else "")
    final_url = s.get("final_url")
    lines.append(
        _dd("Final URL", link(final_url)) if final_url and final_url != s.get("url") else ""
    )
    suggested = s.get("suggested_url")
    lines.append(_dd("Cite instead", link(suggested)) if suggested else "")
    content_type = s.get("content_type")
    lines.append(_dd("Content type", content_type) if content_type else "")
    elapsed = s.get("elapsed_ms")
    if elapsed is not None:
        attempts = s.get("attempts")
        tries = f" ({escape(attempts)} attempts)" if attempts and attempts > 1 else ""
        lines.append(f"<dt>Response time</dt><dd>{escape(format_ms(elapsed))}{tries}</dd>")
    else:
        lines.append("")
    bytes_read = s.get("bytes_read")
    lines.append(_dd("Bytes read", bytes_read) if bytes_read else "")
    if s.get("error"):
        kind = f"{escape(s.get('error_kind'))}: " if s.get("error_kind") else ""
        lines.append(f"<dt>Error</dt><dd>{kind}{escape(s.get('error'))}</dd>")
    else:
        lines.append("")
    expires = s.get("tls_expires_at")
    lines.append(
        f"<dt>Certificate expires</dt><dd>{escape(when(expires))} UTC</dd>" if expires else ""
    )
    warnings = s.get("warnings")
    if warnings:
        items = "".join(f"<li>{escape(w)}</li>" for w in warnings)
        lines.append(f'<dt>Warnings</dt><dd><ul class="plain">{items}</ul></dd>')
    else:
        lines.append("")
    lines.append(_dd("Owner", v.owner_name or "–"))
    accessed = s.get("accessed")
    lines.append(_dd("Accessed when cited", accessed) if accessed else "")
    lines.append(_dd("Uptime, 30 days", uptime(facts.uptime if facts else None)))
    return "".join(line + "\n" for line in lines)


def _archive_panel(archive: Mapping[str, Any] | None) -> str:
    head = (
        '<section class="panel" aria-labelledby="archive-title">\n'
        '<h2 id="archive-title">Archive fallback</h2>\n'
    )
    if not archive:
        body = '\n<p class="muted">No archive lookup: the newest check did not need one.</p>\n'
        return f"{head}{body}\n</section>\n"
    url, captured = archive.get("url"), archive.get("captured_at")
    found, reason = archive.get("claims_found"), archive.get("reason")
    # As in the facts list, a term left out leaves its line empty.
    lines = [
        _dd("Status", archive.get("status")),
        _dd("Archived copy", link(url)) if url else "",
        f"<dt>Captured</dt><dd>{escape(when(captured))} UTC</dd>" if captured else "",
        _dd("Claims it holds", Markup(", ").join(found)) if found else "",
        _dd("Note", reason) if reason else "",
    ]
    facts = "".join(line + "\n" for line in lines)
    return f'{head}\n<dl class="facts">\n{facts}</dl>\n\n</section>\n'


def _table(head: str, rows: Iterable[str]) -> str:
    """A scrolling table of cards with its header cells and rows, each row on its line
    between blank ones."""
    body = "".join(f"\n{row}\n" for row in rows)
    return (
        '<div class="scroll">\n<table class="cards-sm">\n'
        f"<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n</div>\n"
    )


def _history(v: SourceView) -> str:
    history, recent = v.history, v.recent
    drawn = len(history.points)
    more = f"; the newest {drawn} are drawn" if history.checks > drawn else ""
    plural = "s" if history.checks != 1 else ""
    chart = (
        chart_svg(v.timeline, v.title)
        if v.timeline
        else Markup('<p class="muted">Not checked yet.</p>')
    )
    parts = [
        '<section aria-labelledby="history-title">\n'
        '<h2 id="history-title">History</h2>\n'
        f"<p>{escape(history.checks)} check{plural} stored{more}.</p>\n"
        f"{chart}\n"
    ]
    if recent:
        rows = (
            f'<tr><td data-label="Checked">{escape(when(p.at))}</td>'
            f'<td data-label="Verdict">'
            f"{verdict_pill(mark_for(p.verdict.value), p.verdict.value)}"
            f"{_INCONCLUSIVE if p.inconclusive_run else ''}"
            f'</td><td data-label="HTTP" class="num">'
            f"{escape(p.status if p.status is not None else '–')}</td>"
            f'<td data-label="Response" class="num">{escape(format_ms(p.elapsed_ms))}</td>'
            f'<td data-label="Reason">{escape(p.reason)}</td></tr>'
            for p in recent
        )
        head = (
            '<th scope="col">Checked (UTC)</th><th scope="col">Verdict</th>'
            '<th scope="col" class="num">HTTP</th><th scope="col" class="num">Response</th>'
            '<th scope="col">Reason</th>'
        )
        parts.append(
            "\n<details>\n"
            f"<summary>Results as a table (newest {len(recent)})</summary>\n"
            f"{_table(head, rows)}</details>\n"
        )
    parts.append("\n\n<h3>Health changes</h3>\n")
    if history.events:
        rows = (
            f'<tr><td data-label="When">{escape(when(e.at))}</td>'
            f'<td data-label="Change">{escape(e.previous.value)} → '
            f"<strong>{escape(e.health.value)}</strong></td>"
            f'<td data-label="Why">{escape(e.reason)}</td></tr>'
            for e in reversed(history.events)
        )
        head = '<th scope="col">When (UTC)</th><th scope="col">Change</th><th scope="col">Why</th>'
        parts.append("\n" + _table(head, rows))
    else:
        parts.append('<p class="muted">No health changes recorded.</p>')
    parts.append("\n\n<h3>Content changes</h3>\n")
    if history.drift:
        rows = (
            f'<tr><td data-label="When">{escape(when(d.at))}</td>'
            f'<td data-label="Compared with">check of {escape(when(d.previous_at))}</td>'
            '<td data-label="Text kept" class="num">'
            + (
                '<span class="muted">unknown</span>'
                if d.similarity is None
                else str(escape(percent(d.similarity)))
            )
            + "</td></tr>"
            for d in reversed(history.drift)
        )
        head = (
            '<th scope="col">When (UTC)</th><th scope="col">Compared with</th>'
            '<th scope="col" class="num">Text kept</th>'
        )
        parts.append("\n" + _table(head, rows))
    else:
        parts.append('<p class="muted">No content changes between consecutive checks.</p>')
    parts.append("\n</section>\n\n")
    return "".join(parts)


def _section(key: str, title: str, body: str) -> str:
    return (
        f'<section aria-labelledby="{key}-title">\n'
        f'<h2 id="{key}-title">{title}</h2>\n{body}\n</section>\n'
    )


def _redirects(hops: Sequence[Mapping[str, Any]] | None) -> str:
    if not hops:
        body = '<p class="muted">No redirects.</p>'
    else:
        items = "".join(
            f"<li><strong>{escape(h.get('status'))}</strong> {link(h.get('url'))}"
            + (f" → {link(h.get('location'))}" if h.get("location") else "")
            + f' <span class="small muted">({escape(format_ms(h.get("elapsed_ms")))})</span>'
            "</li>\n"
            for h in hops
        )
        body = f'\n<ol class="hops">\n{items}\n</ol>\n'
    return _section("redirects", "Redirect chain", body) + "\n"


def _claim_found(c: Mapping[str, Any]) -> str:
    found = c.get("found")
    if found:
        method = ""
        if c.get("method"):
            score = c.get("score")
            scored = f", score {score:.2f}" if score is not None else ""
            method = f'<br><span class="small muted">{escape(c.get("method"))}{scored}</span>'
        return (
            '<span class="pill k-ok"><span class="icon" aria-hidden="true">✓</span>found'
            f"</span>{method}"
        )
    if found is False:
        return (
            '<span class="pill k-drifted"><span class="icon" aria-hidden="true">!</span>'
            "not found</span>"
        )
    return '<span class="muted">not checked</span>'


def _claims(claims: Sequence[Mapping[str, Any]] | None) -> str:
    if not claims:
        body = '<p class="muted">No claims registered for this source.</p>'
    else:
        rows = (
            "<tr>\n"
            f'<td data-label="Claim">{escape(c.get("statement") or c.get("id"))}'
            + (
                f'<br><span class="small muted">cited as {escape(c.get("cited_as"))}</span>'
                if c.get("cited_as")
                else ""
            )
            + "</td>\n"
            f'<td data-label="Evidence">{escape(c.get("evidence") or "–")}</td>\n'
            f'<td data-label="Found">{_claim_found(c)}</td>\n'
            '<td data-label="Where">'
            + (
                f"<blockquote>{escape(c.get('sentence'))}</blockquote>"
                if c.get("sentence")
                else '<span class="muted">–</span>'
            )
            + "</td>\n</tr>"
            for c in claims
        )
        head = (
            '<th scope="col">Claim</th><th scope="col">Evidence</th><th scope="col">Found</th>'
            '<th scope="col">Where (sentence in the source)</th>'
        )
        body = "\n" + _table(head, rows)
    return _section("claims", "Claims", body) + "\n"


def _captures(archive: Mapping[str, Any] | None) -> str:
    candidates = archive.get("candidates") if archive else None
    if not candidates:
        body = '<p class="muted">No captures tried.</p>'
    else:
        rows = (
            f'<tr><td data-label="Capture">{link(c.get("url"))}</td>'
            '<td data-label="Captured">'
            f"{escape(when(c.get('captured_at')) if c.get('captured_at') else '–')}</td>"
            f'<td data-label="Archive">{escape(c.get("archive"))}</td>'
            f'<td data-label="Taken">{"yes" if c.get("accepted") else "no"}</td>'
            f'<td data-label="Why">{escape(c.get("reason"))}</td></tr>'
            for c in candidates
        )
        head = (
            '<th scope="col">Capture</th><th scope="col">Captured (UTC)</th>'
            '<th scope="col">Archive</th><th scope="col">Taken</th><th scope="col">Why</th>'
        )
        body = "\n" + _table(head, rows)
    return _section("candidates", "Archive captures tried", body) + "\n"


def _cited_in(citations: Sequence[CitedIn]) -> str:
    if not citations:
        body = '<p class="muted">No document cites this source.</p>'
    else:
        items = "".join(
            f'<li><a href="{escape(c.href)}">{escape(c.title)}</a>, line {escape(c.line)}'
            + (f", footnote {escape(c.footnote)}" if c.footnote else "")
            + (f": “{escape(c.text)}”" if c.text else "")
            + "</li>\n"
            for c in citations
        )
        body = f"\n<ul>\n{items}\n</ul>\n"
    return _section("cited", "Cited in", body) + "\n"


def _notifications(notices: Sequence[Notice] | None) -> str:
    if not notices:
        body = '<p class="muted">None recorded.</p>'
    else:
        items = "".join(
            "<li>"
            + (f"{escape(when(n.at))} UTC: " if n.at else "")
            + str(escape(n.channel))
            + (f" to {escape(n.recipient)}" if n.recipient else "")
            + (f": {escape(n.summary)}" if n.summary else "")
            + "</li>\n"
            for n in notices
        )
        body = f"\n<ul>\n{items}\n</ul>\n"
    return _section("notifications", "Notifications sent", body)
