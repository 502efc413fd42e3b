"""Text extraction from HTML, PDF and plain text."""

from __future__ import annotations

import codecs
import io

import pytest
from pypdf import PdfReader, PdfWriter

from checks.content import extract
from checks.content.extract import TextKind, extract_text
from tests.content.pdfs import (
    drawing_pdf,
    encrypted,
    illustrated_pdf,
    image_pdf,
    scanned_pdf,
    split_glyph_pdf,
    text_pdf,
)


def html(body: str, head: str = "") -> bytes:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>".encode()


# --- HTML ---


def test_inline_markup_does_not_split_words_or_numbers() -> None:
    page = html(
        "<main><p>An estimated 100,<b>000</b> chil<i>dren</i> are "
        "<span><a href='#'>sold <em>for</em></a></span> sex.</p></main>"
    )
    assert extract_text(page, "text/html").text == "An estimated 100,000 children are sold for sex."


def test_blocks_become_lines_and_whitespace_collapses() -> None:
    page = html(
        "<main><h1>Problem</h1><div><p>First\n   paragraph.</p><ul><li>one</li>"
        "<li>two<br>lines</li></ul></div><table><tr><td>Year</td><td>2009</td></tr>"
        "<tr><th>At risk</th><td>300,000</td></tr></table></main>"
    )
    text = extract_text(page, "text/html").text
    assert text.split("\n") == [
        "Problem",
        "First paragraph.",
        "one",
        "two",
        "lines",
        "Year 2009",
        "At risk 300,000",
    ]


def test_footnote_marker_does_not_fuse_with_number() -> None:
    page = html("<p>100,000<sup>1</sup> children</p>")
    assert extract_text(page, "text/html").text == "100,000 1 children"


def test_scripts_navigation_and_furniture_are_not_main_text() -> None:
    page = html(
        head="<title> Human   trafficking </title><style>p{color:red}</style>",
        body=(
            "<header>Site banner</header><nav>Home | Stats 326,000</nav>"
            "<div role='navigation'>Menu item</div><div role='banner'>Logo</div>"
            "<script>var n = '999,999';</script><noscript>Enable JS</noscript>"
            "<template><p>template text</p></template><svg><text>svg label</text></svg>"
            "<form><label>Search</label><input name='q'></form>"
            "<p>Visible text.</p><!-- a comment -->"
            "<aside>Fact box: 95 per cent.</aside>"
            "<footer>Contact us</footer><div role='contentinfo'>Copyright</div>"
        ),
    )
    extracted = extract_text(page, "text/html; charset=utf-8")
    assert extracted.kind is TextKind.HTML
    assert extracted.title == "Human trafficking"
    assert extracted.text == "Visible text."
    # The full text adds sidebars, never navigation, banners, footers, forms or code.
    assert extracted.full_text == "Visible text.\nFact box: 95 per cent."


def test_hidden_elements_are_left_out_but_aria_hidden_is_kept() -> None:
    page = html(
        "<p>Shown.</p><p hidden>Hidden attribute.</p>"
        "<div style='color: red; display: none'>Display none.</div>"
        "<span style='visibility:hidden'>Invisible.</span>"
        "<p><span aria-hidden='true'>100,000</span></p>"
    )
    assert extract_text(page, "text/html").text == "Shown.\n100,000"


def test_main_is_preferred_to_the_rest_of_the_body() -> None:
    page = html("<div>Sidebar teaser</div><main><p>Main text.</p></main><div>Related</div>")
    extracted = extract_text(page, "text/html")
    assert extracted.text == "Main text."
    assert extracted.full_text == "Sidebar teaser\nMain text.\nRelated"


def test_role_main_counts_as_main() -> None:
    page = html("<div>Teaser</div><div role='main'><p>Main text.</p></div>")
    assert extract_text(page, "text/html").text == "Main text."


def test_articles_are_used_when_there_is_no_main() -> None:
    page = html(
        "<div>Promo</div><article><header><h1>Article title</h1></header>"
        "<p>First.</p><footer>Published 2014</footer></article>"
        "<article><p>Second.</p></article>"
    )
    # An article's own header and footer are content (title, date), not page furniture.
    assert extract_text(page, "text/html").text == (
        "Article title\nFirst.\nPublished 2014\nSecond."
    )


def test_an_empty_main_falls_back_to_the_body() -> None:
    page = html("<main id='app'></main><div><p>Rendered on the server after all.</p></div>")
    assert extract_text(page, "text/html").text == "Rendered on the server after all."


