"""The small pieces of markup the pages repeat: escaped, and links only to the web."""

from __future__ import annotations

from markupsafe import Markup

from monitor.dashboard.cells import (
    archive_cell,
    health_pill,
    link,
    percent,
    uptime,
    verdict_pill,
)
from monitor.dashboard.views import HEALTH_MARKS
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
