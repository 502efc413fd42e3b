"""Readable text from a fetched body: HTML, PDF or plain text.

The text is what a reader of the page sees: for HTML the main content without
navigation, banners, scripts or hidden elements; for a PDF every page's text layer.
Failures to read are reported as a reason, never raised, because an unreadable source
is evidence for the verdict, not a bug.
"""

from __future__ import annotations

import codecs
import enum
import io
import re
import time
from dataclasses import dataclass, field
from itertools import islice
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from checks.content.htmltext import page_text
from checks.content.pagefurniture import without_running_lines

if TYPE_CHECKING:
    from pypdf import PdfReader
from checks.content.normalise import collapse, collapse_lines, whole_characters


class TextKind(enum.StrEnum):
    """What kind of document the text came from."""

    HTML = "html"
    PDF = "pdf"
    TEXT = "text"
    OTHER = "other"  # a type we cannot read (image, office document, archive...)


@dataclass(frozen=True)
class ExtractedText:
    """The readable text of one document.

    ``text`` is the main text with whitespace collapsed inside each line; lines are
    paragraphs (blocks, table rows) for HTML and text, layout lines for a PDF.
    ``unreadable`` says why no text could be had. ``full_text`` is, for HTML, the
    visible text of the whole page less navigation, banners, footers and forms:
    statistics sometimes sit in a fact box or sidebar that main-content selection
    drops.
    """

    text: str
    kind: TextKind
    pages: int | None = None
    unreadable: str | None = None
    title: str | None = None
    full_text: str | None = field(default=None, repr=False)
    # For HTML with hidden elements: the full text with them (collapsed panels).
    revealed_text: str | None = field(default=None, repr=False)
    # Why only part of the document's text could be read (pages without a text layer,
    # a document too long to read in full), or None: evidence not found in the part
    # read may be in the rest.
    partial: str | None = None


HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
PDF_TYPES = frozenset(
    {"application/pdf", "application/x-pdf", "application/acrobat", "text/pdf", "text/x-pdf"}
)
_TEXT_TYPES = frozenset(
    {"application/json", "application/ld+json", "application/javascript", "application/csv"}
)
_XML_TYPES = frozenset({"application/xml", "text/xml", "application/rss+xml"})
# Types that say nothing about the content: sniff it.
_UNTYPED = frozenset({None, "application/octet-stream", "binary/octet-stream"})

_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    rb"<(?:!doctype\s+html|html|head|body|title|meta|p|div|h1)\b",
    re.IGNORECASE | re.DOTALL,
)
_BOM_CODECS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_BOMS = tuple(bom for bom, _ in _BOM_CODECS)
_DECLARED = re.compile(
    rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)|<\?xml[^>]+encoding\s*=\s*[\"']([\w.:-]+)",
    re.IGNORECASE,
)

# An HTML page with scripts and fewer letters than this is an application shell whose
# text its scripts write (a reader without them sees nothing).
_MIN_LETTERS_UNSCRIPTED = 30
_SCRIPT = re.compile(r"<script\b", re.IGNORECASE)
# Minimum letters per page, on average, for a PDF to count as having a text layer.
_MIN_LETTERS_PER_PAGE = 10
# A page is a scan when it draws a page-sized picture with fewer letters than this
# over it: a scanned page may carry a stamped header ("Case 2:13-cv-01234 Document 5
# Filed 01/02/13 Page 3 of 20"), where a short typed page ("Part II") or a slide with
# a chart draws no such picture. Page-sized: an upright picture of at least this many
# pixels (a letter page at 100 dpi has 0.94 million), or any picture of the larger
# number (a chart or a logo has far fewer).
_MIN_LETTERS_OVER_PICTURE = 50
_SCAN_PIXELS = 900_000
_ANY_SCAN_PIXELS = 3_000_000
# From this share of pages without a text layer up, the document is a scan (a typed
# cover or stamped headers do not make it readable); from the lower share up, the
# evidence may sit on a scanned page.
_SCANNED_SHARE = 0.5
_PARTLY_SCANNED_SHARE = 0.2
# Reading a PDF's text costs CPU in proportion to its content streams, which a small
# file can make huge (pages sharing one stream); a long report takes tens of seconds.
# Past any of these bounds the rest of the document is left unread.
MAX_PDF_PAGES = 2000
MAX_PDF_CHARACTERS = 8_000_000
PDF_TIME_BUDGET_S = 20.0
PDF_WALL_BUDGET_S = 60.0


