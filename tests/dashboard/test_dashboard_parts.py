"""The dashboard's pure parts: safe names, JSON for HTML, URLs, timeline geometry, badges,
drift."""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from checks.content.drift import fingerprint
from checks.model import Verdict
from monitor.dashboard.chart import chart_svg
from monitor.dashboard.data import Point, drift_between
from monitor.dashboard.dates import age, when
from monitor.dashboard.forked import map_shares
from monitor.dashboard.jsonblock import json_for_html
from monitor.dashboard.names import page_name
from monitor.dashboard.timeline import build_timeline, format_ms
from monitor.dashboard.views import web_url
from monitor.history import HealthSpan
from monitor.state import Health
from monitor.store import ResultBrief
from monitor.web.badge import badge

T = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "identifier",
    ["../../etc/passwd", "A", "a b", "con", "x.", ".hidden", "ü", "s/t", "", "a" * 300],
)
def test_odd_ids_become_plain_file_names(identifier: str) -> None:
    name = page_name(identifier)
    assert name and len(name) <= 80
    assert all(c.isascii() and (c.isalnum() or c in "._-") for c in name)
    assert name == name.lower()
    assert not name.startswith(".") and not name.endswith(".")
    assert name.split(".")[0] not in ("con", "prn", "aux", "nul")


def test_plain_ids_keep_their_name_and_others_never_collide() -> None:
    assert page_name("doj-oig-2009.v1") == "doj-oig-2009.v1"
    assert page_name("A") != page_name("a")  # one file system may fold case
    assert page_name("a b") != page_name("a-b")
    assert page_name("a b") == page_name("a b")


def test_json_for_html_cannot_close_its_element_and_reads_back() -> None:
    value: dict[str, Any] = {
        "t": "</script><script>alert(1)</script>",
        "c": "<!-- & -->",
        "ls": "a\u2028b\u2029c",
    }
    text = str(json_for_html(value))
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text
    assert json.loads(text) == value


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://example.org/a?b=1#c", True),
        ("http://example.org", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        ("data:text/html,<b>", False),
        ("//example.org/x", False),
        ("/relative", False),
        ("https://exa mple.org/", False),
        ("https://example.org/\nx", False),
        (None, False),
    ],
)
def test_only_web_urls_become_links(url: str | None, ok: bool) -> None:
    assert (web_url(url) is not None) is ok


def point(hours: float, verdict: Verdict, ms: float | None = 100.0, **kw: Any) -> Point:
    return Point(
        result_id=int(hours),
        run_id=None,
        at=T + timedelta(hours=hours),
        verdict=verdict,
        status=200,
        elapsed_ms=ms,
        reason=kw.get("reason", "r"),
        fingerprint=None,
        inconclusive_run=kw.get("inconclusive", False),
    )


def test_timeline_merges_runs_of_one_state_and_spans_to_now() -> None:
    points = [
        point(0, Verdict.OK),
        point(24, Verdict.MOVED),  # a working state, drawn apart from ok
        point(48, Verdict.BROKEN),
        point(72, Verdict.SOFT_404),  # both "unavailable": one band
        point(96, Verdict.OK, inconclusive=True),
    ]
    now = T + timedelta(hours=120)
    t = build_timeline(points, (), now)
    assert t is not None
    assert [(b.kind, b.checks) for b in t.bands] == [
        ("ok", 1),
        ("moved", 1),
        ("dead", 2),
        ("inconclusive", 1),
    ]
    assert t.bands[0].x == t.left
    last = t.bands[-1]
    assert last.x + last.width == pytest.approx(t.plot_right, abs=0.2)
    assert "broken, soft 404" in t.bands[2].label
    widths = [b.width for b in t.bands]
    assert widths[2] == pytest.approx(2 * widths[0], abs=0.2)


def test_response_line_breaks_where_a_check_has_no_time() -> None:
    points = [
        point(h, Verdict.OK, ms) for h, ms in ((0, 50), (1, 80), (2, None), (3, 900), (4, 1200))
    ]
    t = build_timeline(points, (), T + timedelta(hours=4))
    assert t is not None
    assert len(t.lines) == 2
    assert len(t.dots) == 4
    assert [tick.label for tick in t.y_ticks] == ["0 ms", "1.00 s", "2.00 s"]
    ys = [d.y for d in t.dots]
    assert all(t.chart_top <= y <= t.chart_bottom for y in ys)
    assert ys[0] > ys[-1]  # slower is higher


def test_health_spans_are_clipped_to_the_chart() -> None:
    points = [point(0, Verdict.OK), point(48, Verdict.BROKEN)]
    spans = [
        HealthSpan(Health.HEALTHY, T - timedelta(days=30), T + timedelta(hours=48), "first"),
        HealthSpan(Health.SUSPECT, T + timedelta(hours=48), None, "broken"),
    ]
    t = build_timeline(points, spans, T + timedelta(hours=96))
    assert t is not None
    assert [b.kind for b in t.health] == ["healthy", "suspect"]
    assert t.health[0].x == t.left
    assert t.health[1].x + t.health[1].width == pytest.approx(t.plot_right, abs=0.2)