def test_a_form_wrapping_the_whole_page_is_content() -> None:
    page = html("<form id='aspnetForm'><h1>Fact sheet</h1><p>326,000 youth.</p></form>")
    assert extract_text(page, "text/html").text == "Fact sheet\n326,000 youth."


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        # The header's charset wins.
        ("<p>\u201cquoted\u201d caf\u00e9</p>".encode("cp1252"), "text/html; charset=windows-1252"),
        # Latin-1 labels are read as windows-1252, as browsers do.
        ("<p>\u201cquoted\u201d caf\u00e9</p>".encode("cp1252"), "text/html; charset=ISO-8859-1"),
        # Without one, the meta element's.
        (
            '<html><head><meta charset="windows-1252"></head><body><p>\u201cquoted\u201d'
            " caf\u00e9</p></body></html>".encode("cp1252"),
            "text/html",
        ),
        (
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            "</head><body><p>\u201cquoted\u201d caf\u00e9</p></body></html>".encode(),
            None,
        ),
        # The header outranks a wrong meta element.
        (
            '<html><head><meta charset="iso-8859-1"></head><body><p>\u201cquoted\u201d'
            " caf\u00e9</p></body></html>".encode(),
            "text/html; charset=utf-8",
        ),
        # Neither: UTF-8 when the bytes are valid UTF-8, else windows-1252.
        ("<p>\u201cquoted\u201d caf\u00e9 \u00fcber na\u00efve</p>".encode(), "text/html"),
        ("<p>\u201cquoted\u201d caf\u00e9 \u00fcber na\u00efve</p>".encode("cp1252"), None),
        # A byte order mark outranks everything.
        (
            codecs.BOM_UTF8 + "<p>\u201cquoted\u201d caf\u00e9</p>".encode(),
            "text/html; charset=windows-1252",
        ),
    ],
)
def test_html_is_decoded_with_the_right_charset(body: bytes, content_type: str | None) -> None:
    assert extract_text(body, content_type).text.startswith("\u201cquoted\u201d caf\u00e9")


def test_html_is_sniffed_when_the_type_is_missing_or_wrong() -> None:
    page = html("<p>Sniffed.</p>")
    for content_type in (None, "text/plain", "application/octet-stream"):
        extracted = extract_text(page, content_type)
        assert (extracted.kind, extracted.text) == (TextKind.HTML, "Sniffed.")


def test_xhtml_with_an_xml_declaration_is_sniffed() -> None:
    page = b'<?xml version="1.0" encoding="utf-8"?>\n<html><body><p>XHTML.</p></body></html>'
    extracted = extract_text(page, None)
    assert (extracted.kind, extracted.text) == (TextKind.HTML, "XHTML.")


def test_untyped_bodies_are_sniffed() -> None:
    assert extract_text(b"plain words", None).kind is TextKind.TEXT
    assert extract_text(b"a,b\n1,2", "application/octet-stream").text == "a,b\n1,2"
    binary = extract_text(b"PK\x03\x04\x00\x00", "application/octet-stream")
    assert binary.unreadable == "binary content (application/octet-stream)"
    assert extract_text(b"\x00\x01", None).unreadable == "binary content (no content type)"


def test_an_html_page_served_as_pdf_is_read_as_html() -> None:
    page = html("<p>Please sign in.</p>", head="<title>Login</title>")
    extracted = extract_text(page, "application/pdf")
    assert (extracted.kind, extracted.title, extracted.unreadable) == (TextKind.HTML, "Login", None)


# --- plain text and other types ---


def test_plain_text_keeps_lines() -> None:
    extracted = extract_text(b"Line one  \n\n  line   two\r\n", "text/plain; charset=utf-8")
    assert (extracted.kind, extracted.text) == (TextKind.TEXT, "Line one\nline two")


def test_plain_text_charset() -> None:
    body = "\u201cOne\u201d caf\u00e9".encode("utf-16")
    assert extract_text(body, "text/plain").text == "\u201cOne\u201d caf\u00e9"
    latin = "caf\u00e9 100\u00a0000".encode("cp1252")
    assert extract_text(latin, "text/csv; charset=iso-8859-1").text == "caf\u00e9 100 000"


def test_xml_elements_are_blocks() -> None:
    feed = (
        b'<?xml version="1.0" encoding="utf-8"?><rss><channel><title>Feed</title>'
        b"<item><title>A</title><description>100,000 children</description></item>"
        b"</channel></rss>"
    )
    extracted = extract_text(feed, "application/rss+xml")
    assert extracted.text == "Feed\nA\n100,000 children"
    assert extracted.title == "Feed"


def test_svg_title_is_not_the_page_title() -> None:
    page = html("<svg><title>icon</title></svg><p>Text.</p>")
    assert extract_text(page, "text/html").title is None


