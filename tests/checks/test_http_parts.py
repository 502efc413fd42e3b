"""Pure pieces of the fetcher: meta refresh, Retry-After, decoding, error mapping."""

from __future__ import annotations

import gzip
import http.client
import socket
import ssl
import zlib
from datetime import UTC, datetime

import pytest
import requests
import urllib3.exceptions

from checks.http import body_cap, classify_exception, meta_refresh
from checks.http.body import Decoder
from checks.http.fetch import _host_headers
from checks.http.retryafter import retry_after_s
from checks.model import CheckSettings, ErrorKind
from checks.netpolicy import PolicyViolation
from checks.tls import describe_tls_error


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<meta http-equiv="refresh" content="0; url=/new">', (0.0, "/new")),
        ("<META HTTP-EQUIV=Refresh CONTENT='5;URL=https://x.example/a'>", (5.0, "https://x.example/a")),
        ('<meta content="0;url=\'/quoted\'" http-equiv="refresh">', (0.0, "/quoted")),
        ('<meta http-equiv="refresh" content="1, url=/comma">', (1.0, "/comma")),
        ('<meta http-equiv="refresh" content="0; /bare">', (0.0, "/bare")),
        ('<meta http-equiv="refresh" content="30">', (30.0, None)),
        ('<meta http-equiv="refresh" content="0;url=/a?x=1&amp;y=2">', (0.0, "/a?x=1&y=2")),
        ('<!-- <meta http-equiv="refresh" content="0;url=/c"> -->', None),
        ('<noscript><meta http-equiv="refresh" content="0;url=/nojs"></noscript>', None),
        ('<meta name="description" content="0; url=/no">', None),
        ("<p>no refresh here</p>", None),
        ('<meta Http-Equiv="&#114;efresh" content="0;url=/escaped">', (0.0, "/escaped")),
        ('<meta http-equiv="content-type" content="text/html">', None),
    ],
)  # fmt: skip
def test_meta_refresh(html: str, expected: tuple[float, str | None] | None) -> None:
    assert meta_refresh(html) == expected


NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Thu, 01 Jan 2026 12:00:30 GMT", 30.0),
        ("Thu, 01 Jan 2026 11:00:00 GMT", 0.0),  # in the past: no wait
        ("soon", None),
        ("-5", None),
        (None, None),
        # What float() or str.isdigit() would take, and no server means as seconds.
        ("inf", None),
        ("nan", None),
        ("1e9", None),
        ("\u00b2", None),
    ],
)
def test_retry_after(value: str | None, expected: float | None) -> None:
    assert retry_after_s(value, NOW) == expected


