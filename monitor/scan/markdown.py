"""Scan a Markdown document: citations, footnotes and statistics that cite nothing."""

from __future__ import annotations

import re
from collections.abc import Sequence
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
    for start, end in block.units():
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


def _only_cites(block: Block, start: int, end: int) -> bool:
    """True when ``block.text[start:end]`` holds links and nothing but, e.g. "(<url>)"."""
    links = [link for link in block.links if _overlaps(link, start, end)]
    if not links:
        return False
    rest, cursor = [], start
    for link in links:
        rest.append(block.text[cursor : link.start])
        cursor = link.end
    rest.append(block.text[cursor:end])
    return _CITATION_ONLY_REST.fullmatch("".join(rest)) is not None


def is_citation_only(block: Block) -> bool:
    """True for a paragraph that holds nothing but links, such as ``(<url>)``.

    Such a line cites the block just above it. A table row is a statement of its own,
    never such a line.
    """
    if block.heading or block.footnote or block.table is not None:
        return False
    return _only_cites(block, 0, len(block.text))


def _cited_by_next(units: Sequence[bool]) -> set[int]:
    """Indexes of the units that a citation-only unit right after them cites.

    ``units`` says, for each paragraph or each sentence, whether it only cites.
    Several citation-only units in a row all cite the unit above the first of them.
    """
    cited: set[int] = set()
    for index, only_cites in enumerate(units):
        if not only_cites:
            continue
        target = index - 1
        while target >= 0 and units[target]:
            target -= 1
        if target >= 0:
            cited.add(target)
    return cited


def _cited_blocks(blocks: Sequence[Block]) -> set[int]:
    """Indexes of blocks that a citation-only paragraph cites.

    A paragraph under a table cites the whole table: every one of its rows.
    """
    cited = _cited_by_next([is_citation_only(block) for block in blocks])
    tables = {blocks[index].table for index in cited} - {None}
    return cited | {i for i, block in enumerate(blocks) if block.table in tables}


def _overlaps(link: LinkSpan, start: int, end: int) -> bool:
    return link.start < end and link.end > start


def _uncited_statistics(document: str, parsed: ParsedDocument) -> list[UncitedStatistic]:
    found: list[UncitedStatistic] = []
    cited_blocks = _cited_blocks(parsed.blocks)
    for index, block in enumerate(parsed.blocks):
        # A footnote's own text describes a source; it is not a claim.
        if block.footnote or index in cited_blocks:
            continue
        units = block.units()
        # "95% were abused. (Source: <url>)": a sentence that only cites cites the one
        # before it, as a paragraph that only cites cites the paragraph above.
        cited_units = _cited_by_next([_only_cites(block, start, end) for start, end in units])
        for unit, (start, end) in enumerate(units):
            if unit in cited_units:
                continue
            if any(_overlaps(link, start, end) for link in block.links):
                continue
            if any(start <= m.offset <= end for m in block.markers):
                continue
            if claims_statistic(block.masked[start:end]):
                found.append(
                    UncitedStatistic(document, block.line_at(start), _clean(block.text[start:end]))
                )
    return found
