"""Records produced by scanning a document: citations, footnotes, uncited statistics.

All records are frozen so a scan, once made, can be shared by reports, the gate and
the publisher without anyone changing it on the way.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class CitationKind(enum.StrEnum):
    """How a URL appears in the document."""

    INLINE = "inline"  # [text](url) or a reference-style link
    AUTOLINK = "autolink"  # <url>
    BARE = "bare"  # url typed as plain text
    HTML = "html"  # <a href="url"> in raw HTML
    FOOTNOTE_NOTE = "footnote_note"  # any link inside a footnote definition


@dataclass(frozen=True)
class Citation:
    """One place in a document that points at a URL."""

    document: str
    line: int  # 1-based line of the file holding the URL text
    url: str
    text: str  # the link text as a reader sees it
    kind: CitationKind
    footnote: str | None = None  # label of the footnote definition holding the link


@dataclass(frozen=True)
class FootnoteRef:
    """One use of a footnote marker such as ``[^i]``, with the sentence it backs."""

    document: str
    line: int
    label: str
    sentence: str


@dataclass(frozen=True)
class FootnoteNote:
    """One footnote definition and the URLs it gives."""

    document: str
    line: int
    label: str
    urls: tuple[str, ...]


@dataclass(frozen=True)
class UncitedStatistic:
    """A sentence that claims a count, amount or rate and cites nothing."""

    document: str
    line: int
    sentence: str


@dataclass(frozen=True)
class FootnoteBinding:
    """A statement tied, through its footnote, to the URLs that support it."""

    document: str
    line: int
    label: str
    sentence: str
    urls: tuple[str, ...]


@dataclass(frozen=True)
class DocumentScan:
    """Everything the scanner found in one document."""

    document: str
    citations: tuple[Citation, ...]
    footnote_refs: tuple[FootnoteRef, ...]
    footnote_notes: tuple[FootnoteNote, ...]
    uncited_statistics: tuple[UncitedStatistic, ...]
    missing_notes: tuple[FootnoteRef, ...]  # markers whose label has no definition
    unused_notes: tuple[FootnoteNote, ...]  # definitions no marker uses

    def note(self, label: str) -> FootnoteNote | None:
        """The first definition of ``label``, as CommonMark renderers use it."""
        return next((n for n in self.footnote_notes if n.label == label), None)

    def bindings(self) -> tuple[FootnoteBinding, ...]:
        """Each footnote marker with a definition, bound to that definition's URLs."""
        found: list[FootnoteBinding] = []
        for ref in self.footnote_refs:
            note = self.note(ref.label)
            if note is not None:
                found.append(
                    FootnoteBinding(ref.document, ref.line, ref.label, ref.sentence, note.urls)
                )
        return tuple(found)


def bindings(scan: DocumentScan) -> tuple[FootnoteBinding, ...]:
    """Each footnote marker in ``scan`` bound to the URLs of its note."""
    return scan.bindings()
