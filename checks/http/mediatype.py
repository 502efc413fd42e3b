"""What kind of document a response holds: its ``Content-Type`` read as browsers read
it, and its first bytes where the label is missing, generic or wrong."""

from __future__ import annotations

import re

PDF_TYPES = frozenset(
    {"application/pdf", "application/x-pdf", "application/acrobat", "text/pdf", "text/x-pdf"}
)
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
PDF = "application/pdf"
HTML = "text/html"

# Labels that name no particular type: the body's own bytes say what it is.
# (binary/octet-stream is what S3 serves for files uploaded without a type.)
_GENERIC = frozenset(
    {
        "application/octet-stream",
        "binary/octet-stream",
        "application/unknown",
        "unknown/unknown",
        "text/plain",
    }
)
# Where PDF readers look for the header: anywhere in the first 1024 bytes.
SNIFF_BYTES = 1024
_PDF_MAGIC = b"%PDF-"
# The opening of an HTML document: the tags of the WHATWG MIME Sniffing standard's
# HTML patterns (and meta), after white space, a byte order mark, an XML declaration
# or comments.
_HTML_START = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*"
    rb"<(?:!doctype\s+html|html|head|body|script|iframe|h1|div|font|table|a|style|title"
    rb"|b|br|p|meta)(?=[\s>/])",
    re.IGNORECASE | re.DOTALL,
)
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_CHARSET = re.compile(r""";\s*charset\s*=\s*("[^"]*"|[^;\s]*)""", re.IGNORECASE)


def media_type(content_type: str | None) -> str | None:
    """``text/html`` from ``text/html; charset=utf-8``: the bare, lower-case type of
    the value that counts (see :func:`effective_content_type`)."""
    value = effective_content_type(content_type)
    if value is None:
        return None
    return value.split(";", 1)[0].strip().lower()


def effective_content_type(content_type: str | None) -> str | None:
    """The one ``Content-Type`` value that counts, with its parameters.

    A response with two ``Content-Type`` headers reaches us joined by a comma
    (``text/html; charset=UTF-8, text/html``). Read as the Fetch standard's "extract a
    MIME type" reads it: values split at commas outside quotes, invalid ones and
    ``*/*`` skipped, the last valid one wins, keeping the charset of an earlier value
    of the same type when it names none itself.
    """
    if not content_type:
        return None
    chosen: str | None = None
    essence: str | None = None
    charset: str | None = None
    for value in _split_values(content_type):
        kind = value.split(";", 1)[0].strip().lower()
        top, slash, sub = kind.partition("/")
        if not (slash and _TOKEN.fullmatch(top) and _TOKEN.fullmatch(sub)) or kind == "*/*":
            continue
        named = _CHARSET.search(value)
        if kind != essence:
            charset = None
        if named is not None:
            charset = named.group(1)
            chosen = value
        elif charset is not None:
            chosen = f"{value}; charset={charset}"
        else:
            chosen = value
        essence = kind
    return chosen


def _split_values(header: str) -> list[str]:
    """A header's comma-separated values, commas inside double quotes kept."""
    if "," not in header:
        return [header.strip()] if header.strip() else []
    values: list[str] = []
    current: list[str] = []
    quoted = escaped = False
    for char in header:
        if escaped:
            escaped = False
        elif quoted and char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            values.append("".join(current).strip())
            current = []
            continue
        current.append(char)
    values.append("".join(current).strip())
    return [value for value in values if value]


def looks_pdf(head: bytes) -> bool:
    """Whether the bytes carry the PDF header where readers look for it."""
    return _PDF_MAGIC in head[:SNIFF_BYTES]


def sniffed_media_type(label: str | None, head: bytes) -> str | None:
    """The type of a body judged by its first bytes as well as its label (``label`` is
    a bare type such as :func:`media_type` gives).

    A body with the PDF header is a PDF under any label but HTML, where the header
    must open the body (a page may quote it). Markup that opens an HTML document is
    HTML when the label names no type, a generic one or a PDF: an error page served
    under the cited file's type is the usual lie. Otherwise the label stands.
    """
    if label in HTML_TYPES:
        return PDF if head.lstrip().startswith(_PDF_MAGIC) else label
    if looks_pdf(head):
        return PDF
    unlabelled = label is None or label in _GENERIC or label in PDF_TYPES
    if unlabelled and _HTML_START.match(head[:SNIFF_BYTES]):
        return HTML
    return label