@pytest.mark.parametrize("content_type", ["image/png", "application/msword", "application/zip"])
def test_unsupported_types_are_unreadable(content_type: str) -> None:
    extracted = extract_text(b"\x89PNG\r\n\x1a\n\x00\x00", content_type)
    assert extracted.unreadable == f"unsupported content type {content_type}"
    assert extracted.text == ""


# --- PDF ---


def test_pdf_text_from_every_page() -> None:
    body = text_pdf("First page text.", "Second page text.", "Third page: 326,000.", title="Rpt")
    extracted = extract_text(body, "application/pdf")
    assert (extracted.kind, extracted.pages, extracted.unreadable) == (TextKind.PDF, 3, None)
    assert extracted.title == "Rpt"
    assert extracted.text.split("\n") == [
        "First page text.",
        "Second page text.",
        "Third page: 326,000.",
    ]


def test_pdf_is_recognised_by_its_magic_bytes() -> None:
    body = text_pdf("Served with a generic type.")
    for content_type in (None, "application/octet-stream", "text/html"):
        extracted = extract_text(body, content_type, "https://example.org/download?id=7")
        assert (extracted.kind, extracted.text) == (TextKind.PDF, "Served with a generic type.")


def test_pdf_lines_keep_hyphenation_for_the_matcher() -> None:
    body = text_pdf("victims of commercial sexual exploi-\ntation in the county")
    assert extract_text(body, "application/pdf").text == (
        "victims of commercial sexual exploi-\ntation in the county"
    )


@pytest.mark.parametrize("make", [drawing_pdf, image_pdf], ids=["drawing", "image"])
def test_pdf_without_text_layer_is_unreadable(make: object) -> None:
    assert callable(make)
    extracted = extract_text(make(), "application/pdf")
    assert (extracted.kind, extracted.pages) == (TextKind.PDF, 1)
    assert extracted.unreadable == "PDF has no text layer (scanned?)"


STAMP = "Case 2:13-cv-01234-ABC Document 5 Filed 01/02/13 Page {page} of {pages}"
TYPED = (
    "Recent statistics estimate that 100,000 children are sold for sex each year within "
    "the United States."
)
MORE = "The county approved a multi-agency response model to combat the exploitation."
LAST = "A specialised court supervises and supports youth identified as victims."


def test_scanned_pdf_with_a_typed_cover_and_stamped_headers_is_unreadable() -> None:
    body = scanned_pdf(TYPED, *[None] * 5, stamp=STAMP)
    extracted = extract_text(body, "application/pdf")
    assert extracted.unreadable == "PDF has no text layer on 5 of 6 pages (scanned?)"
    assert extracted.pages == 6


def test_pdf_with_some_scanned_pages_is_read_in_part() -> None:
    body = scanned_pdf(TYPED, None, MORE, LAST, TYPED, stamp=STAMP)
    extracted = extract_text(body, "application/pdf")
    assert extracted.unreadable is None
    assert extracted.partial == "PDF has no text layer on 1 of 5 pages (scanned?)"
    assert "100,000 children" in extracted.text


def test_pages_scanned_at_100_dpi_are_scans() -> None:
    body = scanned_pdf(TYPED, None, None, None, MORE, picture_px=(827, 1169))  # A4
    extracted = extract_text(body, "application/pdf")
    assert extracted.unreadable == "PDF has no text layer on 3 of 5 pages (scanned?)"


def test_a_wide_chart_of_a_million_pixels_is_no_scan() -> None:
    titles = [f"Finding: caseloads rose in district {name}" for name in "ABCDEF"]
    extracted = extract_text(illustrated_pdf(*titles, picture_px=(1280, 800)), "application/pdf")
    assert (extracted.unreadable, extracted.partial) == (None, None)


def test_a_short_report_with_a_photographed_cover_is_text() -> None:
    cover = illustrated_pdf("Annual Report", picture_px=(1700, 2200))
    writer = PdfWriter()
    for part in (cover, scanned_pdf(TYPED)):
        for page in PdfReader(io.BytesIO(part)).pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    extracted = extract_text(out.getvalue(), "application/pdf")
    assert (extracted.pages, extracted.unreadable, extracted.partial) == (2, None, None)


def test_slides_with_charts_are_not_scans() -> None:
    titles = [f"Finding: caseloads rose in district {name}" for name in "ABCDEFGH"]
    extracted = extract_text(illustrated_pdf(*titles), "application/pdf")
    assert (extracted.unreadable, extracted.partial) == (None, None)
    assert "district C" in extracted.text


