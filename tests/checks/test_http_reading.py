"""Pure pieces that read what a server sent: header text, redirect targets, refresh
values, Content-Type values and what a body turns out to be."""

from __future__ import annotations

import io

import pytest

from checks.http.location import BadLocation, header_text, resolve
from checks.http.mediatype import effective_content_type, media_type, sniffed_media_type
from checks.http.refresh import parse_refresh
from checks.http.wire import HeadResponse
from tests.checks.pages import LOGIN, NOT_FOUND_PAGE, PDF, REPORT

OK_2 = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("/caf\u00c3\u00a9", "/caf\u00e9"),  # UTF-8 bytes, as http.client hands them over
        ("/caf\u00e9", "/caf\u00e9"),  # a Latin-1 byte that is no UTF-8
        ("/plain", "/plain"),
        ("/\u20ac", "/\u20ac"),  # already text, not bytes read as Latin-1
    ],
)
def test_header_text(raw: str, text: str) -> None:
    assert header_text(raw) == text


@pytest.mark.parametrize(
    ("base", "location", "expected"),
    [
        ("http://example.org/a/b", "../c d", "http://example.org/c%20d"),
        ("http://example.org/a", "/caf\u00e9", "http://example.org/caf%C3%A9"),
        ("http://example.org/a", "/caf%C3%A9", "http://example.org/caf%C3%A9"),
        ("http://example.org/a", "http://b\u00fccher.example/k", "http://xn--bcher-kva.example/k"),
        ("http://example.org/a", "http://B%C3%BCcher.example:8080/", "http://xn--bcher-kva.example:8080/"),
        ("http://example.org/a", "//\u00e9cole.example/x?q=\u00e9", "http://xn--cole-9oa.example/x?q=%C3%A9"),
        ("http://example.org/a", "http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("https://example.org/a", "#part", "https://example.org/a#part"),
    ],
)  # fmt: skip
def test_resolve(base: str, location: str, expected: str) -> None:
    assert resolve(base, location) == expected


@pytest.mark.parametrize("location", ["http://exa\u2025mple.org/", "http://%FF.example/"])
def test_resolve_rejects_host_names_no_browser_could_use(location: str) -> None:
    with pytest.raises(BadLocation):
        resolve("http://example.org/a", location)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0; url=/next", (0.0, "/next")),
        ("0;url=/", (0.0, "/")),
        ("5", (5.0, None)),
        ("1, URL='/quoted'", (1.0, "/quoted")),
        ("soon", None),
        ("", None),
    ],
)
def test_parse_refresh(value: str, expected: tuple[float, str | None] | None) -> None:
    assert parse_refresh(value) == expected


@pytest.mark.parametrize(
    ("header", "effective", "bare"),
    [
        ("text/html; charset=utf-8", "text/html; charset=utf-8", "text/html"),
        ("text/html, text/html", "text/html", "text/html"),
        ("text/html; charset=UTF-8, text/html; charset=UTF-8", "text/html; charset=UTF-8",
         "text/html"),
        ("text/html; charset=gbk, text/html", "text/html; charset=gbk", "text/html"),
        ("text/html; charset=gbk, text/plain", "text/plain", "text/plain"),
        ("application/pdf, */*", "application/pdf", "application/pdf"),
        ("text/plain, nonsense", "text/plain", "text/plain"),
        ('text/html; x="a,b", application/pdf', "application/pdf", "application/pdf"),
        ('text/html; x="a,b"', 'text/html; x="a,b"', "text/html"),
        ("", None, None),
        (None, None, None),
        ("nonsense", None, None),
    ],
)  # fmt: skip
def test_content_type_is_read_as_the_fetch_standard_reads_it(
    header: str | None, effective: str | None, bare: str | None
) -> None:
    assert effective_content_type(header) == effective
    assert media_type(header) == bare


@pytest.mark.parametrize(
    ("label", "body", "expected"),
    [
        ("application/pdf", PDF, "application/pdf"),
        ("application/octet-stream", PDF, "application/pdf"),
        ("binary/octet-stream", PDF, "application/pdf"),
        (None, b"junk before it\n" + PDF, "application/pdf"),
        ("application/pdf", NOT_FOUND_PAGE, "text/html"),
        ("application/pdf", b"\xef\xbb\xbf  <!-- x --><HTML><body>", "text/html"),
        ("application/octet-stream", LOGIN, "text/html"),
        ("text/plain", b"<p>a paragraph</p>", "text/html"),
        ("text/html", REPORT, "text/html"),
        ("text/html", PDF, "application/pdf"),
        ("text/html", b"<p>How a file starts: %PDF-1.7</p>", "text/html"),
        ("application/pdf", b"", "application/pdf"),
        ("application/pdf", b"not a pdf, not html", "application/pdf"),
        ("application/json", b"<html>", "application/json"),
        ("text/plain", b"<para>not html</para>", "text/plain"),
    ],
)  # fmt: skip
def test_sniffed_media_type(label: str | None, body: bytes, expected: str) -> None:
    assert sniffed_media_type(label, body) == expected


class _Wire:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(io.BytesIO(self.data))


@pytest.mark.parametrize(
    ("raw", "status", "body"),
    [
        (b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n" + OK_2, 200, b"ok"),
        (b"HTTP/1.1 102 Processing\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n" + OK_2, 200, b"ok"),
        (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", 101, b""),
    ],
)
def test_interim_answers_are_passed_over_but_101_is_final(
    raw: bytes, status: int, body: bytes
) -> None:
    response = HeadResponse(_Wire(raw), method="GET")  # type: ignore[arg-type]
    response.begin()
    assert (response.status, response.read()) == (status, body)
