"""Compare what documents cite with what the registry knows.

The registry lists every source and every reference; documents are the truth of what
is published. Each disagreement between the two is kept as a record in a
:class:`ScanReport`, which renderers and the gate only read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from monitor.registry.model import Reference, Registry, Source
from monitor.scan.model import (
    Citation,
    DocumentScan,
    FootnoteBinding,
    FootnoteNote,
    FootnoteRef,
    UncitedStatistic,
)
from monitor.scan.urls import normalize_url


@dataclass(frozen=True)
class UnresolvedReference:
    """A registry reference that names a source without a URL, and where it appears."""

    reference: Reference
    line: int | None  # None when its text is not found in the document


@dataclass(frozen=True)
class ScanReport:
    """Disagreements between the scanned documents and the registry."""

    documents: tuple[str, ...]
    sources: tuple[Source, ...]  # every registry source, to index citations by
    citations: tuple[Citation, ...]
    unregistered_links: tuple[Citation, ...]
    uncited_sources: tuple[Source, ...]
    missing_notes: tuple[FootnoteRef, ...]
    unused_notes: tuple[FootnoteNote, ...]  # reported, but harmless to readers
    unresolved_references: tuple[UnresolvedReference, ...]
    uncited_statistics: tuple[UncitedStatistic, ...]
    bindings: tuple[FootnoteBinding, ...]

    @property
    def has_disagreement(self) -> bool:
        """True when documents and registry disagree in a way someone must fix."""
        return bool(
            self.unregistered_links
            or self.uncited_sources
            or self.missing_notes
            or self.unresolved_references
            or self.uncited_statistics
        )

    def citations_by_url(self) -> dict[str, list[Citation]]:
        """Citations grouped by the URL they cite.

        A citation of a registry source is keyed by that source's ``url`` exactly as
        the registry spells it, so ``citations_by_url()[source.url]`` works; any other
        citation is keyed by its normalised URL (see :func:`normalize_url`).
        """
        spelling = {normalize_url(s.url): s.url for s in self.sources}
        grouped: dict[str, list[Citation]] = {}
        for citation in self.citations:
            key = normalize_url(citation.url)
            grouped.setdefault(spelling.get(key, key), []).append(citation)
        return grouped

    def citations_of(self, source: Source) -> list[Citation]:
        """Every place a document cites ``source``."""
        wanted = normalize_url(source.url)
        return [c for c in self.citations if normalize_url(c.url) == wanted]

    def citations_by_source(self) -> dict[str, list[Citation]]:
        """Citations per registry source id; a source no document cites maps to []."""
        # One pass over the citations, not one per source: a large registry cited
        # throughout its documents would otherwise cost sources x citations.
        by_url: dict[str, list[Citation]] = {}
        for citation in self.citations:
            by_url.setdefault(normalize_url(citation.url), []).append(citation)
        return {s.id: list(by_url.get(normalize_url(s.url), ())) for s in self.sources}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form with stable keys."""
        cited = self.citations_by_source()
        return {
            "documents": list(self.documents),
            "has_disagreement": self.has_disagreement,
            "unregistered_links": [_citation(c) for c in self.unregistered_links],
            "uncited_sources": [_source(s) for s in self.uncited_sources],
            "missing_notes": [_ref(r) for r in self.missing_notes],
            "unused_notes": [_note(n) for n in self.unused_notes],
            "unresolved_references": [_reference(u) for u in self.unresolved_references],
            "uncited_statistics": [
                {"document": u.document, "line": u.line, "sentence": u.sentence}
                for u in self.uncited_statistics
            ],
            "footnote_bindings": [
                {
                    "document": b.document,
                    "line": b.line,
                    "label": b.label,
                    "sentence": b.sentence,
                    "urls": list(b.urls),
                }
                for b in self.bindings
            ],
            "sources": [
                {
                    **_source(s),
                    "cited_at": [{"document": c.document, "line": c.line} for c in cited[s.id]],
                }
                for s in self.sources
            ],
            "citations": [_citation(c) for c in self.citations],
        }


def _citation(c: Citation) -> dict[str, Any]:
    return {
        "document": c.document,
        "line": c.line,
        "url": c.url,
        "text": c.text,
        "kind": c.kind.value,
        "footnote": c.footnote,
    }


def _source(s: Source) -> dict[str, Any]:
    return {"id": s.id, "url": s.url, "title": s.title}


def _ref(r: FootnoteRef) -> dict[str, Any]:
    return {"document": r.document, "line": r.line, "label": r.label, "sentence": r.sentence}


def _note(n: FootnoteNote) -> dict[str, Any]:
    return {"document": n.document, "line": n.line, "label": n.label, "urls": list(n.urls)}


def _reference(u: UnresolvedReference) -> dict[str, Any]:
    r = u.reference
    return {"id": r.id, "document": r.document, "text": r.text, "note": r.note, "line": u.line}


def find_line(text: str, phrase: str) -> int | None:
    """The 1-based line where ``phrase`` starts in ``text``, ignoring how it wraps.

    Matching is exact first, then case-insensitive, so "CSEC Fact Sheet" is found
    inside "“CSEC Fact Sheet.”" and across a soft line break.
    """
    words = phrase.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    for flags in (0, re.IGNORECASE):
        match = re.search(pattern, text, flags)
        if match:
            return text.count("\n", 0, match.start()) + 1
    return None


def compare(
    registry: Registry, scans: Sequence[DocumentScan], texts: Mapping[str, str]
) -> ScanReport:
    """Compare scanned documents with ``registry``.

    ``texts`` maps document ids to their Markdown, to place unresolved references on
    a line. Pure: nothing is read or fetched.
    """
    citations = tuple(c for scan in scans for c in scan.citations)
    registered = {normalize_url(s.url) for s in registry.sources}
    cited = {normalize_url(c.url) for c in citations}
    unresolved = tuple(
        UnresolvedReference(
            ref,
            find_line(texts[ref.document], ref.text) if ref.document in texts else None,
        )
        for ref in registry.references
        if ref.source is None
    )
    return ScanReport(
        documents=tuple(scan.document for scan in scans),
        sources=registry.sources,
        citations=citations,
        unregistered_links=tuple(c for c in citations if normalize_url(c.url) not in registered),
        uncited_sources=tuple(s for s in registry.sources if normalize_url(s.url) not in cited),
        missing_notes=tuple(r for scan in scans for r in scan.missing_notes),
        unused_notes=tuple(n for scan in scans for n in scan.unused_notes),
        unresolved_references=unresolved,
        uncited_statistics=tuple(u for scan in scans for u in scan.uncited_statistics),
        bindings=tuple(b for scan in scans for b in scan.bindings()),
    )
