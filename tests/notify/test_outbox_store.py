"""The outbox and notices in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import inspect

from checks.model import Verdict
from monitor.store import NewNotification, OutboxStatus, Store
from monitor.store import db as database
from tests.notify.project import T0, at, result
from tests.store.helpers import start_run_before_0005

OUTBOX_TABLES = {"notification_outbox", "notification_notices"}


def note(key: str, *, channel: str = "email", owner: str = "web", **kw: object) -> NewNotification:
    values: dict[str, object] = {
        "key": key,
        "run_id": 1,
        "owner": owner,
        "channel": channel,
        "recipient": "web@example.org",
        "subject": f"subject {key}",
        "payload": {"text": "body", "html": "<p>body</p>", "n": [1, 2]},
        "sources": ("s1", "s2"),
        "redeliver": channel == "webhook",
    }
    values.update(kw)
    return NewNotification(**values)  # type: ignore[arg-type]


def test_adding_the_same_key_again_adds_nothing(store: Store) -> None:
    assert store.outbox_add([note("a"), note("b")], T0) == ["a", "b"]
    assert store.outbox_add([note("a", subject="changed"), note("c")], at(1)) == ["c"]
    rows = {r.key: r for r in store.outbox_rows()}
    assert sorted(rows) == ["a", "b", "c"]
    first = rows["a"]
    assert (first.subject, first.status, first.attempts) == ("subject a", OutboxStatus.PENDING, 0)
    assert first.payload == {"text": "body", "html": "<p>body</p>", "n": [1, 2]}
    assert first.sources == ("s1", "s2") and first.created_at == T0 == first.next_attempt_at


def test_claiming_moves_due_rows_to_sending_once(store: Store) -> None:
    store.outbox_add([note("a"), note("b")], T0)
    store.outbox_add([note("later")], at(1))
    [claimed] = store.outbox_claim_due(T0, limit=1)
    assert (claimed.key, claimed.status, claimed.attempts) == ("a", OutboxStatus.SENDING, 1)
    assert claimed.claimed_at == T0
    assert [r.key for r in store.outbox_claim_due(T0, limit=10)] == ["b"]
    assert store.outbox_claim_due(T0, limit=10) == []  # "later" is not due yet
    assert [r.key for r in store.outbox_claim_due(at(1), limit=10)] == ["later"]


def test_marking_sent_records_a_notice_per_source(store: Store) -> None:
    store.outbox_add([note("a")], T0)
    store.outbox_claim_due(T0)
    assert store.last_notice("web", "s1") is None
    assert store.outbox_mark_sent("a", at(0.5)) is True
    assert store.outbox_mark_sent("a", at(0.6)) is False
    [row] = store.outbox_rows(status=OutboxStatus.SENT)
    assert row.sent_at == at(0.5) and row.last_error is None
    assert store.last_notice("web", "s1") == at(0.5) == store.last_notice("web", "s2")
    assert store.last_notice("research", "s1") is None
    # A later message about the same source moves the notice on.
    store.outbox_add([note("b", sources=("s1",))], at(7))
    store.outbox_claim_due(at(7))
    store.outbox_mark_sent("b", at(7))
    assert store.last_notice("web", "s1") == at(7)
    assert store.last_notice("web", "s2") == at(0.5)
    with pytest.raises(KeyError):
        store.outbox_mark_sent("nope", at(8))


def test_a_failed_attempt_waits_for_its_retry_or_gives_up(store: Store) -> None:
    store.outbox_add([note("a")], T0)
    store.outbox_claim_due(T0)
    retry = T0 + timedelta(minutes=5)
    assert store.outbox_mark_failed("a", "503", retry_at=retry) is OutboxStatus.PENDING
    assert store.outbox_claim_due(retry - timedelta(seconds=1)) == []
    [again] = store.outbox_claim_due(retry)
    assert again.attempts == 2 and again.last_error == "503"
    assert store.outbox_mark_failed("a", "503 again", retry_at=None) is OutboxStatus.FAILED
    assert store.outbox_claim_due(at(30)) == []
    # Only a row being sent can fail.
    assert store.outbox_mark_failed("a", "late", retry_at=None) is None
    [row] = store.outbox_rows(status=OutboxStatus.FAILED)
    assert (row.attempts, row.last_error) == (2, "503 again")


def test_recovery_resends_only_rows_whose_receiver_deduplicates(store: Store) -> None:
    store.outbox_add([note("mail"), note("hook", channel="webhook"), note("idle")], T0)
    store.outbox_claim_due(T0, limit=2)  # mail and hook are "being sent" when we crash
    assert store.outbox_recover(T0 + timedelta(minutes=5), stale_after=timedelta(minutes=10)) == []
    recovered = {r.key: r for r in store.outbox_recover(at(1), stale_after=timedelta(minutes=10))}
    assert set(recovered) == {"mail", "hook"}
    assert recovered["mail"].status is OutboxStatus.UNCONFIRMED
    assert recovered["hook"].status is OutboxStatus.PENDING
    assert recovered["hook"].next_attempt_at == at(1)
    assert [r.key for r in store.outbox_claim_due(at(1), limit=10)] == ["idle", "hook"]
    assert store.outbox_mark_unconfirmed("mail", "x") is False  # already decided
    [mail] = store.outbox_rows(status=OutboxStatus.UNCONFIRMED)
    assert mail.key == "mail" and "not sent again" in (mail.last_error or "")


def test_rows_can_be_listed_by_run_owner_and_status(store: Store) -> None:
    store.outbox_add([note("a"), note("b", owner="research"), note("c", run_id=2)], T0)
    assert [r.key for r in store.outbox_rows(run_id=1)] == ["a", "b"]
    assert [r.key for r in store.outbox_rows(owner="research")] == ["b"]
    assert [r.key for r in store.outbox_rows(status=OutboxStatus.SENT)] == []


def test_migration_0003_adds_the_outbox_and_goes_back_cleanly(database_url: str) -> None:
    engine = database.make_engine(database_url)
    try:
        database.upgrade(engine, "0002")
        assert OUTBOX_TABLES.isdisjoint(inspect(engine).get_table_names())
        old = Store(engine)
        old.sync_sources([("s1", "https://s1.example.org/page", None, None)], T0)
        run_id = start_run_before_0005(engine, T0, 1)
        old.save_result(run_id, result("fbi-stats", Verdict.OK, T0).replace(source_id="s1"))
        database.upgrade(engine)
        assert database.current_revision(engine) == database.HEAD_REVISION
        assert set(inspect(engine).get_table_names()) >= OUTBOX_TABLES
        store = Store(engine)
        assert store.count_results() == 1
        store.outbox_add([note("a")], T0)
        database.downgrade(engine, "0002")
        assert OUTBOX_TABLES.isdisjoint(inspect(engine).get_table_names())
        assert store.count_results() == 1
    finally:
        engine.dispose()
