"""Email: the message built from an outbox row, and sending it over SMTP.

The SMTP server is configured by environment variables only (never by the registry,
which names recipients but must not be able to redirect mail or hold passwords):

==========================  ====================================================
``MONITOR_SMTP_HOST``       server name; email is off when unset
``MONITOR_SMTP_PORT``       default 465 with SSL, 587 with STARTTLS, else 25
``MONITOR_SMTP_USER``       login name (needs STARTTLS or SSL)
``MONITOR_SMTP_PASSWORD``   login password
``MONITOR_SMTP_FROM``       sender address (required)
``MONITOR_SMTP_STARTTLS``   ``1`` (default) or ``0``
``MONITOR_SMTP_SSL``        ``1`` for implicit TLS (port 465); default ``0``
==========================  ====================================================
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from monitor.notify.errors import DeliveryError
from monitor.store import OutboxEntry

SendEmail = Callable[[EmailMessage], None]
FALLBACK_DOMAIN = "citation-monitor.invalid"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    sender: str
    user: str | None = None
    password: str | None = None
    starttls: bool = True
    ssl: bool = False
    timeout_s: float = 10.0

    @classmethod
    def from_environ(cls, environ: Mapping[str, str], timeout_s: float = 10.0) -> SmtpConfig | None:
        """The server named by ``MONITOR_SMTP_*``; None when no host is set.

        ``ValueError`` says which variable is wrong.
        """
        host = environ.get("MONITOR_SMTP_HOST", "").strip()
        if not host:
            return None
        use_ssl = _flag(environ, "MONITOR_SMTP_SSL", False)
        starttls = False if use_ssl else _flag(environ, "MONITOR_SMTP_STARTTLS", True)
        raw_port = environ.get("MONITOR_SMTP_PORT", "").strip()
        port = 465 if use_ssl else 587 if starttls else 25
        if raw_port:
            if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
                raise ValueError(f"MONITOR_SMTP_PORT must be a port number, not {raw_port!r}")
            port = int(raw_port)
        sender = environ.get("MONITOR_SMTP_FROM", "").strip()
        if "@" not in parseaddr(sender)[1]:
            raise ValueError("MONITOR_SMTP_FROM must be set to the sender's address")
        user = environ.get("MONITOR_SMTP_USER") or None
        if user and not (use_ssl or starttls):
            raise ValueError(
                "MONITOR_SMTP_USER is set but neither MONITOR_SMTP_STARTTLS nor "
                "MONITOR_SMTP_SSL is on: the password would cross the network in clear"
            )
        return cls(
            host=host,
            port=port,
            sender=sender,
            user=user,
            password=environ.get("MONITOR_SMTP_PASSWORD") or None,
            starttls=starttls,
            ssl=use_ssl,
            timeout_s=timeout_s,
        )


def _flag(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{name} must be 0 or 1, not {raw!r}")


def message_id(key: str, sender: str) -> str:
    """A Message-ID that depends only on the outbox key (and the sender's domain)."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or FALLBACK_DOMAIN
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
    return f"<notify.{digest}@{domain}>"


def build_email(entry: OutboxEntry, sender: str) -> EmailMessage:
    """The email for an outbox row: plain text first, then HTML (multipart/alternative).

    Built the same way on every attempt: Date is when it was composed and Message-ID
    comes from the key, so a person comparing mailboxes can match it to the row.
    """
    message = EmailMessage()
    message["Subject"] = entry.subject
    message["From"] = sender
    message["To"] = entry.recipient
    message["Date"] = format_datetime(entry.created_at)
    message["Message-ID"] = message_id(entry.key, sender)
    # RFC 3834: no auto-replies (vacation notices) to a robot.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Citation-Monitor-Key"] = entry.key
    message.set_content(str(entry.payload["text"]))
    message.add_alternative(str(entry.payload["html"]), subtype="html")
    return message


def smtp_sender(config: SmtpConfig) -> SendEmail:
    """A function that sends one message through the configured server."""

    def send(message: EmailMessage) -> None:
        send_smtp(config, message)

    return send


def send_smtp(config: SmtpConfig, message: EmailMessage) -> None:
    """Send one message; :class:`DeliveryError` says whether it may have gone out.

    Failures while connecting or logging in happen before anything is sent. A refusal
    by the server (an SMTP error reply) also means the message was not taken: codes
    5xx are permanent, 4xx temporary. A connection lost while sending is ambiguous:
    the server may have queued the message before the line dropped.
    """
    context = ssl.create_default_context()
    try:
        if config.ssl:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                config.host, config.port, timeout=config.timeout_s, context=context
            )
        else:
            client = smtplib.SMTP(config.host, config.port, timeout=config.timeout_s)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"cannot reach SMTP server {config.host}:{config.port}: {exc}") from exc
    try:
        try:
            if config.starttls:
                client.starttls(context=context)
            if config.user:
                client.login(config.user, config.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"SMTP login refused: {_reply(exc)}") from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"SMTP session failed before sending: {exc}") from exc
        try:
            client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise DeliveryError(
                f"recipient refused: {exc.recipients}", permanent=all(c >= 500 for c in codes)
            ) from exc
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                f"SMTP server refused the message: {_reply(exc)}", permanent=exc.smtp_code >= 500
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"connection lost while sending: {exc}", ambiguous=True) from exc
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else ""
    return f"{exc.smtp_code} {text or exc.smtp_error!s}".strip()
