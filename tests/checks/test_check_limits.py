"""Safety caps and network failures: nothing a server does can hang a run, grow
memory without bound, or be mistaken for a dead source."""

from __future__ import annotations

import gzip
import time
from dataclasses import replace
from http.server import BaseHTTPRequestHandler

import pytest

from checks.check import check_url, new_session
from checks.hosts import HostPolicy
from checks.model import CheckSettings, CheckTarget, ErrorKind, Verdict
from tests.checks.conftest import Check, FakeTime
from tests.checks.pages import REPORT
from tests.checks.server import (
    LoopbackServer,
    Raw,
    Reply,
    free_port,
    reset_connection,
    stall,
    zeros,
)

MIB = 1024 * 1024


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """64 MiB of zeros, gzip-compressed to about 64 KiB."""
    return gzip.compress(b"\0" * (64 * MIB), compresslevel=9)


def test_read_timeout_is_transient(
    server: LoopbackServer, check: Check, settings: CheckSettings
) -> None:
    server.route("/stall", stall(server))
    quick = replace(settings, timeout_s=0.3, retries=0)
    result = check(server.url("/stall"), settings=quick)
    assert result.verdict is Verdict.TRANSIENT
    assert result.error_kind is ErrorKind.READ_TIMEOUT
    assert result.reason == "no response data for 0.3 s (read timeout)"


def test_slow_drip_hits_the_deadline(
    server: LoopbackServer, check: Check, settings: CheckSettings
) -> None:
    server.route("/drip", Reply(body=(b"x" for _ in range(100_000)), length=100_000, pause=0.02))
    short = replace(settings, timeout_s=2.0, deadline_s=0.4)
    started = time.monotonic()
    result = check(server.url("/drip"), settings=short)
    took = time.monotonic() - started
    assert result.verdict is Verdict.TRANSIENT
    assert result.error_kind is ErrorKind.DEADLINE
    assert result.reason == "gave up at the 0.4 s deadline for one check"
    assert result.attempts == 1  # a spent deadline leaves no time to retry
    assert took < 1.5


def test_stalled_body_hits_the_deadline_not_the_read_timeout(
    server: LoopbackServer, check: Check, settings: CheckSettings
) -> None:
    server.route("/half", Reply(body=(b"<p>" for _ in range(1)), length=1000, pause=10))
    short = replace(settings, timeout_s=5.0, deadline_s=0.3)
    started = time.monotonic()
    result = check(server.url("/half"), settings=short)
    assert result.error_kind is ErrorKind.DEADLINE
    assert time.monotonic() - started < 1.5


def test_huge_body_stops_at_the_cap(
    server: LoopbackServer, check: Check, settings: CheckSettings
) -> None:
    two_gib = 2 * 1024 * MIB
    server.route(
        "/huge.bin",
        Reply(body=zeros(two_gib), length=two_gib, content_type="application/octet-stream"),
    )
    capped = replace(settings, max_bytes_other=1 * MIB)
    result = check(server.url("/huge.bin"), settings=capped)
    assert result.verdict is Verdict.OK
    assert result.bytes_read == 1 * MIB
    assert f"body truncated at {MIB} bytes" in result.warnings
    assert server.bytes_sent < 64 * MIB  # the client hung up long before 2 GiB


def test_gzip_bomb_is_decoded_only_up_to_the_cap(
    server: LoopbackServer, check: Check, settings: CheckSettings, bomb: bytes
) -> None:
    server.route(
        "/bomb.txt",
        Reply(body=bomb, headers={"Content-Encoding": "gzip"}, content_type="text/plain"),
    )
    capped = replace(settings, max_decompressed_bytes=1 * MIB)
    result = check(server.url("/bomb.txt"), settings=capped)
    assert result.verdict is Verdict.OK
    assert result.bytes_read == 1 * MIB
    assert f"body truncated at {MIB} bytes" in result.warnings


def test_gzip_page_is_decoded(server: LoopbackServer, check: Check) -> None:
    server.route("/zipped", Reply(body=gzip.compress(REPORT), headers={"Content-Encoding": "gzip"}))
    result = check(server.url("/zipped#methods"))
    assert result.verdict is Verdict.OK
    assert result.bytes_read == len(REPORT)


