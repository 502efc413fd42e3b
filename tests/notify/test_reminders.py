"""Over several runs with a fake clock: news once, then a weekly reminder while dead."""

from __future__ import annotations

from pathlib import Path

from checks.model import Verdict
from monitor.notify import notify_run
from monitor.state import Health
from monitor.store import Store
from tests.notify.project import at, event, record_run, registry, result, status
from tests.notify.servers import SmtpServer


def daily_run(store: Store, day: float, *, dies: bool = False) -> int:
    when = at(day)
    changes = [event("fbi-stats", when, Health.SUSPECT, Health.DEAD)] if dies else []
    return record_run(store, when, [result("fbi-stats", Verdict.BROKEN, when)], changes)


def subjects_by_day(
    tmp_path: Path, store: Store, smtp: SmtpServer, days: range, notify: dict[str, object]
) -> dict[int, list[str]]:
    reg = registry(tmp_path, notify=notify)
    seen: dict[int, list[str]] = {}
    for day in days:
        run_id = daily_run(store, day, dies=day == 0)
        before = len(smtp.mailbox.received)
        doc = status(reg, store, run_id, at(day))
        notify_run(store, reg, doc, run_id, now=at(day), environ=smtp.environ())
        seen[day] = [r.message["Subject"].strip() for r in smtp.mailbox.received[before:]]
    return seen


def test_a_dead_source_is_reported_once_then_reminded_every_week(
    tmp_path: Path, sqlite_store: Store, smtp: SmtpServer
) -> None:
    seen = subjects_by_day(tmp_path, sqlite_store, smtp, range(16), {})
    mailed = {day: subjects for day, subjects in seen.items() if subjects}
    assert sorted(mailed) == [0, 7, 14]
    assert all(len(subjects) == 1 for subjects in mailed.values())
    assert all("1 source needs attention in CSEC Fact Sheet" in s[0] for s in mailed.values())
    texts = [r.message.get_body(("plain",)) for r in smtp.mailbox.received]
    bodies = [t.get_content() for t in texts if t is not None]
    assert "SOURCES THAT STOPPED WORKING" in bodies[0]
    assert all("STILL DEAD (REMINDER)" in body for body in bodies[1:])


def test_the_reminder_interval_is_configurable(
    tmp_path: Path, sqlite_store: Store, smtp: SmtpServer
) -> None:
    seen = subjects_by_day(tmp_path, sqlite_store, smtp, range(7), {"reminder_days": 3})
    assert sorted(day for day, subjects in seen.items() if subjects) == [0, 3, 6]


def test_a_claim_that_goes_missing_without_a_health_change_is_news_once(
    tmp_path: Path, sqlite_store: Store, smtp: SmtpServer
) -> None:
    reg = registry(tmp_path)
    sent: list[int] = []
    for day, verdict in enumerate([Verdict.OK, Verdict.CLAIM_MISSING, Verdict.CLAIM_MISSING]):
        when = at(day)
        run_id = record_run(sqlite_store, when, [result("ncadv-facts", verdict, when)])
        doc = status(reg, sqlite_store, run_id, when)
        report = notify_run(sqlite_store, reg, doc, run_id, now=when, environ=smtp.environ())
        sent.append(len(report.sent))
    assert sent == [0, 1, 0]
    [mail] = smtp.mailbox.received
    assert mail.rcpt_tos == ("research@example.org",)
    assert mail.message["Subject"].strip().endswith("1 source needs attention in Policy Brief")
    body = mail.message.get_body(("plain",))
    assert body is not None
    assert "SOURCES THAT NO LONGER HOLD THE CITED CLAIM" in body.get_content()


def test_an_address_the_server_refuses_is_not_tried_again_at_every_run(
    tmp_path: Path, sqlite_store: Store, smtp: SmtpServer
) -> None:
    reg = registry(tmp_path)
    smtp.mailbox.refuse = "550 5.1.1 <web@example.org>: Recipient address rejected"
    tried: list[float] = []
    for quarter in range(4 * 9):  # a run every six hours for nine days
        day = quarter / 4
        run_id = daily_run(sqlite_store, day, dies=day == 0)
        doc = status(reg, sqlite_store, run_id, at(day))
        report = notify_run(sqlite_store, reg, doc, run_id, now=at(day), environ=smtp.environ())
        if report.failed:
            tried.append(day)
    # Given up at once, then tried again only when the reminder is due.
    assert tried == [0, 7]


def test_no_reminder_queues_up_behind_a_message_waiting_for_its_retry(
    tmp_path: Path, sqlite_store: Store, smtp: SmtpServer
) -> None:
    reg = registry(tmp_path, notify={"retry_minutes": 60})
    smtp.mailbox.refuse = "451 4.3.0 Mail server temporarily unavailable"
    for hours in (0, 0.5, 1, 2, 3):
        day = hours / 24
        if hours == 1:
            smtp.mailbox.refuse = None  # the outage is over
        run_id = daily_run(sqlite_store, day, dies=hours == 0)
        doc = status(reg, sqlite_store, run_id, at(day))
        notify_run(sqlite_store, reg, doc, run_id, now=at(day), environ=smtp.environ())
    # One message, the news itself, once the server takes mail again.
    [mail] = smtp.mailbox.received
    body = mail.message.get_body(("plain",))
    assert body is not None and "SOURCES THAT STOPPED WORKING" in body.get_content()
    assert "STILL DEAD" not in body.get_content()
    assert len(sqlite_store.outbox_rows()) == 1