def extract_text(body: bytes, content_type: str | None, url: str | None = None) -> ExtractedText:
    """The readable text of ``body``, served as ``content_type`` from ``url``.

    The kind is decided by magic bytes first (``%PDF-``), then by the declared type,
    then by sniffing: a PDF served as ``application/octet-stream`` is still read as a
    PDF, an HTML error page served as ``application/pdf`` is read as HTML. ``url`` only
    helps to recognise an unlabelled PDF by its ``.pdf`` path.
    """
    media = media_type(content_type)
    if looks_pdf(body):
        return _pdf(body)
    says_pdf = media in PDF_TYPES or (media in _UNTYPED and _pdf_path(url))
    sniffed_html = bool(_HTML_START.match(_without_bom(body[:2048])))
    if says_pdf and not sniffed_html:
        reason = "not a PDF (empty body)" if not body else "not a PDF (no %PDF- header)"
        return ExtractedText("", TextKind.PDF, unreadable=reason)
    if sniffed_html or media in HTML_TYPES:
        return _html(body, charset(content_type), xml=False)
    if media in _XML_TYPES or (media is not None and media.endswith("+xml")):
        return _html(body, charset(content_type), xml=True)
    if media in _UNTYPED and b"\x00" in body[:1024] and not body.startswith(_BOMS):
        return ExtractedText(
            "", TextKind.OTHER, unreadable=f"binary content ({media or 'no content type'})"
        )
    if media is None or media in _UNTYPED or media.startswith("text/") or media in _TEXT_TYPES:
        return _plain(body, charset(content_type))
    return ExtractedText("", TextKind.OTHER, unreadable=f"unsupported content type {media}")


def media_type(content_type: str | None) -> str | None:
    """The bare, lower-case media type of a Content-Type header value."""
    if not content_type:
        return None
    bare = content_type.split(";", 1)[0].strip().lower()
    return bare or None


def charset(content_type: str | None) -> str | None:
    """The charset named in a Content-Type header value, if Python knows it.

    Latin-1 and ASCII labels mean windows-1252, as browsers read them.
    """
    if not content_type:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    return _codec(match.group(1)) if match else None


def _codec(label: str) -> str | None:
    try:
        codec = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    if codec in ("latin-1", "iso8859-1", "ascii"):
        return "windows-1252"
    return codec


def looks_pdf(body: bytes) -> bool:
    """True when the bytes carry the PDF header (which may follow a little junk)."""
    return b"%PDF-" in body[:1024]


def _pdf_path(url: str | None) -> bool:
    return bool(url) and urlsplit(url or "").path.lower().endswith(".pdf")


def _without_bom(head: bytes) -> bytes:
    return head[3:] if head.startswith(codecs.BOM_UTF8) else head


