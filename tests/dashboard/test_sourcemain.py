"""The body of a source's page: every value escaped, optional parts only when there.

The snapshots in ``golden/`` were first written by the template block this markup
replaced; after a deliberate change, rewrite them with ``UPDATE_GOLDEN=1`` and read the
diff.
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from checks.model import Verdict
from monitor.dashboard.data import DriftEvent, Facts, Notice, Point, SourceHistory
from monitor.dashboard.sourcemain import CitedIn, SourceView, source_main
from monitor.dashboard.timeline import build_timeline
from monitor.dashboard.views import HEALTH_MARKS
from monitor.history import HealthSpan
from monitor.publish.marks import mark_for
from monitor.reports.status import source_entry
from monitor.state import Health, HealthEvent

GOLDEN = Path(__file__).with_name("golden")
HOSTILE = '<script>alert("x")</script>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"
NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _facts(health: Health = Health.SUSPECT) -> Facts:
    return Facts(
        health=health,
        since=NOW - timedelta(days=2),
        failing_since=NOW - timedelta(days=3),
        snoozed_until=NOW + timedelta(days=1),
        uptime=0.5,
        last_elapsed_ms=120.0,
        latest_verdict=Verdict.BROKEN,
        previous_verdict=Verdict.OK,
    )


def _history(points: int, *, hostile: bool) -> SourceHistory:
    text = HOSTILE if hostile else "fine"
    pts = tuple(
        Point(
            result_id=i,
            run_id=i,
            at=NOW - timedelta(hours=points - i),
            verdict=Verdict.BROKEN if i % 2 else Verdict.OK,
            status=404 if i % 2 else 200,
            elapsed_ms=1500.0 if i % 2 else None,
            reason=text,
            fingerprint=None,
            inconclusive_run=i == 0,
        )
        for i in range(points)
    )
    return SourceHistory(
        facts=_facts(),
        checks=points + 3 if points else 0,
        points=pts,
        spans=(HealthSpan(Health.SUSPECT, NOW - timedelta(days=3), None, text),),
        drift=(DriftEvent(NOW, 1, NOW - timedelta(days=1), None),) if points else (),
        events=(
            (HealthEvent("s", NOW - timedelta(days=3), Health.HEALTHY, Health.SUSPECT, text),)
            if points
            else ()
        ),
        notifications=(Notice(NOW, text, text, text),) if points else None,
    )


def _entry(value: Any) -> dict[str, Any]:
    return {
        "id": "s",
        "url": "https://example.org/report.pdf",
        "title": value,
        "publisher": value,
        "verdict": "broken",
        "reason": value,
        "checked_at": NOW.isoformat(),
        "status": 404,
        "final_url": "javascript:alert(1)",
        "suggested_url": value,
        "content_type": value,
        "elapsed_ms": 1500.0,
        "attempts": 2,
        "bytes_read": 512,
        "error": value,
        "error_kind": value,
        "tls_expires_at": (NOW + timedelta(days=9)).isoformat(),
        "warnings": [value],
        "accessed": value,
        "hops": [{"status": 301, "url": value, "location": value, "elapsed_ms": 12.0}],
        "claims": [
            {
                "id": "c1",
                "statement": value,
                "cited_as": value,
                "evidence": value,
                "found": True,
                "method": value,
                "score": 0.5,
                "sentence": value,
            },
            {"id": value, "statement": None, "found": False},
        ],
        "archive": {
            "status": value,
            "url": value,
            "captured_at": NOW.isoformat(),
            "claims_found": [value, "c2"],
            "reason": value,
            "candidates": [
                {
                    "url": value,
                    "captured_at": None,
                    "archive": value,
                    "accepted": False,
                    "reason": value,
                }
            ],
        },
    }


def _view(entry: dict[str, Any], history: SourceHistory, value: str) -> SourceView:
    return SourceView(
        entry=entry,
        title=value,
        mark=mark_for(entry.get("verdict")),
        health=HEALTH_MARKS["suspect"],
        facts=history.facts if history.checks else None,
        owner_name=value,
        history=history,
        timeline=build_timeline(history.points, history.spans, NOW),
        recent=list(reversed(history.points)),
        citations=[CitedIn("../documents/d.html", value, 7, value, value)],
    )


def _hostile_view() -> SourceView:
    entry = _entry(HOSTILE)
    # Anything that is not a time is shown as it is.
    entry.update(checked_at=HOSTILE, tls_expires_at=HOSTILE)
    entry["archive"].update(captured_at=HOSTILE)
    entry["archive"]["candidates"][0].update(captured_at=HOSTILE)
    view = _view(entry, _history(4, hostile=True), HOSTILE)
    cited = CitedIn(HOSTILE, HOSTILE, 7, HOSTILE, HOSTILE)
    return SourceView(**{**vars(view), "citations": [cited]})


def _unchecked_view() -> SourceView:
    entry = {**source_entry(None), "id": "s", "url": "https://example.org/", "reason": None}
    return _view(entry, _history(0, hostile=False), "New")


VIEWS = {
    "hostile": _hostile_view,
    "full": lambda: _view(_entry("plain"), _history(4, hostile=False), "plain"),
    "unchecked": _unchecked_view,
}


@pytest.mark.parametrize("name", VIEWS)
def test_the_body_is_the_bytes_it_was(name: str) -> None:
    html = source_main(VIEWS[name](), NOW)
    golden = GOLDEN / f"source-main--{name}.html"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(html, encoding="utf-8")
    assert html == golden.read_text(encoding="utf-8")


def test_every_value_shown_is_escaped() -> None:
    html = source_main(_hostile_view(), NOW)
    assert "<script>" not in html
    # Each hostile value once per place it is shown, and nowhere a raw quote or bracket
    # of it: title, publisher, reason, checked, cite instead, content type, error kind
    # and error, certificate expiry, warning, owner, accessed; hop url and location;
    # claim statement, cited as, evidence, method, sentence, and the second claim's
    # id; archive status, copy, capture date, claims found, note; candidate url,
    # capture date, archive, reason; citation link, title, footnote, text; the
    # results' reasons (4 table rows), the health event's reason; notification
    # channel, recipient, summary; in the chart, the title, the 4 bands' last reasons
    # and the health span's reason.
    assert html.count(ESCAPED) == 47
    soup = BeautifulSoup(html, "html.parser")
    assert not soup.find("script")
    assert not soup.select('a[href^="javascript"]')
    heading = soup.find("h1")
    assert heading is not None and heading.get_text() == HOSTILE


def test_a_full_entry_shows_each_part() -> None:
    history = _history(4, hostile=False)
    html = source_main(_view(_entry("plain"), history, "plain"), NOW)
    soup = BeautifulSoup(html, "html.parser")
    text = soup.get_text(" ")
    terms = [dt.get_text() for dt in soup.select("section.panel dl.facts")[0].find_all("dt")]
    assert terms == [
        "Verdict",
        "Reason",
        "Health",
        "Checked",
        "HTTP status",
        "Final URL",
        "Cite instead",
        "Content type",
        "Response time",
        "Bytes read",
        "Error",
        "Certificate expires",
        "Warnings",
        "Owner",
        "Accessed when cited",
        "Uptime, 30 days",
    ]
    assert '<time datetime="2026-02-27T12:00:00+00:00">2026-02-27 12:00</time> UTC' in html
    assert "1.50 s (2 attempts)" in html
    assert "<dt>HTTP status</dt><dd>404</dd>" in html
    assert '<span class="url">javascript:alert(1)</span>' in html  # shown, not linked
    assert "failing since 2026-02-26 12:00 UTC" in html  # a suspect source
    assert "snoozed until 2026-03-02 12:00 UTC" in html
    assert "7 checks stored; the newest 4 are drawn." in html
    assert "Results as a table (newest 4)" in html
    table = soup.select("details table tbody tr")
    assert [bool(row.select('td[data-label="Verdict"] .muted')) for row in table] == [
        False,
        False,
        False,
        True,  # the oldest, from an inconclusive run
    ]
    assert [c.get_text() for c in soup.select('td[data-label="Taken"]')] == ["no"]
    assert "healthy → <strong>suspect</strong>" in html
    assert '<span class="muted">unknown</span>' in html  # drift of unknown size
    assert "plain, score 0.50" in html and "not found</span>" in html
    assert "plain, c2" in html  # the claims the archived copy holds
    assert "line 7, footnote plain: “plain”" in html
    assert "2026-03-01 12:00 UTC: fine to fine: fine" in html  # the notification
    assert "<strong>301</strong>" in html and "(12 ms)" in html
    for absent in ("Not checked yet", "No redirects", "No claims", "None recorded"):
        assert absent not in text


def test_an_unchecked_source_says_what_it_lacks() -> None:
    html = source_main(_unchecked_view(), NOW)
    assert "<dt>Checked</dt><dd>never</dd>" in html
    assert "<dt>Reason</dt><dd>–</dd>" in html
    assert "HTTP status" not in html and "Response time" not in html
    assert "0 checks stored." in html and "Not checked yet." in html
    for empty in (
        "No archive lookup: the newest check did not need one.",
        "No health changes recorded.",
        "No content changes between consecutive checks.",
        "No redirects.",
        "No claims registered for this source.",
        "No captures tried.",
        "None recorded.",
    ):
        assert empty in html
    assert re.search(r"<dt>Uptime, 30 days</dt><dd><span class=\"muted\">no data</span>", html)
