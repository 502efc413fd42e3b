"""News given up after all its attempts (an outage, a refused login) is told at the next
run; news refused for good (a rejected address) waits for the reminder."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import trustme
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from monitor.notify import notify_run
from monitor.notify.runner import deliver_due
from monitor.store import OutboxStatus, Store
from tests.notify.project import at, registry, status
from tests.notify.servers import SmtpServer, smtp_server
from tests.notify.test_reminders import daily_run

# Two attempts five minutes apart: given up well before the next run, six hours later.
QUICK = {"max_attempts": 2, "retry_minutes": 5}


@pytest.fixture
def tls_context(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ssl.SSLContext]:
    """The server's side of STARTTLS, with its CA trusted by this process."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    yield context


def notify_runs(
    tmp_path: Path, store: Store, smtp: SmtpServer, days: list[float], environ: dict[str, str]
) -> dict[float, int]:
    """A run per day given (the source dies at the first), delivery retried until the
    next run; how many messages the server took after each run."""
    reg = registry(tmp_path, notify=QUICK)
    taken: dict[float, int] = {}
    for day in days:
        before = len(smtp.mailbox.received)
        run_id = daily_run(store, day, dies=day == days[0])
        doc = status(reg, store, run_id, at(day))
        notify_run(store, reg, doc, run_id, now=at(day), environ=environ)
        deliver_due(store, reg, now=at(day) + timedelta(minutes=30), environ=environ)
        taken[day] = len(smtp.mailbox.received) - before
        if day == days[0]:
            # Mail works again once the first run's message has been given up.
            assert [r.status for r in store.outbox_rows()] == [OutboxStatus.FAILED]
            smtp.mailbox.refuse = None
    return taken


def test_news_given_up_in_an_outage_is_told_at_the_next_run(
    tmp_path: Path, sqlite_store: Store, smtp: SmtpServer
) -> None:
    smtp.mailbox.refuse = "451 4.3.0 Mail server temporarily unavailable"
    taken = notify_runs(tmp_path, sqlite_store, smtp, [0, 0.25, 0.5, 1], smtp.environ())
    # Told at the next run, then not again until the reminder is due.
    assert taken == {0: 0, 0.25: 1, 0.5: 0, 1: 0}
    [mail] = smtp.mailbox.received
    assert mail.rcpt_tos == ("web@example.org",)


def test_news_given_up_while_the_login_was_refused_is_told_once_it_works(
    tmp_path: Path,
    sqlite_store: Store,
    tls_context: ssl.SSLContext,
) -> None:
    password = {"current": "winter-2026"}

    def authenticator(
        server: SMTP, session: Session, envelope: Envelope, used: str, data: object
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.password == password["current"].encode()
        return AuthResult(success=ok, handled=False)  # refused with 535

    with smtp_server(
        tls_context=tls_context,
        require_starttls=True,
        authenticator=authenticator,
        auth_exclude_mechanism=["LOGIN"],
    ) as smtp:
        environ = smtp.environ(
            MONITOR_SMTP_STARTTLS="1",
            MONITOR_SMTP_USER="monitor",
            MONITOR_SMTP_PASSWORD="winter-2026",
        )
        password["current"] = "spring-2026"  # changed on the server, not yet here
        reg = registry(tmp_path, notify=QUICK)
        run_id = daily_run(sqlite_store, 0, dies=True)
        doc = status(reg, sqlite_store, run_id, at(0))
        first = notify_run(sqlite_store, reg, doc, run_id, now=at(0), environ=environ)
        later = deliver_due(sqlite_store, reg, now=at(0) + timedelta(minutes=30), environ=environ)
        assert not first.failed and len(first.retrying) == 1  # 535 is worth retrying
        assert [o.error for o in later.failed] == [first.retrying[0].error]
        assert "535" in (first.retrying[0].error or "")

        environ["MONITOR_SMTP_PASSWORD"] = "spring-2026"
        run_id = daily_run(sqlite_store, 0.25)
        doc = status(reg, sqlite_store, run_id, at(0.25))
        report = notify_run(sqlite_store, reg, doc, run_id, now=at(0.25), environ=environ)
    assert len(report.sent) == 1
    assert [r.rcpt_tos for r in smtp.mailbox.received] == [("web@example.org",)]


def test_news_refused_for_good_waits_for_the_reminder(
    tmp_path: Path, sqlite_store: Store, smtp: SmtpServer
) -> None:
    smtp.mailbox.refuse = "550 5.1.1 <web@example.org>: Recipient address rejected"
    reg = registry(tmp_path, notify=QUICK)
    failed: list[float] = []
    for day in (0, 0.25, 0.5, 6.75, 7):
        run_id = daily_run(sqlite_store, day, dies=day == 0)
        doc = status(reg, sqlite_store, run_id, at(day))
        report = notify_run(sqlite_store, reg, doc, run_id, now=at(day), environ=smtp.environ())
        failed += [day] * len(report.failed)
    assert failed == [0, 7]