def test_the_chart_draws_every_shape_and_escapes_its_labels() -> None:
    points = [
        point(0, Verdict.OK, 50),
        point(24, Verdict.BROKEN, 80, reason="<script>alert(1)</script>"),
        point(48, Verdict.OK, 40),
    ]
    spans = [HealthSpan(Health.SUSPECT, T, None, 'a "quoted" <reason>')]
    t = build_timeline(points, spans, T + timedelta(hours=48))
    assert t is not None
    svg = chart_svg(t, "Report <b>2024</b>")
    assert svg.startswith('<figure class="chart">\n<svg ') and svg.endswith("</figure>")
    assert "Timeline of Report &lt;b&gt;2024&lt;/b&gt;" in svg
    assert "<script>" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert "&#34;quoted&#34; &lt;reason&gt;" in svg
    assert svg.count('<rect class="band band-') == len(t.bands) == 3
    assert svg.count('<rect class="band hband-suspect"') == 1
    assert svg.count('<circle class="rt-dot"') == 3 and svg.count('<polyline class="rt"') == 1
    anchors = re.findall(rf'y="{t.axis_label_y}" text-anchor="(\w+)"', svg)
    # The five time ticks, then the zone they are in, left of the axis.
    assert anchors == ["start", "middle", "middle", "middle", "end", "end"]
    assert f'x="{t.left - 8}" y="{t.axis_label_y}" text-anchor="end">UTC</text>' in svg
    assert f'x="{t.left - 8}" y="{t.band_top + t.band_height / 2 + 4}"' in svg


def test_no_points_no_chart() -> None:
    assert build_timeline([], (), T) is None


@pytest.mark.parametrize(
    ("value", "text"), [(None, "no time"), (12.4, "12 ms"), (999.4, "999 ms"), (1234, "1.23 s")]
)
def test_response_times_read_naturally(value: float | None, text: str) -> None:
    assert format_ms(value) == text


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=5), "just now"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(hours=5, minutes=59), "5 hours ago"),
        (timedelta(days=3, hours=1), "3 days ago"),
    ],
)
def test_ages(delta: timedelta, text: str) -> None:
    assert age(T - delta, T) == text


def brief(n: int, fp: str | None, similarity: float | None = None) -> ResultBrief:
    return ResultBrief(
        n, "s", None, T + timedelta(days=n), Verdict.OK, 200, 5.0, "ok", fp, similarity
    )


def test_drift_uses_the_recorded_similarity_else_the_fingerprints() -> None:
    words = " ".join(f"word{i}" for i in range(200))
    a, b = fingerprint(words), fingerprint(words + " and a few new words at the end")
    estimated = drift_between(brief(1, a), brief(2, b))
    assert estimated is not None and estimated.similarity is not None
    assert 0.5 < estimated.similarity < 1.0
    recorded = drift_between(brief(1, a), brief(2, b, similarity=0.25))
    assert recorded is not None and recorded.similarity == 0.25
    assert drift_between(brief(1, a), brief(2, a)) is None
    assert drift_between(brief(1, None), brief(2, b)) is None
    unknown = drift_between(brief(1, "etag-1"), brief(2, "etag-2"))
    assert unknown is not None and unknown.similarity is None


def status_for(verdicts: list[str | None]) -> dict[str, Any]:
    return {
        "documents": [{"id": "doc"}],
        "sources": [
            {
                "id": f"s{i}",
                "verdict": v,
                "failing": bool(v and Verdict(v).is_failure),
                "citations": [{"document": "doc", "line": i}],
            }
            for i, v in enumerate(verdicts)
        ],
    }


@pytest.mark.parametrize(
    ("verdicts", "message", "color"),
    [
        (["ok"] * 6, "6 ok", "brightgreen"),
        (["ok", "moved", "broken", "claim_missing"], "2 failing", "red"),
        (["ok", "blocked", None], "1 ok, 2 unverified", "yellow"),
        ([], "none cited", "lightgrey"),
    ],
)
def test_badge_messages(verdicts: list[str | None], message: str, color: str) -> None:
    found = badge(status_for(verdicts), "doc")
    assert found is not None
    assert found["schemaVersion"] == 1 and found["label"] == "citations"
    assert (found["message"], found["color"]) == (message, color)
    assert badge(status_for(verdicts), "other") is None


def _square_all(take: Callable[[], Sequence[int]], forked: bool) -> list[tuple[int, int, bool]]:
    done: list[tuple[int, int, bool]] = []
    while batch := take():
        done.extend((n * n, os.getpid(), forked) for n in batch)
        time.sleep(0.01)  # long enough for every process to get some
    return done


