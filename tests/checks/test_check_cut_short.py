"""Answers that break off or come in pieces: bodies that end early, a server that hangs
up in the TLS handshake, interim 1xx answers before the real one."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler

import pytest

from checks.model import CheckSettings, ClaimSpec, ErrorKind, Verdict
from tests.checks.conftest import Check
from tests.checks.pages import REPORT
from tests.checks.server import LoopbackServer, Raw, Reply

HEAD_200 = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"


def short_by(missing: int, status: bytes = b"200 OK", body: bytes = REPORT) -> Raw:
    """The whole ``body``, announced ``missing`` bytes longer than it is."""

    def act(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(
            b"HTTP/1.1 " + status + b"\r\nContent-Type: text/html\r\n"
            b"Content-Length: %d\r\nConnection: close\r\n\r\n" % (len(body) + missing) + body
        )

    return Raw(act)


def chunked_without_the_last_chunk(handler: BaseHTTPRequestHandler) -> None:
    handler.wfile.write(
        HEAD_200 + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        b"%x\r\n" % len(REPORT) + REPORT + b"\r\n"
    )


# --- bodies that end early ---


def test_a_body_that_ends_early_once_is_read_again(server: LoopbackServer, check: Check) -> None:
    answers = iter([Raw(chunked_without_the_last_chunk)])
    server.route("/report", lambda seen: next(answers, Reply(body=REPORT)))
    result = check(server.url("/report"))
    assert (result.verdict, result.status, result.attempts) == (Verdict.OK, 200, 2)
    assert result.bytes_read == len(REPORT)
    assert not any(w.startswith("body truncated") for w in result.warnings)


def test_a_body_that_always_ends_early_keeps_its_status_and_what_came(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/report", short_by(500))
    claim = ClaimSpec(id="rate", evidence="4.2 percent")
    result = check(server.url("/report"), claims=(claim,))
    assert (result.verdict, result.status, result.attempts) == (Verdict.OK, 200, 3)
    assert result.error_kind is None
    assert result.bytes_read == len(REPORT)
    assert [f.found for f in result.claims] == [True]
    assert (
        f"body truncated: response ended before the announced length (after {len(REPORT)} bytes)"
        in result.warnings
    )


def test_a_claim_missing_from_a_body_that_ended_early_is_only_a_warning(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/report", Raw(chunked_without_the_last_chunk))
    claim = ClaimSpec(id="youth", evidence="11.7 percent")
    result = check(server.url("/report"), claims=(claim,))
    assert result.verdict is Verdict.OK
    assert f"claim not found: youth in the first {len(REPORT)} bytes" in result.warnings


def test_a_404_whose_body_ends_early_is_broken(server: LoopbackServer, check: Check) -> None:
    server.route("/gone", short_by(5000, b"404 Not Found", b"<h1>Not Found</h1>"))
    result = check(server.url("/gone"))
    assert (result.verdict, result.reason, result.status) == (
        Verdict.BROKEN,
        "404 Not Found",
        404,
    )
    assert any(w.startswith("body truncated: ") for w in result.warnings)


# --- the TLS handshake ---


@pytest.fixture
def hangs_up_in_handshake() -> Iterator[int]:
    """A port whose server reads the TLS ClientHello, then closes the connection."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn, contextlib.suppress(OSError):
                conn.settimeout(2)
                conn.recv(4096)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join(timeout=2)
    listener.close()


def test_server_closing_during_the_tls_handshake_is_transient_and_retried(
    hangs_up_in_handshake: int, check: Check, tls_settings: CheckSettings
) -> None:
    result = check(
        f"https://127.0.0.1:{hangs_up_in_handshake}/report",
        settings=replace(tls_settings, retries=1),
    )
    assert result.verdict is Verdict.TRANSIENT
    assert result.error_kind is ErrorKind.RESET
    assert result.reason == (
        "server closed the connection during the TLS handshake (after 2 attempts)"
    )


# --- interim answers ---


def interim_first(interim: bytes) -> Raw:
    def act(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(
            interim + HEAD_200 + b"Content-Length: %d\r\n\r\n" % len(REPORT) + REPORT
        )

    return Raw(act)


@pytest.mark.parametrize(
    "interim",
    [
        b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\n",
        b"HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 103 Early Hints\r\n\r\n",
        b"HTTP/1.1 100 Continue\r\n\r\n",
    ],
)
def test_interim_answers_before_the_real_one_are_passed_over(
    server: LoopbackServer, check: Check, interim: bytes
) -> None:
    server.route("/report", interim_first(interim))
    result = check(server.url("/report"))
    assert (result.verdict, result.reason, result.attempts) == (Verdict.OK, "200 OK", 1)
    assert result.bytes_read == len(REPORT)
