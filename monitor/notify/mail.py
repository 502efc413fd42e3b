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

A server that does not offer SMTPUTF8 gets internationalised domains in their ASCII
(IDNA) form; an address whose local part is not ASCII cannot go through it and is
given up. Login names and passwords may hold any character (sent as UTF-8).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import re
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import TYPE_CHECKING

import idna

from monitor.notify.errors import DeliveryError
from monitor.store import OutboxEntry

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

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
        sender = sender_address(environ.get("MONITOR_SMTP_FROM", ""))
        if sender is None:
            raise ValueError(
                "MONITOR_SMTP_FROM must be set to the sender's address "
                "(name@domain, or Name <name@domain>)"
            )
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


# "Name <address>", the name written as people write it: unquoted, commas and all.
_NAMED_ADDRESS = re.compile(r"(?P<name>[^<>]*?)\s*<(?P<address>[^<>\s]+@[^<>\s]+)>")


def sender_address(written: str) -> str | None:
    """The sender as a From header holds it, from ``MONITOR_SMTP_FROM`` as written; None
    when it holds no address. A display name with a comma or other specials ("Los
    Angeles County, DMH Web Team <web@...>") is quoted: read as RFC 5322 reads it, the
    comma would end the address list at "Los Angeles County"."""
    written = written.strip()
    named = _NAMED_ADDRESS.fullmatch(written)
    if named is not None:
        name = named["name"].strip()
        if len(name) >= 2 and name[0] == name[-1] == '"':
            name = name[1:-1]
        try:
            return str(Address(name, addr_spec=named["address"]))
        except (ValueError, IndexError, HeaderParseError):
            return None
    address = parseaddr(written)[1]
    return written if "@" in address else None


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
    # An internationalised domain in its ASCII form: the header then suits any server.
    domain = _ascii_domain(parseaddr(sender)[1].rpartition("@")[2]) or FALLBACK_DOMAIN
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
    5xx are permanent, 4xx temporary. So does a connection lost before the message's
    DATA command (at MAIL FROM or RCPT TO, say): it is sent again later. A connection
    lost from DATA on is ambiguous: the server may have queued the message before the
    line dropped.
    """
    context = ssl.create_default_context()
    try:
        if config.ssl:
            client: _Client = _SslClient(
                config.host, config.port, timeout=config.timeout_s, context=context
            )
        else:
            client = _Client(config.host, config.port, timeout=config.timeout_s)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(
            f"cannot reach SMTP server {config.host}:{config.port}: {exc}", unreachable=True
        ) from exc
    try:
        try:
            if config.starttls:
                client.starttls(context=context)
            if config.user:
                _login(client, config.user, config.password or "")
            client.ehlo_or_helo_if_needed()
            if not client.has_extn("smtputf8"):
                message = _ascii_addresses(message, config.host)
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
            if not client.data_sent:
                raise DeliveryError(f"connection lost before sending: {exc}") from exc
            raise DeliveryError(f"connection lost while sending: {exc}", ambiguous=True) from exc
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()


class _Client(smtplib.SMTP):
    """An SMTP client that remembers whether the DATA command went out.

    Only from then on can the server hold the message; a failure before it is safe to
    try again.
    """

    data_sent = False

    def data(self, msg: ReadableBuffer | str) -> tuple[int, bytes]:
        self.data_sent = True
        return super().data(msg)


class _SslClient(_Client, smtplib.SMTP_SSL):
    """:class:`_Client` over implicit TLS."""


def _login(client: smtplib.SMTP, user: str, password: str) -> None:
    """Log in; credentials beyond ASCII are sent as UTF-8 (RFC 4616).

    ``smtplib`` encodes credentials as ASCII and fails on any other character, so a
    password such as ``Grüße-2026`` goes through AUTH PLAIN (or LOGIN) by hand.
    """
    if user.isascii() and password.isascii():
        client.login(user, password)
        return
    client.ehlo_or_helo_if_needed()
    offered = client.esmtp_features.get("auth", "").upper().split()
    if "PLAIN" in offered:
        token = _b64(b"\0" + user.encode("utf-8") + b"\0" + password.encode("utf-8"))
        code, reply = client.docmd("AUTH", f"PLAIN {token}")
    elif "LOGIN" in offered:
        code, reply = client.docmd("AUTH", f"LOGIN {_b64(user.encode('utf-8'))}")
        if code == 334:
            code, reply = client.docmd(_b64(password.encode("utf-8")))
    else:
        raise smtplib.SMTPNotSupportedError(
            "the server offers neither AUTH PLAIN nor AUTH LOGIN, which a login name or "
            "password with non-ASCII characters needs"
        )
    if code not in (235, 503):  # 503: already authenticated
        raise smtplib.SMTPAuthenticationError(code, reply)


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _ascii_domain(domain: str) -> str | None:
    """The domain in ASCII (IDNA) form; None if it is not a valid domain name."""
    if domain.isascii():
        return domain
    try:
        return idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return None


def _ascii_addresses(message: EmailMessage, host: str) -> EmailMessage:
    """The message with every address in ASCII, for a server without SMTPUTF8.

    An internationalised domain has an ASCII form that reaches the same mailbox
    (``web@bücher.example`` is ``web@xn--bcher-kva.example``); a local part such as
    ``josé`` has none, so that message cannot go through this server at all.
    """
    changed = False
    fixed: dict[str, list[Address]] = {}
    for name in ("From", "To"):
        header = message[name]
        addresses = getattr(header, "addresses", ())
        fixed[name] = []
        for address in addresses:
            domain = _ascii_domain(address.domain)
            if not address.username.isascii() or domain is None:
                raise DeliveryError(
                    f"the address {address.addr_spec} needs SMTPUTF8 (RFC 6531), which the "
                    f"SMTP server {host} does not offer",
                    permanent=True,
                )
            changed |= domain != address.domain
            fixed[name].append(Address(address.display_name, address.username, domain))
    if not changed:
        return message
    ascii_message = copy.deepcopy(message)
    for name, addresses in fixed.items():
        if addresses:
            ascii_message.replace_header(name, addresses)
    return ascii_message


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else ""
    return f"{exc.smtp_code} {text or exc.smtp_error!s}".strip()