def test_map_shares_hands_every_item_out_once_here_and_in_forked_workers() -> None:
    results = map_shares(_square_all, list(range(40)), 3, batch=2)
    assert sorted(n for share in results for n, _pid, _f in share) == [n * n for n in range(40)]
    here, *others = results
    assert {(pid, forked) for _n, pid, forked in here} == {(os.getpid(), False)}
    pids = {pid for share in others for _n, pid, forked in share if forked}
    assert len(pids) >= 1 and os.getpid() not in pids
    assert map_shares(_square_all, [2], 1) == [[(4, os.getpid(), False)]]


def test_a_process_busy_with_other_work_takes_fewer_batches() -> None:
    seen: list[str] = []

    def meanwhile() -> None:
        workers = multiprocessing.active_children()
        seen.append(f"meanwhile in {os.getpid()} with {len(workers)} worker(s) started")
        time.sleep(0.5)

    here, forked = map_shares(_square_all, list(range(40)), 2, meanwhile=meanwhile, batch=2)
    assert seen == [f"meanwhile in {os.getpid()} with 1 worker(s) started"]
    assert len(here) + len(forked) == 40
    assert len(forked) > len(here), "the worker took batches while this process was busy"
    alone: list[str] = []
    assert map_shares(_square_all, [5], 1, meanwhile=lambda: alone.append("first")) == [
        [(25, os.getpid(), False)]
    ]
    assert alone == ["first"]


def test_a_failure_here_stops_the_workers_after_their_batch() -> None:
    def meanwhile() -> None:
        time.sleep(0.05)  # the worker has begun
        raise ValueError("broken report")

    started = time.monotonic()
    with pytest.raises(ValueError, match="broken report"):
        map_shares(_square_all, list(range(1000)), 2, meanwhile=meanwhile, batch=1)
    # 1,000 batches of 10 ms would take 10 s: the worker stopped after a few.
    assert time.monotonic() - started < 5


def _fail_in_worker(take: Callable[[], Sequence[int]], forked: bool) -> list[int]:
    if forked:
        raise ValueError("broken page")
    return [n for batch in iter(take, []) for n in batch]


def test_a_worker_error_reaches_the_caller() -> None:
    with pytest.raises(ValueError, match="broken page"):
        map_shares(_fail_in_worker, [1, 2, 3, 4], 2)


def test_a_stretch_without_checks_is_drawn_as_such() -> None:
    """Daily checks, then none for two months: the chart does not show two months of
    'working', and the response line does not run across the gap."""
    days = [0, 1, 2, 3, 63, 64]
    points = [point(24 * d, Verdict.OK, 100.0 + d) for d in days]
    t = build_timeline(points, (), T + timedelta(days=65))
    assert t is not None
    assert [(b.kind, b.checks) for b in t.bands] == [("ok", 4), ("nochecks", 0), ("ok", 2)]
    gap = t.bands[1]
    # From the day the next check was due to the day it came.
    assert gap.label.startswith(f"{when(T + timedelta(days=4))} to {when(T + timedelta(days=63))}")
    assert len(t.lines) == 2
    assert t.bands[0].x + t.bands[0].width == pytest.approx(gap.x, abs=0.2)


def test_checks_that_stopped_are_not_drawn_up_to_now() -> None:
    points = [point(24 * d, Verdict.BROKEN) for d in range(4)]
    t = build_timeline(points, (), T + timedelta(days=40))
    assert t is not None
    assert [b.kind for b in t.bands] == ["dead", "nochecks"]
    assert t.bands[1].x + t.bands[1].width == pytest.approx(t.plot_right, abs=0.2)


def test_regular_checks_have_no_gaps_whatever_their_spacing() -> None:
    weekly = [point(24 * 7 * w, Verdict.OK) for w in range(6)]
    t = build_timeline(weekly, (), T + timedelta(days=7 * 6))
    assert t is not None and [b.kind for b in t.bands] == ["ok"]
    hourly = [point(h, Verdict.OK) for h in range(30)]
    t = build_timeline(hourly, (), T + timedelta(hours=40))  # a few hours late: no gap
    assert t is not None and [b.kind for b in t.bands] == ["ok"]


def test_daily_checks_after_a_suspect_spell_have_no_gaps() -> None:
    """Checked every 6 hours while suspect, then daily with jitter again."""
    suspect = [point(6 * i, Verdict.BLOCKED) for i in range(60)]
    jitter = [0, 2.4, -1.2, 2.2, -2.0, 1.0, 2.4, -0.5, 1.7, 0.3]
    daily = [point(360 + 24 * (d + 1) + j, Verdict.OK) for d, j in enumerate(jitter)]
    t = build_timeline(suspect + daily, (), T + timedelta(hours=360 + 24 * 11))
    assert t is not None
    assert [b.kind for b in t.bands] == ["unverifiable", "ok"]
    assert len(t.lines) == 1
