"""Document scanning: find citations, footnotes and uncited statistics in Markdown,
and compare them with the registry."""

from monitor.scan.compare import ScanReport, UnresolvedReference, compare, find_line
from monitor.scan.markdown import is_citation_only, scan_file, scan_markdown
from monitor.scan.model import (
    Citation,
    CitationKind,
    DocumentScan,
    FootnoteBinding,
    FootnoteNote,
    FootnoteRef,
    UncitedStatistic,
    bindings,
)
from monitor.scan.statistics import NumberRole, claims_statistic, numbers_in
from monitor.scan.urls import normalize_url

__all__ = [
    "Citation",
    "CitationKind",
    "DocumentScan",
    "FootnoteBinding",
    "FootnoteNote",
    "FootnoteRef",
    "NumberRole",
    "ScanReport",
    "UncitedStatistic",
    "UnresolvedReference",
    "bindings",
    "claims_statistic",
    "compare",
    "find_line",
    "is_citation_only",
    "normalize_url",
    "numbers_in",
    "scan_file",
    "scan_markdown",
]
