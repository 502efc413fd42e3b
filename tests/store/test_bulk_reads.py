"""Reads of many sources' pasts at once, as the dashboard does, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import groupby
from operator import attrgetter

from checks.model import CheckResult, Verdict
from monitor.state import Health, HealthEvent, SourceHealth
from monitor.store import NewNotification, Store

T = datetime(2026, 2, 1, 12, tzinfo=UTC)
# Ids whose order differs between byte order and a linguistic collation.
IDS = ["b-2", "B1", "a_1", "a1", "Z"]


def result(source_id: str, day: int, **changes: object) -> CheckResult:
    base = CheckResult(
        url=f"http://{source_id.lower()}.example/",
        verdict=Verdict.OK,
        reason="200 OK",
        checked_at=T + timedelta(days=day),
        source_id=source_id,
        status=200,
        elapsed_ms=10.0 + day,
    )
    return base.replace(**changes)


def fill(store: Store) -> dict[str, list[int]]:
    """Three runs over the sources but the last; the newest run changes two verdicts."""
    store.sync_sources(((sid, f"http://{sid}.example/", None, "o") for sid in IDS), T)
    ids: dict[str, list[int]] = {sid: [] for sid in IDS}
    for day in range(3):
        run_id = store.start_run(T + timedelta(days=day), planned=4)
        items = []
        for sid in IDS[:-1]:
            changes: dict[str, object] = {"fingerprint": f"v1:{sid}:{min(day, 1)}"}
            if day == 2 and sid in ("B1", "a1"):
                changes.update(verdict=Verdict.BROKEN, status=404, reason="404")
            if day == 1:
                changes["extra"] = {"similarity": 0.75}
            items.append((result(sid, day, **changes), None))
        for sid, rid in zip(IDS[:-1], store.save_results(run_id, items), strict=True):
            ids[sid].append(rid)
    return ids


def test_result_briefs_stream_each_source_together_oldest_first(store: Store) -> None:
    ids = fill(store)
    briefs = list(store.result_briefs(IDS))
    grouped = {sid: list(rows) for sid, rows in groupby(briefs, key=attrgetter("source_id"))}
    assert len(grouped) == 4, "each source's results come together"
    assert "Z" not in grouped
    for sid, rows in grouped.items():
        assert [b.id for b in rows] == ids[sid]
        assert [b.checked_at for b in rows] == [T + timedelta(days=d) for d in range(3)]
    b1 = grouped["B1"]
    assert [b.verdict for b in b1] == [Verdict.OK, Verdict.OK, Verdict.BROKEN]
    assert (b1[2].status, b1[2].reason, b1[2].elapsed_ms) == (404, "404", 12.0)
    assert [b.fingerprint for b in b1] == ["v1:B1:0", "v1:B1:1", "v1:B1:1"]
    # The similarity the check recorded in the result's extra, read without decoding it.
    assert [b.similarity for b in b1] == [None, 0.75, None]
    assert list(store.result_briefs(["nobody"])) == []


def test_newest_briefs_are_the_last_two_newest_first(store: Store) -> None:
    ids = fill(store)
    newest = store.newest_briefs(IDS)
    assert set(newest) == set(IDS[:-1])
    for sid in IDS[:-1]:
        assert [b.id for b in newest[sid]] == ids[sid][::-1][:2]
    assert [b.verdict for b in newest["a1"]] == [Verdict.BROKEN, Verdict.OK]
    assert [len(v) for v in store.newest_briefs(["a1"], count=1).values()] == [1]
    # Every source's, asked for without a list of ids.
    assert store.newest_briefs(None) == newest


def test_events_and_notices_of_many_sources(store: Store) -> None:
    fill(store)
    for sid, day in (("a1", 3), ("a1", 1), ("Z", 2)):
        event = HealthEvent(sid, T + timedelta(days=day), Health.UNKNOWN, Health.SUSPECT, "x")
        store.save_health(sid, _state(sid, day), event)
    events = store.events_of(IDS)
    assert [e.at.day for e in events["a1"]] == [2, 4], "oldest first"
    assert [e.source_id for e in events["Z"]] == ["Z"]
    assert "B1" not in events

    key = store.outbox_add(
        [
            NewNotification(
                key="k1",
                run_id=None,
                owner="o",
                channel="email",
                recipient="o@example.org",
                subject="2 sources failing",
                payload={},
                sources=("a1", "B1"),
            )
        ],
        T,
    )[0]
    store.outbox_mark_sent(key, T + timedelta(hours=1))
    notices = store.notices_of(IDS)
    assert set(notices) == {"a1", "B1"}
    (notice,) = notices["a1"]
    assert (notice.owner, notice.channel, notice.recipient, notice.subject) == (
        "o",
        "email",
        "o@example.org",
        "2 sources failing",
    )
    assert notice.sent_at == T + timedelta(hours=1)


def _state(source_id: str, day: int) -> SourceHealth:
    return SourceHealth(source_id, Health.SUSPECT, since=T + timedelta(days=day))
