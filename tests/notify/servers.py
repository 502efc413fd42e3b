"""Receivers on loopback: an SMTP server (aiosmtpd) and a webhook endpoint (http.server)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Received:
    """One message as the SMTP server took it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage


class Mailbox:
    """An aiosmtpd handler keeping every message; ``refuse`` makes it answer an error."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.refuse: str | None = None
        self._lock = threading.Lock()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse is not None:
            return self.refuse
        raw = envelope.original_content or b""
        parsed = message_from_bytes(raw, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self._lock:
            self.received.append(
                Received(str(envelope.mail_from), tuple(envelope.rcpt_tos), parsed)
            )
        return "250 Message accepted for delivery"


@dataclass
class SmtpServer:
    host: str
    port: int
    mailbox: Mailbox

    def environ(self, **extra: str) -> dict[str, str]:
        """The MONITOR_SMTP_* variables that point at this server (no TLS on loopback)."""
        return {
            "MONITOR_SMTP_HOST": self.host,
            "MONITOR_SMTP_PORT": str(self.port),
            "MONITOR_SMTP_FROM": "Citation Monitor <monitor@example.org>",
            "MONITOR_SMTP_STARTTLS": "0",
            **extra,
        }


@contextmanager
def smtp_server(mailbox: Mailbox | None = None, **options: Any) -> Iterator[SmtpServer]:
    """An aiosmtpd server on loopback; ``options`` go to its SMTP protocol (TLS, auth...)."""
    mailbox = mailbox or Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, mailbox)
    finally:
        controller.stop()


@dataclass(frozen=True)
class Hook:
    """One request the webhook endpoint received."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class WebhookServer:
    host: str
    port: int
    received: list[Hook] = field(default_factory=list)
    # Statuses to answer, in order; 204 once they run out.
    statuses: list[int] = field(default_factory=list)
    # A Retry-After header sent with every error answer.
    retry_after: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/hooks/citations"

    def ids(self) -> list[str]:
        return [hook.headers["webhook-id"] for hook in self.received]


class _Quiet(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


@contextmanager
def webhook_server() -> Iterator[WebhookServer]:
    state = WebhookServer("127.0.0.1", 0)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            with state.lock:
                state.received.append(
                    Hook(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                status = state.statuses.pop(0) if state.statuses else 204
            reply = b"" if status < 300 else b"temporarily unavailable"
            self.send_response(status)
            if status >= 300 and state.retry_after is not None:
                self.send_header("Retry-After", state.retry_after)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    server = _Quiet(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
