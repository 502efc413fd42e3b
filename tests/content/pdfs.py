"""PDFs made on the fly with fpdf2, shaped like the documents the monitor reads."""

from __future__ import annotations

import io

from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader, PdfWriter


def text_pdf(*pages: str, width: float = 0, title: str | None = None) -> bytes:
    """One page per string. Explicit line breaks in a string stay line breaks in the
    PDF; ``width`` (mm, 0 = full width) narrows the column so fpdf2 wraps lines."""
    pdf = FPDF()
    if title:
        pdf.set_title(title)
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(width, 6, text)
    return bytes(pdf.output())


def drawing_pdf() -> bytes:
    """A page with a filled rectangle and nothing to read."""
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 120, 60, style="F")
    return bytes(pdf.output())


def image_pdf() -> bytes:
    """A page holding only a picture, as a scanner makes it."""
    picture = Image.new("L", (200, 100), color=255)
    for x in range(20, 180):
        picture.putpixel((x, 50), 0)
    pdf = FPDF()
    pdf.add_page()
    pdf.image(picture, x=10, y=10, w=150)
    return bytes(pdf.output())


def scanned_pdf(
    *pages: str | None, stamp: str = "", picture_px: tuple[int, int] = (1275, 1650)
) -> bytes:
    """One page per item: a string is a typed page; None is a scanned page, a picture
    (by default a letter page at 150 dpi) with ``stamp`` typed over it (as a court's
    filing system stamps every page)."""
    picture = Image.new("L", picture_px, color=255)
    pdf = FPDF()
    pdf.set_font("Helvetica", size=9)
    for number, text in enumerate(pages, start=1):
        pdf.add_page()
        if text is None:
            pdf.image(picture, x=10, y=20, w=180)
            pdf.cell(0, 6, stamp.format(page=number, pages=len(pages)))
        else:
            pdf.multi_cell(0, 6, text)
    return bytes(pdf.output())


def encrypted(body: bytes, user_password: str) -> bytes:
    """``body`` encrypted (AES-256) with an owner password and ``user_password``."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(body)))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def illustrated_pdf(*pages: str, picture_px: tuple[int, int] = (600, 400)) -> bytes:
    """One page per string, each with a picture under a line of typed text: a slide
    with its chart, a cover with its photograph."""
    picture = Image.new("RGB", picture_px, color=(20, 60, 140))
    pdf = FPDF(orientation="L")
    pdf.set_font("Helvetica", size=20)
    for text in pages:
        pdf.add_page()
        pdf.cell(0, 12, text, new_x="LMARGIN", new_y="NEXT")
        pdf.image(picture, x=60, y=40, w=160)
    return bytes(pdf.output())


def split_glyph_pdf(halves: tuple[str, ...], text: str) -> bytes:
    """A page whose font's ToUnicode map gives codes 1, 2, ... one UTF-16 half each (as
    mathematical letters are often mapped), showing those codes and then ``text``."""
    pairs = "".join(f"<{code:02X}> <{half}>\n" for code, half in enumerate(halves, 1))
    cmap = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CMapName /Split def 1 begincodespacerange <00> <FF> endcodespacerange\n"
        f"{len(halves)} beginbfchar\n{pairs}endbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end\n"
    ).encode("ascii")
    codes = "".join(f"{code:02X}" for code in range(1, len(halves) + 1))
    content = f"BT /F1 12 Tf 72 700 Td <{codes}> Tj ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding"
        b" /ToUnicode 6 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1))
    out.write(b"startxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()
