"""What a served body turns out to be, whatever its label says: PDFs under generic
types, HTML error pages labelled as PDFs, empty bodies, and Content-Type headers sent
twice."""

from __future__ import annotations

from dataclasses import replace

from checks.model import CheckSettings, Verdict
from tests.checks.conftest import Check
from tests.checks.pages import NOT_FOUND_PAGE, PDF, REPORT
from tests.checks.server import LoopbackServer, Reply

KIB = 1024
DOCUMENT_NOT_FOUND = (
    b"<html><head><title>Document not found</title></head><body><h1>Document not found</h1>"
    b"<p>The requested document does not exist.</p></body></html>"
)


def big_pdf(size: int) -> bytes:
    """A PDF padded with a comment line to ``size`` bytes."""
    head, tail = PDF.split(b"trailer", 1)
    padding = b"%" + b"x" * (size - len(PDF) - 2) + b"\n"
    return head + padding + b"trailer" + tail


# --- cited PDFs ---


def test_empty_body_where_a_pdf_is_cited_is_a_type_mismatch(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/report.pdf", Reply(body=b"", content_type="application/pdf"))
    result = check(server.url("/report.pdf"), expect_content_type="application/pdf")
    assert result.verdict is Verdict.TYPE_MISMATCH
    assert result.reason == "cited as application/pdf, served an empty body"


def test_not_found_page_labelled_as_a_pdf_is_a_soft_404(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/report.pdf", Reply(body=DOCUMENT_NOT_FOUND, content_type="application/pdf"))
    cited = check(server.url("/report.pdf"), expect_content_type="application/pdf")
    plain = check(server.url("/report.pdf"))
    for result in (cited, plain):
        assert result.verdict is Verdict.SOFT_404
        assert result.reason == 'soft 404: page reads as "not found" (title: "Document not found")'


def test_html_page_labelled_as_a_pdf_is_a_type_mismatch(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/report.pdf", Reply(body=REPORT, content_type="application/pdf"))
    result = check(server.url("/report.pdf"), expect_content_type="application/pdf")
    assert result.verdict is Verdict.TYPE_MISMATCH
    assert result.reason == (
        "cited as application/pdf, served text/html (labelled application/pdf)"
    )


def test_large_pdf_served_as_octet_stream_gets_the_pdf_cap(
    server: LoopbackServer, check: Check, settings: CheckSettings
) -> None:
    body = big_pdf(300 * KIB)
    server.route("/report.pdf", Reply(body=body, content_type="application/octet-stream"))
    caps = replace(settings, max_bytes_other=64 * KIB, max_bytes_html=64 * KIB)
    result = check(server.url("/report.pdf"), settings=caps, expect_content_type="application/pdf")
    assert result.verdict is Verdict.OK
    assert result.bytes_read == len(body)
    assert not any(w.startswith("body truncated") for w in result.warnings)


def test_large_html_page_labelled_as_a_pdf_gets_the_html_cap(
    server: LoopbackServer, check: Check, settings: CheckSettings
) -> None:
    body = REPORT.replace(b"</body>", b"<p>" + b"more words " * 20_000 + b"</p></body>")
    server.route("/report.pdf", Reply(body=body, content_type="application/pdf"))
    caps = replace(settings, max_bytes_html=64 * KIB)
    result = check(server.url("/report.pdf"), settings=caps)
    assert result.bytes_read == 64 * KIB
    assert f"body truncated at {64 * KIB} bytes" in result.warnings


# --- Content-Type sent twice ---


def twice(body: bytes) -> Reply:
    """A page whose Content-Type header comes twice (a proxy adds its own)."""
    return Reply(body=body, content_type="text/html", headers={"Content-Type": "text/html"})


def fragment(page: bytes) -> bytes:
    """``page`` as many templates send it: no doctype or <html>, a stylesheet link first
    (so only the Content-Type says it is HTML)."""
    body = page.split(b"<head>", 1)[1].replace(b"</head>", b"").replace(b"</html>", b"")
    return b"<link rel='stylesheet' href='/site.css'>" + body.replace(b"<body>", b"")


def test_not_found_page_with_two_content_types_is_a_soft_404(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/gone", twice(fragment(NOT_FOUND_PAGE)))
    result = check(server.url("/gone"))
    assert result.verdict is Verdict.SOFT_404
    assert result.content_type == "text/html, text/html"  # recorded as served


def test_page_with_two_content_types_is_the_html_cited(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/report", twice(fragment(REPORT)))
    cited = check(server.url("/report"), expect_content_type="text/html")
    anchored = check(server.url("/report#results"))
    assert cited.verdict is Verdict.OK
    assert anchored.verdict is Verdict.ANCHOR_MISSING
