"""The SMTP conversation against real servers on loopback (aiosmtpd): lines dropped
at each step, internationalised addresses with and without SMTPUTF8, STARTTLS and
logins with non-ASCII passwords."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from monitor.notify import NotifyReport, deliver_due, notify_run
from monitor.registry.model import Owner
from monitor.store import OutboxStatus, Store
from tests.notify.project import T0, first_run, registry, status
from tests.notify.servers import Mailbox, SmtpServer, smtp_server

RECIPIENTS = [("research@example.org",), ("web@example.org",)]


class HangsUp(Mailbox):
    """A server that drops the line, without a reply, at one command (``at``)."""

    def __init__(self, at: str | None) -> None:
        super().__init__()
        self.at = at

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.at == "MAIL":
            return self._hang_up(server)
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.at == "RCPT":
            return self._hang_up(server)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.at == "DATA":
            return self._hang_up(server)
        return await super().handle_DATA(server, session, envelope)

    @staticmethod
    def _hang_up(server: SMTP) -> str:
        assert isinstance(server.transport, asyncio.Transport)
        server.transport.abort()
        return "421 closing"  # never reaches the client: the line is already down


def notify(
    tmp_path: Path, store: Store, smtp: SmtpServer, sender: str | None = None, **kw: Any
) -> NotifyReport:
    reg = registry(tmp_path, **kw)
    run_id = first_run(store)
    environ = smtp.environ(**({"MONITOR_SMTP_FROM": sender} if sender else {}))
    return notify_run(store, reg, status(reg, store, run_id, T0), run_id, now=T0, environ=environ)


@pytest.mark.parametrize("command", ["MAIL", "RCPT"])
def test_a_line_dropped_before_the_message_is_sent_is_tried_again(
    tmp_path: Path, sqlite_store: Store, command: str
) -> None:
    box = HangsUp(at=command)
    with smtp_server(box) as smtp:
        reg = registry(tmp_path, notify={"retry_minutes": 5})
        run_id = first_run(sqlite_store)
        doc = status(reg, sqlite_store, run_id, T0)
        first = notify_run(sqlite_store, reg, doc, run_id, now=T0, environ=smtp.environ())
        # Nothing was handed over yet: not in doubt, simply to send again.
        assert first.unconfirmed == () and len(first.retrying) == 2
        assert all("before sending" in (o.error or "") for o in first.retrying)
        box.at = None
        later = deliver_due(
            sqlite_store, reg, now=T0 + timedelta(minutes=5), environ=smtp.environ()
        )
    assert len(later.sent) == 2 and later.ok
    assert sorted(r.rcpt_tos for r in box.received) == RECIPIENTS


def test_a_line_dropped_after_data_leaves_the_email_in_doubt(
    tmp_path: Path, sqlite_store: Store
) -> None:
    box = HangsUp(at="DATA")
    with smtp_server(box) as smtp:
        report = notify(tmp_path, sqlite_store, smtp)
    assert len(report.unconfirmed) == 2 and report.retrying == ()
    assert {r.status for r in sqlite_store.outbox_rows()} == {OutboxStatus.UNCONFIRMED}


@pytest.fixture
def silent_server() -> Iterator[tuple[int, list[socket.socket]]]:
    """A port that takes connections and never greets (a stuck or firewalled server)."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                accepted.append(listener.accept()[0])

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], accepted
    finally:
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() under way
        listener.close()
        thread.join(timeout=5)
        for connection in accepted:
            connection.close()


def test_a_server_that_cannot_be_reached_is_waited_for_once_per_delivery(
    tmp_path: Path, sqlite_store: Store, silent_server: tuple[int, list[socket.socket]]
) -> None:
    port, accepted = silent_server
    reg = registry(tmp_path, notify={"timeout_s": 0.5})
    run_id = first_run(sqlite_store)
    environ = {
        "MONITOR_SMTP_HOST": "127.0.0.1",
        "MONITOR_SMTP_PORT": str(port),
        "MONITOR_SMTP_FROM": "monitor@example.org",
        "MONITOR_SMTP_STARTTLS": "0",
    }
    doc = status(reg, sqlite_store, run_id, T0)
    report = notify_run(sqlite_store, reg, doc, run_id, now=T0, environ=environ)
    # Both digests wait for their retry, but only the first one waited for the server.
    assert len(report.retrying) == 2 and report.unconfirmed == ()
    assert all("cannot reach SMTP server" in (o.error or "") for o in report.retrying)
    assert len(accepted) == 1


