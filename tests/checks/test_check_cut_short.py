"""Answers that break off or come in pieces: bodies that end early, a server that hangs
up in the TLS handshake, interim 1xx answers before the real one."""

from __future__ import annotations

import contextlib
import itertools
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import trustme

from checks.model import CheckSettings, ClaimSpec, ErrorKind, Verdict
from tests.checks.conftest import Check, server_context
from tests.checks.pages import REPORT
from tests.checks.server import LoopbackServer, Raw, Reply, reset_connection
from tests.checks.test_check_tls import pems

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


def headers_then(after: Callable[[BaseHTTPRequestHandler], None]) -> Raw:
    """A 200 whose headers announce a body that never begins: ``after`` ends it."""

    def act(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(HEAD_200 + b"Content-Length: 50000\r\n\r\n")
        handler.wfile.flush()
        after(handler)

    return Raw(act)


@pytest.mark.parametrize("claims", [(), (ClaimSpec(id="rate", evidence="4.2 percent"),)])
def test_a_body_that_never_begins_is_transient_not_an_empty_page(
    server: LoopbackServer, check: Check, claims: tuple[ClaimSpec, ...]
) -> None:
    server.route("/report", headers_then(reset_connection))
    result = check(server.url("/report"), claims=claims)
    assert (result.verdict, result.error_kind, result.attempts) == (
        Verdict.TRANSIENT,
        ErrorKind.RESET,
        3,
    )
    assert result.reason == "connection reset by the server (after 3 attempts)"
    assert result.bytes_read == 0
    assert result.claims == ()


def test_a_cited_pdf_whose_body_never_begins_is_transient_not_a_type_mismatch(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/report.pdf", headers_then(reset_connection))
    result = check(server.url("/report.pdf"), expect_content_type="application/pdf")
    assert (result.verdict, result.error_kind) == (Verdict.TRANSIENT, ErrorKind.RESET)


def test_a_body_that_stalls_before_its_first_byte_is_transient(
    server: LoopbackServer, check: Check, settings: CheckSettings
) -> None:
    server.route("/report", headers_then(lambda _handler: server.stop_event.wait(10)))
    result = check(server.url("/report"), settings=replace(settings, timeout_s=0.3, retries=1))
    assert (result.verdict, result.error_kind, result.attempts) == (
        Verdict.TRANSIENT,
        ErrorKind.READ_TIMEOUT,
        2,
    )


def test_an_earlier_part_of_the_body_outlasts_a_retry_that_brought_none(
    server: LoopbackServer, check: Check
) -> None:
    answers = iter([Raw(chunked_without_the_last_chunk)])
    server.route("/report", lambda seen: next(answers, headers_then(reset_connection)))
    claim = ClaimSpec(id="rate", evidence="4.2 percent")
    result = check(server.url("/report"), claims=(claim,))
    assert (result.verdict, result.attempts, result.bytes_read) == (Verdict.OK, 3, len(REPORT))
    assert [f.found for f in result.claims] == [True]
    assert any(w.startswith("body truncated: ") for w in result.warnings)


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


HandshakePort = Callable[[int | None], int]


@pytest.fixture
def handshake_port(ca: trustme.CA, tmp_path: Path) -> Iterator[HandshakePort]:
    """``handshake_port(hang_ups)``: a port whose server reads the TLS ClientHello and
    closes the connection, ``hang_ups`` times (every time when None), then answers
    over TLS with the report."""
    context = server_context(*pems(ca.issue_cert("127.0.0.1")), tmp_path)
    stops: list[Callable[[], None]] = []

    def start(hang_ups: int | None) -> int:
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        listener.settimeout(0.1)
        stop = threading.Event()
        left = itertools.count(hang_ups, -1) if hang_ups is not None else itertools.repeat(1)

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
                    if next(left) > 0:
                        conn.recv(4096)
                        continue
                    with context.wrap_socket(conn, server_side=True) as secure:
                        secure.recv(4096)
                        secure.sendall(HEAD_200 + b"Content-Length: %d\r\n\r\n" % len(REPORT))
                        secure.sendall(REPORT)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()

        def close() -> None:
            stop.set()
            thread.join(timeout=2)
            listener.close()

        stops.append(close)
        return int(listener.getsockname()[1])

    yield start
    for close in stops:
        close()


def test_server_closing_during_the_tls_handshake_once_is_asked_again(
    handshake_port: HandshakePort, check: Check, tls_settings: CheckSettings
) -> None:
    port = handshake_port(1)
    result = check(f"https://127.0.0.1:{port}/report", settings=replace(tls_settings, retries=1))
    assert (result.verdict, result.reason, result.attempts) == (
        Verdict.OK,
        "200 OK, on attempt 2",
        2,
    )


def test_server_closing_during_the_tls_handshake_on_every_attempt_is_a_tls_error(
    handshake_port: HandshakePort, check: Check, tls_settings: CheckSettings
) -> None:
    port = handshake_port(None)
    result = check(f"https://127.0.0.1:{port}/report", settings=replace(tls_settings, retries=2))
    assert (result.verdict, result.error_kind, result.attempts) == (
        Verdict.TLS_ERROR,
        ErrorKind.TLS,
        3,
    )
    assert result.reason == (
        "TLS: the server closed the connection during the TLS handshake on every attempt"
        " (3 attempts)"
    )


def test_server_closing_during_the_only_tls_handshake_tried_is_transient(
    handshake_port: HandshakePort, check: Check, tls_settings: CheckSettings
) -> None:
    port = handshake_port(None)
    result = check(f"https://127.0.0.1:{port}/report", settings=replace(tls_settings, retries=0))
    assert (result.verdict, result.error_kind) == (Verdict.TRANSIENT, ErrorKind.RESET)
    assert result.reason == "server closed the connection during the TLS handshake"


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