def test_corrupt_gzip_keeps_the_http_verdict_with_a_warning(
    server: LoopbackServer, check: Check
) -> None:
    server.route(
        "/corrupt",
        Reply(body=b"\x1f\x8b\x08\x00not-really-gzip", headers={"Content-Encoding": "gzip"}),
    )
    result = check(server.url("/corrupt"))
    assert result.verdict is Verdict.OK
    assert any(
        w.startswith("content not checkable: gzip data could not be decoded")
        for w in result.warnings
    )


def test_unsupported_encoding_is_not_decoded(server: LoopbackServer, check: Check) -> None:
    server.route("/br", Reply(body=b"\x0b\x02\x80", headers={"Content-Encoding": "br"}))
    result = check(server.url("/br"))
    assert result.verdict is Verdict.OK
    assert "content not checkable: content encoding 'br' not supported" in result.warnings


def test_connection_reset_is_transient_after_retries(server: LoopbackServer, check: Check) -> None:
    server.route("/reset", Raw(reset_connection))
    result = check(server.url("/reset"))
    assert result.verdict is Verdict.TRANSIENT
    assert result.error_kind is ErrorKind.RESET
    assert result.attempts == 3
    assert len(server.requests_to("/reset")) == 3
    assert result.reason.endswith("(after 3 attempts)")


def test_reset_then_success_recovers(server: LoopbackServer, check: Check) -> None:
    answers = iter([Raw(reset_connection)])
    server.route("/once", lambda seen: next(answers, Reply(body=REPORT)))
    result = check(server.url("/once"))
    assert (result.verdict, result.attempts) == (Verdict.OK, 2)


def test_dns_failure_is_broken_and_fast(check: Check) -> None:
    started = time.monotonic()
    result = check("http://nonexistent.invalid/report")
    assert result.verdict is Verdict.BROKEN
    assert result.error_kind is ErrorKind.DNS
    assert result.reason == "DNS: name does not resolve"
    assert result.attempts == 1
    assert time.monotonic() - started < 1.0


def test_connection_refused_is_broken_after_one_retry(check: Check) -> None:
    result = check(f"http://127.0.0.1:{free_port()}/report")
    assert result.verdict is Verdict.BROKEN
    assert result.error_kind is ErrorKind.REFUSED
    assert result.reason == "connection refused (after 2 attempts)"
    assert result.attempts == 2


def _drip_headers(server: LoopbackServer) -> Raw:
    def act(handler: BaseHTTPRequestHandler) -> None:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
        handler.wfile.flush()
        for _ in range(1000):  # one header byte at a time, each well within the timeout
            if server.stop_event.wait(0.02):
                return
            handler.wfile.write(b"a")
            handler.wfile.flush()

    return Raw(act)


def test_dripping_headers_hit_the_deadline(
    server: LoopbackServer, check: Check, settings: CheckSettings
) -> None:
    server.route("/slow-headers", _drip_headers(server))
    short = replace(settings, timeout_s=2.0, deadline_s=0.4)
    started = time.monotonic()
    result = check(server.url("/slow-headers"), settings=short)
    assert result.verdict is Verdict.TRANSIENT
    assert result.error_kind is ErrorKind.DEADLINE
    assert time.monotonic() - started < 1.5


def test_host_paused_by_a_long_retry_after_is_not_asked_again(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/a", Reply(429, headers={"Retry-After": "3600"}, body=b""))
    server.route("/b", Reply(body=REPORT))
    first = check(server.url("/a"))
    second = check(server.url("/b"))
    assert first.verdict is Verdict.BLOCKED
    assert second.verdict is Verdict.TRANSIENT
    assert second.reason.startswith("not tried: 127.0.0.1:")
    assert "asked for a pause of 3600 s" in second.reason
    assert server.requests_to("/b") == []


def test_waiting_for_the_host_does_not_use_up_the_deadline(
    server: LoopbackServer, settings: CheckSettings, fake_time: FakeTime
) -> None:
    server.route("/report", Reply(body=REPORT))
    polite = HostPolicy(min_interval_s=100.0, clock=fake_time.clock, sleep=fake_time.sleep)
    short = replace(settings, deadline_s=1.0)
    with new_session(short) as session:
        for _ in range(2):
            result = check_url(
                CheckTarget(server.url("/report")), short, session=session, hosts=polite
            )
            assert result.verdict is Verdict.OK
    assert 100.0 in fake_time.sleeps