def owners(web_email: str) -> tuple[Owner, ...]:
    return (
        Owner("web", "Équipe Web", web_email),
        Owner("research", "Research desk", "research@example.org"),
    )


def test_an_internationalised_domain_reaches_a_server_without_smtputf8(
    tmp_path: Path, sqlite_store: Store
) -> None:
    with smtp_server(enable_SMTPUTF8=False) as smtp:
        report = notify(
            tmp_path,
            sqlite_store,
            smtp,
            sender="Moniteur des citations <monitor@städte.example>",
            owners=owners("web@bücher.example"),
        )
    assert report.ok and len(report.sent) == 2
    received = {r.rcpt_tos: r for r in smtp.mailbox.received}
    # The same mailboxes, in the domains' ASCII form, in the envelope and the headers.
    web = received[("web@xn--bcher-kva.example",)]
    assert web.mail_from == "monitor@xn--stdte-hra.example"
    assert web.message["To"] == "web@xn--bcher-kva.example"
    assert web.message["From"] == "Moniteur des citations <monitor@xn--stdte-hra.example>"
    assert web.message["Message-ID"].endswith("@xn--stdte-hra.example>")


def test_an_address_only_smtputf8_can_carry_is_given_up_at_once_without_it(
    tmp_path: Path, sqlite_store: Store
) -> None:
    with smtp_server(enable_SMTPUTF8=False) as smtp:
        report = notify(tmp_path, sqlite_store, smtp, owners=owners("josé@example.org"))
    [failed] = report.failed
    assert failed.recipient == "josé@example.org" and failed.attempts == 1
    assert "SMTPUTF8" in (failed.error or "")
    assert report.unconfirmed == () and report.retrying == ()
    # The other owner's digest is not held up by it.
    assert [r.rcpt_tos for r in smtp.mailbox.received] == [("research@example.org",)]


def test_a_server_with_smtputf8_gets_the_address_as_written(
    tmp_path: Path, sqlite_store: Store
) -> None:
    with smtp_server(enable_SMTPUTF8=True) as smtp:
        report = notify(tmp_path, sqlite_store, smtp, owners=owners("josé@bücher.example"))
    assert report.ok and len(report.sent) == 2
    received = {r.rcpt_tos: r.message for r in smtp.mailbox.received}
    assert received[("josé@bücher.example",)]["To"] == "josé@bücher.example"


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


@pytest.mark.parametrize(
    ("mechanism", "user", "password"),
    [
        ("PLAIN", "monitor", "s3cret-2026"),
        ("PLAIN", "zoë.müller", "Grüße-2026€"),
        ("LOGIN", "zoë.müller", "Grüße-2026€"),
    ],
)
def test_a_login_over_starttls_takes_any_password(
    tmp_path: Path,
    sqlite_store: Store,
    tls_context: ssl.SSLContext,
    mechanism: str,
    user: str,
    password: str,
) -> None:
    logins: list[tuple[str, bool]] = []

    def authenticator(
        server: SMTP, session: Session, envelope: Envelope, used: str, data: object
    ) -> AuthResult:
        # RFC 4616: credentials are UTF-8.
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            user.encode("utf-8"),
            password.encode("utf-8"),
        )
        logins.append((used, ok))
        return AuthResult(success=ok)

    other = "LOGIN" if mechanism == "PLAIN" else "PLAIN"
    with smtp_server(
        tls_context=tls_context,
        require_starttls=True,
        authenticator=authenticator,
        auth_exclude_mechanism=[other],
    ) as smtp:
        environ = smtp.environ(
            MONITOR_SMTP_STARTTLS="1", MONITOR_SMTP_USER=user, MONITOR_SMTP_PASSWORD=password
        )
        reg = registry(tmp_path)
        run_id = first_run(sqlite_store)
        doc = status(reg, sqlite_store, run_id, T0)
        report = notify_run(sqlite_store, reg, doc, run_id, now=T0, environ=environ)
    assert report.ok and len(report.sent) == 2
    assert logins == [(mechanism, True)] * 2
    assert sorted(r.rcpt_tos for r in smtp.mailbox.received) == RECIPIENTS