def test_photographed_covers_do_not_make_a_report_a_partial_scan() -> None:
    cover = illustrated_pdf("Annual Report", picture_px=(1700, 2200))
    back = illustrated_pdf("County DMH", picture_px=(1700, 2200))
    body = scanned_pdf(TYPED, MORE, LAST)
    writer = PdfWriter()
    for part in (cover, body, back):
        for page in PdfReader(io.BytesIO(part)).pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    extracted = extract_text(out.getvalue(), "application/pdf")
    assert (extracted.pages, extracted.unreadable, extracted.partial) == (5, None, None)


def test_short_typed_pages_are_not_scans() -> None:
    # A title page or a section divider has few words, and no picture under them.
    body = scanned_pdf("Part II", TYPED, "Annex", MORE)
    extracted = extract_text(body, "application/pdf")
    assert (extracted.unreadable, extracted.partial) == (None, None)


def test_long_pdf_is_read_up_to_its_page_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "MAX_PDF_PAGES", 2)
    body = text_pdf("First page text.", "Second page text.", "Third page: 326,000.")
    extracted = extract_text(body, "application/pdf")
    assert extracted.partial == "read to page 2 of 3 (at most 2 pages are read)"
    assert extracted.text == "First page text.\nSecond page text."


def test_slow_pdf_is_read_within_its_time_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract, "PDF_TIME_BUDGET_S", 0.0)
    body = text_pdf("First page text.", "Second page text.", "Third page: 326,000.")
    extracted = extract_text(body, "application/pdf")
    # Past the budget before the second page: a page in progress is never cut.
    assert extracted.partial == "read to page 1 of 3 (reading took over 0 s of CPU)"
    assert extracted.text == "First page text."


def test_pdf_reading_also_stops_at_its_wall_clock_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    # The CPU budget is this thread's; under a busy interpreter the wall clock runs on.
    monkeypatch.setattr(extract, "PDF_WALL_BUDGET_S", 0.0)
    body = text_pdf("First page text.", "Second page text.", "Third page: 326,000.")
    extracted = extract_text(body, "application/pdf")
    assert extracted.partial == "read to page 1 of 3 (reading took over 0 s)"


def test_pdf_without_pages_is_unreadable() -> None:
    out = io.BytesIO()
    PdfWriter().write(out)
    extracted = extract_text(out.getvalue(), "application/pdf")
    assert (extracted.pages, extracted.unreadable) == (0, "PDF has no pages")


def test_encrypted_pdf_is_unreadable() -> None:
    body = encrypted(text_pdf("Secret figure 100,000."), user_password="secret")
    extracted = extract_text(body, "application/pdf")
    assert extracted.unreadable == "encrypted PDF"
    assert extracted.text == ""


def test_pdf_encrypted_with_an_empty_password_is_read() -> None:
    body = encrypted(text_pdf("Open figure 100,000."), user_password="")
    extracted = extract_text(body, "application/pdf")
    assert (extracted.unreadable, extracted.text) == (None, "Open figure 100,000.")


@pytest.mark.parametrize(
    "body",
    [b"%PDF-1.7\n garbage without objects", text_pdf("Cut short in transfer.")[:400]],
    ids=["garbage", "truncated"],
)
def test_broken_pdf_is_unreadable_not_an_error(body: bytes) -> None:
    extracted = extract_text(body, "application/pdf")
    assert extracted.kind is TextKind.PDF
    assert extracted.unreadable is not None
    assert extracted.unreadable.startswith("broken PDF (")


@pytest.mark.parametrize(
    ("body", "content_type", "url", "reason"),
    [
        (b"\x00\x01binary", "application/pdf", None, "not a PDF (no %PDF- header)"),
        (b"", "application/pdf", None, "not a PDF (empty body)"),
        (b"\x00\x01binary", None, "https://example.org/report.PDF", "not a PDF (no %PDF- header)"),
    ],
)
def test_something_cited_as_pdf_that_is_not_one(
    body: bytes, content_type: str | None, url: str | None, reason: str
) -> None:
    assert extract_text(body, content_type, url).unreadable == reason


def test_a_letter_a_font_maps_as_two_halves_is_read_whole() -> None:
    """pypdf gives each code of such a font its half of a UTF-16 pair; the text holds
    the letter, and a half alone is a replacement character, so that the text can be
    stored and written as UTF-8."""
    joined = extract_text(split_glyph_pdf(("D835", "DC13"), "able 3"), "application/pdf")
    assert joined.text.startswith("\U0001d413able 3")
    alone = extract_text(split_glyph_pdf(("D835",), "able 3"), "application/pdf")
    assert alone.text.startswith("\ufffdable 3")
    for extracted in (joined, alone):
        extracted.text.encode("utf-8")
