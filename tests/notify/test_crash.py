"""A crash between sending and recording it: no email twice; webhooks once per id.

Runs on SQLite and PostgreSQL: the guarantee rests on the store's commits.
"""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from monitor.notify import deliver_due, notify_run
from monitor.store import OutboxStatus, Store
from tests.notify.project import T0, first_run, registry, status
from tests.notify.servers import SmtpServer, WebhookServer
from tests.notify.test_webhook import verify

SECRET = "whsec_" + base64.b64encode(b"crash test secret").decode()


class Crash(Exception):
    """The process dies here."""


def test_no_duplicate_after_a_crash_between_send_and_mark(
    tmp_path: Path,
    store: Store,
    smtp: SmtpServer,
    hooks: WebhookServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reg = registry(tmp_path, web_webhook=hooks.url)
    environ = smtp.environ(MONITOR_WEBHOOK_SECRET=SECRET)
    run_id = first_run(store)
    doc = status(reg, store, run_id, T0)

    def crash(key: str, now: datetime) -> bool:
        raise Crash(key)

    # Every delivery dies right after its first send, before recording it.
    monkeypatch.setattr(store, "outbox_mark_sent", crash)
    with pytest.raises(Crash):
        notify_run(store, reg, doc, run_id, now=T0, environ=environ)
    for hours in (1, 2):
        with pytest.raises(Crash):
            deliver_due(store, reg, now=T0 + timedelta(hours=hours), environ=environ)
    assert len(smtp.mailbox.received) == 2 and len(hooks.received) == 1
    monkeypatch.undo()
    final = deliver_due(store, reg, now=T0 + timedelta(hours=3), environ=environ)

    # Each owner got exactly one email, though every send was cut short before its mark.
    assert sorted(r.rcpt_tos for r in smtp.mailbox.received) == [
        ("research@example.org",),
        ("web@example.org",),
    ]
    # The webhook went out again after the crash, under the same webhook-id.
    assert hooks.ids() == [f"run{run_id}:web:webhook"] * 2
    assert all(verify(hook, SECRET) for hook in hooks.received)
    assert [o.key for o in final.resent] == [f"run{run_id}:web:webhook"]
    assert [o.channel for o in final.sent] == ["webhook"]
    by_channel = {(r.owner, r.channel): r.status for r in store.outbox_rows(run_id=run_id)}
    assert by_channel == {
        ("research", "email"): OutboxStatus.UNCONFIRMED,
        ("web", "email"): OutboxStatus.UNCONFIRMED,
        ("web", "webhook"): OutboxStatus.SENT,
    }
    # The emails in doubt are reported for a person to check, once each.
    unconfirmed = store.outbox_rows(status=OutboxStatus.UNCONFIRMED)
    assert all("please check" in (r.last_error or "") for r in unconfirmed)
    assert final.unconfirmed == () and final.lines()[0].startswith("Notifications for the outbox")


def test_the_delivery_after_a_crash_reports_the_email_in_doubt(
    tmp_path: Path, store: Store, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    reg = registry(tmp_path)
    run_id = first_run(store)
    doc = status(reg, store, run_id, T0)

    def crash(key: str, now: datetime) -> bool:
        raise Crash(key)

    monkeypatch.setattr(store, "outbox_mark_sent", crash)
    with pytest.raises(Crash):
        notify_run(store, reg, doc, run_id, now=T0, environ=smtp.environ())
    monkeypatch.undo()
    # Within the stale window the send may still be under way elsewhere: left alone.
    soon = deliver_due(store, reg, now=T0 + timedelta(minutes=5), environ=smtp.environ())
    assert soon.unconfirmed == () and len(soon.sent) == 1
    later = deliver_due(store, reg, now=T0 + timedelta(hours=1), environ=smtp.environ())
    [doubt] = later.unconfirmed
    assert doubt.recipient == "research@example.org" and not later.ok
    assert any(line.startswith("  UNCONFIRMED email to research@") for line in later.lines())
    assert len(smtp.mailbox.received) == 2  # one each; nothing sent twice
