"""Email digests delivered to a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from checks.model import Verdict
from monitor.notify import deliver_due, notify_run
from monitor.notify.mail import SmtpConfig, message_id
from monitor.state import Health
from monitor.store import OutboxStatus, Store
from tests.notify.project import (
    ARCHIVE_URL,
    T0,
    at,
    event,
    first_run,
    record_run,
    registry,
    result,
    status,
)
from tests.notify.servers import SmtpServer


def test_one_digest_per_owner_with_both_parts(
    tmp_path: Path, sqlite_store: Store, smtp: SmtpServer
) -> None:
    reg = registry(tmp_path)
    run_id = first_run(sqlite_store)
    report = notify_run(
        sqlite_store,
        reg,
        status(reg, sqlite_store, run_id, T0),
        run_id,
        now=T0,
        environ=smtp.environ(),
    )
    assert report.ok and len(report.sent) == 2 and len(report.composed) == 2
    received = {r.rcpt_tos: r for r in smtp.mailbox.received}
    assert set(received) == {("web@example.org",), ("research@example.org",)}
    web = received[("web@example.org",)]
    assert web.mail_from == "monitor@example.org"
    message = web.message
    # A long Subject is folded onto a continuation line; the parser keeps its indent.
    assert message["Subject"].strip() == (
        "[citation monitor] 1 source needs attention, 1 recovered in CSEC Fact Sheet"
    )
    assert message["To"] == "web@example.org"
    assert message["Message-ID"] == message_id(f"run{run_id}:web:email", "monitor@example.org")
    assert message["Date"] and message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    rich = message.get_body(("html",))
    assert plain is not None and rich is not None
    text, page = plain.get_content(), rich.get_content()
    for body in (text, page):
        assert ARCHIVE_URL in body
        assert "100,000 children are sold for sex each year" in body
        assert "FBI efforts to combat crimes against children" in body
        assert "oag.ca.gov" in body  # the recovery
        assert "upenn" not in body  # the other owner's source
    assert "line 12" in text and "line 31" in text
    research = received[("research@example.org",)].message
    assert "2 sources need attention in Policy Brief" in research["Subject"]
    research_text = research.get_body(("plain",))
    assert research_text is not None
    assert "Human Trafficking Facts" in research_text.get_content()  # unowned, cited in brief
    rows = sqlite_store.outbox_rows(run_id=run_id)
    assert {r.status for r in rows} == {OutboxStatus.SENT}
    assert sqlite_store.last_notice("web", "fbi-stats") == T0


def test_notifying_a_run_again_sends_nothing_new(
    tmp_path: Path, sqlite_store: Store, smtp: SmtpServer
) -> None:
    reg = registry(tmp_path)
    run_id = first_run(sqlite_store)
    doc = status(reg, sqlite_store, run_id, T0)
    notify_run(sqlite_store, reg, doc, run_id, now=T0, environ=smtp.environ())
    again = notify_run(sqlite_store, reg, doc, run_id, now=at(0.1), environ=smtp.environ())
    assert again.composed == () and again.sent == ()
    assert len(smtp.mailbox.received) == 2
    assert len(sqlite_store.outbox_rows()) == 2


def test_an_inconclusive_run_notifies_nobody(
    tmp_path: Path, sqlite_store: Store, smtp: SmtpServer
) -> None:
    reg = registry(tmp_path)
    run_id = record_run(
        sqlite_store,
        T0,
        [result("fbi-stats", Verdict.BROKEN, T0)],
        [event("fbi-stats", T0, Health.SUSPECT, Health.DEAD)],
        inconclusive=True,
    )
    report = notify_run(
        sqlite_store,
        reg,
        status(reg, sqlite_store, run_id, T0),
        run_id,
        now=T0,
        environ=smtp.environ(),
    )
    assert report.skipped_inconclusive
    assert report.lines() == [
        f"Notifications: run {run_id} was inconclusive; nothing composed or sent."
    ]
    assert sqlite_store.outbox_rows() == [] and smtp.mailbox.received == []


def test_a_dry_run_shows_the_messages_and_writes_nothing(
    tmp_path: Path, sqlite_store: Store, smtp: SmtpServer
) -> None:
    reg = registry(tmp_path)
    run_id = first_run(sqlite_store)
    report = notify_run(
        sqlite_store,
        reg,
        status(reg, sqlite_store, run_id, T0),
        run_id,
        now=T0,
        environ=smtp.environ(),
        dry_run=True,
    )
    assert [(p.channel, p.recipient) for p in report.composed] == [
        ("email", "research@example.org"),
        ("email", "web@example.org"),
    ]
    assert all(p.subject.startswith("[citation monitor] ") for p in report.composed)
    assert ARCHIVE_URL in report.composed[1].text
    printed = "\n".join(report.lines())
    assert report.composed[0].subject in printed and ARCHIVE_URL in printed
    assert sqlite_store.outbox_rows() == [] and smtp.mailbox.received == []
    assert sqlite_store.last_notice("web", "fbi-stats") is None


def test_a_temporary_refusal_is_retried_and_a_permanent_one_given_up(
    tmp_path: Path, sqlite_store: Store, smtp: SmtpServer
) -> None:
    reg = registry(tmp_path, notify={"retry_minutes": 5})
    run_id = first_run(sqlite_store)
    doc = status(reg, sqlite_store, run_id, T0)
    smtp.mailbox.refuse = "451 Try again later"
    first = notify_run(sqlite_store, reg, doc, run_id, now=T0, environ=smtp.environ())
    assert len(first.retrying) == 2 and first.sent == ()
    assert all("451" in (o.error or "") for o in first.retrying)
    assert {o.next_attempt_at for o in first.retrying} == {T0 + timedelta(minutes=5)}
    smtp.mailbox.refuse = "550 No such user here"
    second = deliver_due(sqlite_store, reg, now=at(1), environ=smtp.environ())
    assert len(second.failed) == 2 and not second.ok
    assert all("550" in (o.error or "") for o in second.failed)
    assert any(line.startswith("  FAILED email to web@example.org") for line in second.lines())
    assert smtp.mailbox.received == []


def test_without_smtp_settings_email_is_off_and_said_so(
    tmp_path: Path, sqlite_store: Store
) -> None:
    reg = registry(tmp_path)
    run_id = first_run(sqlite_store)
    report = notify_run(
        sqlite_store, reg, status(reg, sqlite_store, run_id, T0), run_id, now=T0, environ={}
    )
    assert report.composed == () and sqlite_store.outbox_rows() == []
    assert any("email is not configured" in w for w in report.warnings)


def test_smtp_settings_come_from_the_environment() -> None:
    assert SmtpConfig.from_environ({}) is None
    config = SmtpConfig.from_environ(
        {"MONITOR_SMTP_HOST": "mail.example.org", "MONITOR_SMTP_FROM": "m@example.org"}
    )
    assert config is not None and (config.port, config.starttls, config.ssl) == (587, True, False)
    ssl = SmtpConfig.from_environ(
        {
            "MONITOR_SMTP_HOST": "mail.example.org",
            "MONITOR_SMTP_FROM": "m@example.org",
            "MONITOR_SMTP_SSL": "1",
            "MONITOR_SMTP_USER": "u",
            "MONITOR_SMTP_PASSWORD": "p",
        }
    )
    assert ssl is not None and (ssl.port, ssl.starttls, ssl.user) == (465, False, "u")
    with pytest.raises(ValueError, match="MONITOR_SMTP_FROM"):
        SmtpConfig.from_environ({"MONITOR_SMTP_HOST": "mail.example.org"})
    with pytest.raises(ValueError, match="in clear"):
        SmtpConfig.from_environ(
            {
                "MONITOR_SMTP_HOST": "mail.example.org",
                "MONITOR_SMTP_FROM": "m@example.org",
                "MONITOR_SMTP_STARTTLS": "0",
                "MONITOR_SMTP_USER": "u",
            }
        )


def test_a_sender_named_with_a_comma_sends_from_its_address(
    tmp_path: Path, sqlite_store: Store, smtp: SmtpServer
) -> None:
    """A display name written unquoted with a comma, as people write one, is the
    sender's name: not an address list ending at the comma."""
    reg = registry(tmp_path)
    run_id = first_run(sqlite_store)
    environ = smtp.environ(MONITOR_SMTP_FROM="Los Angeles County, DMH Web Team <web@example.org>")
    report = notify_run(
        sqlite_store, reg, status(reg, sqlite_store, run_id, T0), run_id, now=T0, environ=environ
    )
    assert report.ok and len(report.sent) == 2
    for received in smtp.mailbox.received:
        assert received.mail_from == "web@example.org"
        sender = received.message["From"]
        assert sender.addresses[0].display_name == "Los Angeles County, DMH Web Team"
        assert sender.addresses[0].addr_spec == "web@example.org"


def test_a_sender_with_no_address_turns_email_off_saying_why(
    tmp_path: Path, sqlite_store: Store, smtp: SmtpServer
) -> None:
    reg = registry(tmp_path)
    run_id = first_run(sqlite_store)
    environ = smtp.environ(MONITOR_SMTP_FROM="DMH Web Team")
    report = notify_run(
        sqlite_store, reg, status(reg, sqlite_store, run_id, T0), run_id, now=T0, environ=environ
    )
    assert not report.sent and not smtp.mailbox.received
    assert any("MONITOR_SMTP_FROM must be set" in w for w in report.warnings)
    assert not any("not configured" in w for w in report.warnings)