def _decode(body: bytes, declared: str | None, *, markup: bool = False) -> str:
    """``body`` as text. The order browsers use: a byte order mark, the charset of the
    Content-Type header, then (for markup) a meta or XML declaration; without any, UTF-8
    if the bytes are valid UTF-8, else windows-1252 (the web's legacy default)."""
    for bom, codec in _BOM_CODECS:
        if body.startswith(bom):
            return body[len(bom) :].decode(codec, errors="replace")
    if declared is None and markup:
        found = _DECLARED.search(body[:4096])
        if found:
            declared = _codec((found.group(1) or found.group(2)).decode("ascii"))
    if declared is not None:
        return body.decode(declared, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("windows-1252", errors="replace")


def _plain(body: bytes, declared: str | None) -> ExtractedText:
    return ExtractedText(collapse_lines([_decode(body, declared)]), TextKind.TEXT)


def _html(body: bytes, declared: str | None, *, xml: bool) -> ExtractedText:
    markup = _decode(body, declared, markup=True)
    page = page_text(markup, xml=xml)
    scripted = (
        not xml
        and _SCRIPT.search(markup) is not None
        and not _has_letters(page.revealed or page.full, _MIN_LETTERS_UNSCRIPTED)
    )
    return ExtractedText(
        page.main,
        TextKind.HTML,
        unreadable="no text without JavaScript (the page is built by its scripts)"
        if scripted
        else None,
        title=page.title,
        full_text=page.full,
        revealed_text=page.revealed,
    )


def _pdf(body: bytes) -> ExtractedText:
    # Imported on the first PDF: pypdf (with its crypto) costs a run of HTML pages
    # about 28 MB of memory for nothing.
    from pypdf import PasswordType, PdfReader

    # pypdf reads untrusted bytes; any exception it raises means "cannot read this
    # document", whatever its class (broken xref, bad stream, recursion...).
    try:
        reader = PdfReader(io.BytesIO(body), strict=False)
    except Exception as exc:
        return _broken(f"broken PDF ({_describe(exc)})")
    if reader.is_encrypted:
        try:
            decrypted = reader.decrypt("")
        except Exception as exc:
            return _broken(f"encrypted PDF ({_describe(exc)})")
        if decrypted == PasswordType.NOT_DECRYPTED:
            return _broken("encrypted PDF")
    try:
        pages = list(reader.pages)
    except Exception as exc:
        return _broken(f"broken PDF ({_describe(exc)})")
    if not pages:
        return _broken("PDF has no pages", 0)
    texts, failures, stopped = _page_texts(pages)
    title = _pdf_title(reader)
    if failures and len(failures) == len(texts):
        return _broken(f"PDF text could not be read ({_describe(failures[0])})", len(pages))
    text = collapse_lines(without_running_lines(texts))
    read = len(texts)
    flags = [_scanned(page, text) for page, text in zip(pages, texts, strict=False)]
    scanned = sum(flags)
    # Covers are often a photograph with a title: they say nothing of the rest.
    inner = flags[1:-1] if len(flags) > 2 else flags[1:] or flags
    # Letters of every line, running lines too: a stamped header is text, a scan's not.
    letters = sum(_letters(page) for page in texts)
    if letters < _MIN_LETTERS_PER_PAGE * read or sum(inner) >= _SCANNED_SHARE * len(inner):
        return ExtractedText(
            text,
            TextKind.PDF,
            pages=len(pages),
            unreadable=_no_text_layer(scanned, read),
            title=title,
        )
    partial = []
    if sum(inner) >= _PARTLY_SCANNED_SHARE * len(inner):
        partial.append(_no_text_layer(scanned, read))
    if stopped is not None:
        partial.append(f"read to page {read} of {len(pages)} ({stopped})")
    return ExtractedText(
        text, TextKind.PDF, pages=len(pages), title=title, partial="; ".join(partial) or None
    )


def _page_texts(pages: list[Any]) -> tuple[list[str], list[BaseException], str | None]:
    """Each page's text in order ("" for a page that failed), the failures, and why
    reading stopped before the last page (None when it did not)."""
    texts: list[str] = []
    failures: list[BaseException] = []
    characters = 0
    # This thread's own CPU time: other checks sharing the interpreter must not make
    # which pages are read depend on the load.
    started = time.thread_time()
    # ... but a busy interpreter must not hold the check for ever either.
    started_wall = time.monotonic()
    for number, page in enumerate(pages):
        if number == MAX_PDF_PAGES:
            return texts, failures, f"at most {MAX_PDF_PAGES} pages are read"
        if characters > MAX_PDF_CHARACTERS:
            return texts, failures, "text too long"
        if number and time.thread_time() - started > PDF_TIME_BUDGET_S:
            return texts, failures, f"reading took over {PDF_TIME_BUDGET_S:g} s of CPU"
        if number and time.monotonic() - started_wall > PDF_WALL_BUDGET_S:
            return texts, failures, f"reading took over {PDF_WALL_BUDGET_S:g} s"
        try:
            texts.append(whole_characters(page.extract_text()))
        except Exception as exc:
            failures.append(exc)
            texts.append("")
        characters += len(texts[-1])
    return texts, failures, None


def _letters(text: str) -> int:
    return sum(1 for char in text if char.isalpha())


def _has_letters(text: str, count: int) -> bool:
    """Whether ``text`` holds at least ``count`` letters (read only that far)."""
    letters = (char for char in text if char.isalpha())
    return sum(1 for _ in islice(letters, count)) == count


def _scanned(page: Any, text: str) -> bool:
    """Whether a page is a picture with no text layer to speak of."""
    return _letters(text) < _MIN_LETTERS_OVER_PICTURE and _has_picture(page)


def _has_picture(owner: Any, depth: int = 2) -> bool:
    """Whether a page (or a form it draws, two levels down) draws an image of a scanned
    page's size."""
    try:
        xobjects = owner["/Resources"]["/XObject"].values()
    except Exception:  # no resources, or a broken dictionary: nothing to go by
        return False
    for reference in xobjects:
        try:
            xobject = reference.get_object()
            subtype = xobject.get("/Subtype")
        except Exception:
            continue
        if subtype == "/Image" and _page_sized(xobject):
            return True
        if subtype == "/Form" and depth and _has_picture(xobject, depth - 1):
            return True
    return False


def _page_sized(image: Any) -> bool:
    try:
        width, height = int(image.get("/Width", 0)), int(image.get("/Height", 0))
    except (TypeError, ValueError):
        return False
    pixels = width * height
    return pixels >= _ANY_SCAN_PIXELS or (pixels >= _SCAN_PIXELS and height >= width)


def _no_text_layer(scanned: int, read: int) -> str:
    if scanned in (0, read):
        return "PDF has no text layer (scanned?)"
    return f"PDF has no text layer on {scanned} of {read} pages (scanned?)"


def _broken(reason: str, pages: int | None = None) -> ExtractedText:
    return ExtractedText("", TextKind.PDF, pages=pages, unreadable=reason)


def _pdf_title(reader: PdfReader) -> str | None:
    try:
        metadata = reader.metadata
        title = metadata.title if metadata is not None else None
    except Exception:
        return None
    if not title:
        return None
    return collapse(whole_characters(str(title))) or None


def _describe(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {message[:120]}" if message else type(exc).__name__