def test_gzip_decoder_never_produces_more_than_asked() -> None:
    bomb = gzip.compress(b"\0" * (32 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 64 * 1024
    decoder = Decoder("gzip")
    out = decoder.decode(bomb, 1000)
    assert len(out) == 1001  # one byte over the limit says "there is more"


def test_gzip_decoder_reads_concatenated_members() -> None:
    data = gzip.compress(b"first ") + gzip.compress(b"second")
    assert Decoder("gzip").decode(data, 100) == b"first second"


def test_deflate_decoder_accepts_zlib_and_raw_deflate() -> None:
    assert Decoder("deflate").decode(zlib.compress(b"wrapped"), 100) == b"wrapped"
    raw = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    data = raw.compress(b"raw deflate") + raw.flush()
    assert Decoder("deflate").decode(data, 100) == b"raw deflate"


def test_corrupt_gzip_raises_zlib_error() -> None:
    with pytest.raises(zlib.error):
        Decoder("gzip").decode(b"\x1f\x8b\x08\x00garbage-garbage", 100)


def test_body_caps_by_type() -> None:
    settings = CheckSettings(
        max_bytes_html=10, max_bytes_pdf=20, max_bytes_other=30, max_decompressed_bytes=25
    )
    assert body_cap("text/html", settings) == 10
    assert body_cap(None, settings) == 10
    assert body_cap("application/pdf", settings) == 20
    assert body_cap("application/zip", settings) == 25  # the decompression cap is lower


def test_host_headers_apply_to_the_host_and_its_subdomains_only() -> None:
    settings = CheckSettings(
        host_headers={
            "example.org": {"User-Agent": "Browser", "X-A": "1"},
            "www.example.org": {"X-A": "2"},
        }
    )
    assert _host_headers("www.example.org", settings) == {"User-Agent": "Browser", "X-A": "2"}
    assert _host_headers("example.org", settings) == {"User-Agent": "Browser", "X-A": "1"}
    assert _host_headers("badexample.org", settings) == {}
    assert _host_headers("other.net", settings) == {}


def _wrapped(inner: BaseException) -> requests.exceptions.ConnectionError:
    """An error shaped the way requests reports it (MaxRetryError inside)."""
    reason = urllib3.exceptions.ProtocolError("Connection aborted.", inner)
    retry = urllib3.exceptions.MaxRetryError(None, "/", reason)  # type: ignore[arg-type]
    return requests.exceptions.ConnectionError(retry)


@pytest.mark.parametrize(
    ("exc", "kind", "text"),
    [
        (_wrapped(ConnectionResetError(104, "reset")), ErrorKind.RESET, "connection reset"),
        (
            _wrapped(http.client.RemoteDisconnected("closed")),
            ErrorKind.RESET,
            "closed the connection without answering",
        ),
        (_wrapped(ConnectionRefusedError(111, "refused")), ErrorKind.REFUSED, "connection refused"),
        (
            _wrapped(socket.gaierror(socket.EAI_NONAME, "Name or service not known")),
            ErrorKind.DNS,
            "DNS: name does not resolve",
        ),
        (
            _wrapped(socket.gaierror(socket.EAI_AGAIN, "Temporary failure")),
            ErrorKind.OTHER,
            "DNS: lookup failed temporarily",
        ),
        (requests.exceptions.ConnectTimeout("x"), ErrorKind.CONNECT_TIMEOUT, "connect timed out"),
        (requests.exceptions.ReadTimeout("x"), ErrorKind.READ_TIMEOUT, "read timeout"),
        (
            urllib3.exceptions.ProtocolError("x", http.client.IncompleteRead(b"", 10)),
            ErrorKind.PROTOCOL,
            "ended before the announced length",
        ),
        (requests.exceptions.ChunkedEncodingError("bad chunk"), ErrorKind.PROTOCOL, "protocol"),
        (requests.exceptions.InvalidURL("bad"), ErrorKind.INVALID_URL, "malformed URL"),
        (_wrapped(PolicyViolation("10.0.0.1 is private")), ErrorKind.POLICY, "10.0.0.1 is private"),
    ],
)
def test_network_errors_are_classified_once(exc: BaseException, kind: ErrorKind, text: str) -> None:
    got_kind, message = classify_exception(exc, timeout_s=20)
    assert got_kind is kind
    assert text in message


def test_bugs_are_not_classified() -> None:
    with pytest.raises(KeyError):
        classify_exception(KeyError("bug"), timeout_s=20)


def _verify_error(code: int, message: str) -> requests.exceptions.SSLError:
    inner = ssl.SSLCertVerificationError(1, f"[SSL: CERTIFICATE_VERIFY_FAILED] {message}")
    inner.verify_code = code
    inner.verify_message = message
    return requests.exceptions.SSLError(urllib3.exceptions.SSLError(inner))


@pytest.mark.parametrize(
    ("code", "message", "reason"),
    [
        (10, "certificate has expired", "TLS: certificate has expired"),
        (18, "self-signed certificate", "TLS: self-signed certificate"),
        (62, "Hostname mismatch", "TLS: certificate is for another host name"),
        (20, "unable to get local issuer certificate", "TLS: certificate issuer is not trusted"),
        (99, "something new", "TLS: certificate verify failed (something new)"),
    ],
)
def test_tls_errors_name_the_problem(code: int, message: str, reason: str) -> None:
    exc = _verify_error(code, message)
    assert classify_exception(exc, timeout_s=20) == (ErrorKind.TLS, describe_tls_error(exc))
    assert describe_tls_error(exc).startswith(reason)


def test_tls_error_without_verify_code_falls_back_to_the_message() -> None:
    exc = requests.exceptions.SSLError("[SSL: WRONG_VERSION_NUMBER] wrong version number")
    assert classify_exception(exc, timeout_s=20) == (
        ErrorKind.TLS,
        "TLS: handshake failed (is the server speaking plain HTTP?)",
    )


def _connect_error(reason: Exception) -> requests.exceptions.ConnectionError:
    """A connect failure shaped the way requests reports it."""
    retry = urllib3.exceptions.MaxRetryError(None, "/", reason)  # type: ignore[arg-type]
    return requests.exceptions.ConnectionError(retry)


def test_refused_connection_is_not_mistaken_for_a_connect_timeout() -> None:
    # urllib3's NewConnectionError subclasses ConnectTimeoutError.
    refused = urllib3.exceptions.NewConnectionError(None, "refused")  # type: ignore[arg-type]
    refused.__cause__ = ConnectionRefusedError(111, "Connection refused")
    assert classify_exception(_connect_error(refused), timeout_s=5)[0] is ErrorKind.REFUSED
    unreachable = urllib3.exceptions.NewConnectionError(None, "no route")  # type: ignore[arg-type]
    unreachable.__cause__ = OSError(113, "No route to host")
    kind, message = classify_exception(_connect_error(unreachable), timeout_s=5)
    assert kind is ErrorKind.OTHER
    assert message.startswith("could not connect")
    timeout = urllib3.exceptions.ConnectTimeoutError(None, "timed out")
    assert classify_exception(_connect_error(timeout), timeout_s=5) == (
        ErrorKind.CONNECT_TIMEOUT,
        "connect timed out after 5 s",
    )
