"""Bodies whose bytes are not in the charset they declare.

A server set up to label every page ``charset=utf-8`` (Apache's ``AddDefaultCharset``,
nginx's ``charset``) serves older pages written in Windows-1252 under that label, and
pages edited over the years mix the two. Read strictly as declared, each accented
letter, no-break space and curly quote becomes U+FFFD, so "4.2\u00a0percent" is no
longer the figure cited and "Página no encontrada" no longer reads as "not found".
Readers see the page through such damage; the monitor reads the bytes that are not
UTF-8 as Windows-1252, as encoding detectors do, and every valid sequence as UTF-8.
"""

from __future__ import annotations

import codecs
import re

from checks.http.mediatype import HTML_TYPES, media_type

# Where a page declares its charset itself: the first bytes, as browsers prescan.
_PRESCAN = 4096
_META_CHARSET = re.compile(rb"""<meta\b[^>]*charset\s*=\s*["']?\s*([-\w.:]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([-\w.:]+)""", re.I)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([-\w.:]+)""", re.I)
_TEXT_TYPES = HTML_TYPES | {"text/plain", "text/xml", "application/xml"}
_ERRORS = "checks.utf-8-else-windows-1252"
# Windows-1252 text in any language it serves has far fewer bytes outside ASCII.
_MAX_STRAY_SHARE = 0.3
# Compressed data (zip, xlsx, PNG) holds a NUL in every 256 bytes or so; text none.
_BYTES_PER_NUL = 1024
# Byte order marks browsers honour, each before any declared charset.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _windows_1252(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return bytes(bad).decode("windows-1252", errors="replace"), exc.end


codecs.register_error(_ERRORS, _windows_1252)


def repair_declared_utf8(body: bytes, content_type: str | None) -> tuple[bytes, str | None]:
    """``body`` and ``content_type`` to read a text body by: unchanged, unless the body
    is declared UTF-8 (by its header, a byte order mark, a meta or XML declaration)
    and holds bytes that are not; then the body re-encoded as valid UTF-8, its stray
    bytes read as Windows-1252, under a content type that says ``charset=utf-8``.

    A multi-byte character cut off at the end (a body capped mid-character) is not a
    stray byte.
    """
    if body.isascii() or media_type(content_type) not in _TEXT_TYPES:
        return body, content_type
    if _declared(body, content_type) != "utf-8" or _valid_utf8(body) or _binary(body):
        return body, content_type
    repaired = body.decode("utf-8", errors=_ERRORS).encode("utf-8")
    return repaired, _with_utf8(content_type)


def bom_codec(body: bytes) -> str | None:
    """The codec a byte order mark at the start of ``body`` names, or None. Browsers
    let it outrank any charset a header or the page declares."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return codec
    return None


def _declared(body: bytes, content_type: str | None) -> str | None:
    """The codec name the body declares, browsers' order: BOM, header, then the page."""
    bom = bom_codec(body)
    if bom is not None:
        return bom
    found = _HEADER_CHARSET.search(content_type or "")
    label = found.group(1) if found else None
    if label is None:
        head = body[:_PRESCAN]
        declared = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
        label = declared.group(1).decode("ascii", "replace") if declared else None
    if label is None:
        return None
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _binary(body: bytes) -> bool:
    """Whether a body is no text at all: it holds NUL bytes throughout (an archive, a
    spreadsheet or an image served under a text label), or more stray bytes than a
    text in a Latin script has letters outside ASCII. Repairing it would cost a call
    for every stray byte and read nothing. A stray NUL or two in a page is no sign."""
    if body.count(b"\x00") > len(body) // _BYTES_PER_NUL:
        return True
    stray = len(body) - len(body.decode("utf-8", "ignore").encode("utf-8"))
    return stray > _MAX_STRAY_SHARE * len(body)


def _valid_utf8(body: bytes) -> bool:
    try:
        codecs.utf_8_decode(body, "strict", False)  # not final: a cut-off tail is fine
    except UnicodeDecodeError:
        return False
    return True


def _with_utf8(content_type: str | None) -> str:
    bare, _, parameters = (content_type or "text/html").partition(";")
    kept = [p for p in parameters.split(";") if p.strip() and "charset" not in p.lower()]
    return "; ".join([bare.strip(), *(p.strip() for p in kept), "charset=utf-8"])
