"""The small pieces of markup the pages repeat: escaped, and links only to the web."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from markupsafe import Markup

from monitor.dashboard.cells import (
    archive_cell,
    health_pill,
    index_row,
    link,
    percent,
    uptime,
    verdict_pill,
)
from monitor.dashboard.views import HEALTH_MARKS, DocumentRef, Row, web_url
from monitor.publish.marks import mark_for

HOSTILE = '<script>alert("x")</script>'


def test_a_web_url_is_a_link_and_anything_else_is_text() -> None:
    assert link("https://example.org/a?b=1&c=2") == Markup(
        '<a class="url" href="https://example.org/a?b=1&amp;c=2">'
        "https://example.org/a?b=1&amp;c=2</a>"
    )
    assert link("https://example.org/", "The <b>report</b>") == Markup(
        '<a class="url" href="https://example.org/">The &lt;b&gt;report&lt;/b&gt;</a>'
    )
    for unfit in ("javascript:alert(1)", "https://exa mple.org/", "/relative", "https://\x07a"):
        assert link(unfit).startswith('<span class="url">'), unfit
    assert link(HOSTILE) == Markup(
        '<span class="url">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</span>'
    )


def test_web_urls_are_told_apart_whether_plain_or_not() -> None:
    for fit in (
        "http://a.example/x",
        "https://a.example",
        "http://a.example:8080/x?y=1#z",
        "HTTPS://A.example/",
        "http://user@a.example/",
        "http://[::1]:80/",
        "https://b\u00fccher.example/\u00e4",
    ):
        assert web_url(fit) == fit, fit
    for unfit in (
        "http:///x",
        "http://",
        "http://?q",
        "http://#f",
        "http://[::1/",
        "ftp://a.example/",
        "javascript:alert(1)",
        "https://a.example/\u00a0x",
    ):
        assert web_url(unfit) is None, unfit


def test_pills_show_the_mark_and_the_words() -> None:
    assert verdict_pill(mark_for("soft_404"), "soft_404") == Markup(
        f'<span class="pill k-{mark_for("soft_404").kind}"><span class="icon" '
        f'aria-hidden="true">{mark_for("soft_404").icon}</span>soft 404</span>'
    )
    assert verdict_pill(mark_for(None), None).endswith("not checked</span>")
    dead = HEALTH_MARKS["dead"]
    assert health_pill(dead) == Markup(
        '<span class="pill k-dead"><span class="icon" aria-hidden="true">✗</span>dead</span>'
    )


def test_uptime_and_percent() -> None:
    assert uptime(None) == Markup('<span class="muted">no data</span>')
    assert uptime(1.0) == "100%" and uptime(0.9951) == "99.5%"
    assert percent(None) == "–" and percent(0.5) == "50.0%"


def test_the_archive_cell_says_whether_a_copy_is_needed_and_links_it() -> None:
    assert archive_cell(None, None, None) == Markup('<span class="muted">not needed</span>')
    assert archive_cell(HOSTILE, None, None) == Markup(
        "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"
    )
    assert archive_cell("found", "https://web.archive.org/web/1/x", "2024-01-02") == Markup(
        'found<br><a class="url" href="https://web.archive.org/web/1/x">copy of 2024-01-02</a>'
    )
    assert archive_cell("found", 'https://a.org/"x', None) == Markup(
        'found<br><a class="url" href="https://a.org/&#34;x">copy</a>'
    )


def test_an_index_row_escapes_what_it_shows_and_marks_changes() -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    row = Row(
        key="row-0",
        source_id="s",
        href="sources/s.html",
        title=HOSTILE,
        url="javascript:alert(1)",
        publisher=None,
        verdict="broken",
        mark=mark_for("broken"),
        failing=True,
        reason=HOSTILE,
        health=HEALTH_MARKS["suspect"],
        since=now - timedelta(days=2),
        snoozed_until=now + timedelta(days=1),
        owner_id="o",
        owner_name=HOSTILE,
        documents=(DocumentRef("d", HOSTILE, "documents/d.html"),),
        uptime=0.5,
        elapsed_ms=None,
        checked_at=(now - timedelta(hours=1)).isoformat(),
        archive_status=None,
        archive_url=None,
        archive_date=None,
        previous_verdict="ok",
        changed=True,
    )
    html = index_row(row, now)
    assert "<script>" not in html and html.count("&lt;script&gt;") == 4
    assert html.startswith('<tr id="row-0" class="changed">\n') and html.endswith("</tr>\n")
    assert '<span class="url">javascript:alert(1)</span>' in html  # shown, not linked
    assert "Changed: was ok" in html and "snoozed until 2026-03-02" in html
    assert '<time class="nowrap" datetime="2026-02-27T12:00:00+00:00">2026-02-27</time>' in html
    assert "2 days ago" in html and "2026-03-01</span> 11:00" in html
    assert '<td data-label="Response" class="num"><span class="muted">–</span></td>' in html
    unchanged = index_row(replace(row, changed=False, documents=(), since=None), now)
    assert unchanged.startswith('<tr id="row-0">\n') and "Changed" not in unchanged
    assert '<li class="muted">no document</li>' in unchanged
