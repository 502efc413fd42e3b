"""Scan a Markdown document: citations, footnotes and statistics that cite nothing."""

from __future__ import annotations

import re
from pathlib import Path

from monitor.scan.blocks import Block, LinkSpan, ParsedDocument, parse_document
from monitor.scan.model import (
    Citation,
    CitationKind,
    DocumentScan,
    FootnoteNote,
    FootnoteRef,
    UncitedStatistic,
)
from monitor.scan.sentences import split_sentences
from monitor.scan.statistics import claims_statistic

# What may surround the links of a paragraph that only cites, e.g. "(<url>)" or
# "Source: <url>."
_PUNCTUATION = r"[\s()\[\].,;:–—-]*"
_CITATION_ONLY_REST = re.compile(rf"{_PUNCTUATION}(?:sources?\s*:)?{_PUNCTUATION}", re.IGNORECASE)


def scan_file(document_id: str, path: Path) -> DocumentScan:
    """Read ``path`` as UTF-8 and scan it as Markdown."""
    return scan_markdown(document_id, path.read_text(encoding="utf-8"))


def scan_markdown(document_id: str, text: str) -> DocumentScan:
    """Scan Markdown ``text`` for citations, footnotes and uncited statistics.

    Pure: the same text always yields the same scan, and nothing is fetched.
    """
    parsed = parse_document(text)
    citations = tuple(_citations(document_id, parsed))
    refs = tuple(_footnote_refs(document_id, parsed))
    notes = tuple(_footnote_notes(document_id, parsed))
    defined = {n.label for n in notes}
    used = {r.label for r in refs}
    return DocumentScan(
        document=document_id,
        citations=citations,
        footnote_refs=refs,
        footnote_notes=notes,
        uncited_statistics=tuple(_uncited_statistics(document_id, parsed)),
        missing_notes=tuple(r for r in refs if r.label not in defined),
        unused_notes=tuple(n for n in notes if n.label not in used),
    )


def _citations(document: str, parsed: ParsedDocument) -> list[Citation]:
    return [
        Citation(
            document=document,
            line=link.line,
            url=link.url,
            text=link.text,
            kind=CitationKind.FOOTNOTE_NOTE if block.footnote else link.form,
            footnote=block.footnote,
        )
        for block in parsed.blocks
        for link in block.links
    ]


def _sentence_at(block: Block, offset: int) -> str:
    for start, end in split_sentences(block.text, block.hard_breaks):
        # A marker written after the full stop ("States.[^i]") belongs to that sentence.
        if start <= offset <= end:
            return _clean(block.text[start:end])
    return _clean(block.text)


def _clean(text: str) -> str:
    return " ".join(text.split())


def _footnote_refs(document: str, parsed: ParsedDocument) -> list[FootnoteRef]:
    return [
        FootnoteRef(document, marker.line, marker.label, _sentence_at(block, marker.offset))
        for block in parsed.blocks
        for marker in block.markers
    ]


def _footnote_notes(document: str, parsed: ParsedDocument) -> list[FootnoteNote]:
    notes: list[FootnoteNote] = []
    for definition in parsed.notes:
        urls: list[str] = []
        for block in parsed.blocks:
            if definition.line <= block.first_line <= definition.end_line:
                urls.extend(link.url for link in block.links if link.url not in urls)
        notes.append(FootnoteNote(document, definition.line, definition.label, tuple(urls)))
    return notes


def is_citation_only(block: Block) -> bool:
    """True for a paragraph that holds nothing but links, such as ``(<url>)``.

    Such a line cites the block just above it.
    """
    if not block.links or block.heading or block.footnote:
        return False
    rest, cursor = [], 0
    for link in block.links:
        rest.append(block.text[cursor : link.start])
        cursor = link.end
    rest.append(block.text[cursor:])
    return _CITATION_ONLY_REST.fullmatch("".join(rest)) is not None


def _cited_by_next_block(blocks: tuple[Block, ...]) -> set[int]:
    """Indexes of blocks that a citation-only paragraph right after them cites."""
    cited: set[int] = set()
    for index, block in enumerate(blocks):
        if not is_citation_only(block):
            continue
        # Several citation lines in a row all cite the prose above the first of them.
        target = index - 1
        while target >= 0 and is_citation_only(blocks[target]):
            target -= 1
        if target >= 0:
            cited.add(target)
    return cited


def _overlaps(link: LinkSpan, start: int, end: int) -> bool:
    return link.start < end and link.end > start


def _uncited_statistics(document: str, parsed: ParsedDocument) -> list[UncitedStatistic]:
    found: list[UncitedStatistic] = []
    cited_blocks = _cited_by_next_block(parsed.blocks)
    for index, block in enumerate(parsed.blocks):
        # A footnote's own text describes a source; it is not a claim.
        if block.footnote or index in cited_blocks:
            continue
        for start, end in split_sentences(block.text, block.hard_breaks):
            if any(_overlaps(link, start, end) for link in block.links):
                continue
            if any(start <= m.offset <= end for m in block.markers):
                continue
            if claims_statistic(block.masked[start:end]):
                found.append(
                    UncitedStatistic(document, block.line_at(start), _clean(block.text[start:end]))
                )
    return found
