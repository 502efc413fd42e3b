"""The scanner against the published fact sheet itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.registry.model import Document, Reference, Registry, Settings, Source
from monitor.scan import CitationKind, DocumentScan, compare, scan_file

FACT_SHEET = Path(__file__).resolve().parents[2] / "content" / "csec-fact-sheet.md"

# Every URL the seed cites, with how the Markdown writes it.
EXPECTED_KINDS = {
    "http://www.prevent-abuse-now.com/stats": (CitationKind.AUTOLINK, None),
    "https://oag.ca.gov/human-trafficking": (CitationKind.AUTOLINK, None),
    "http://www.ncadv.org/files/HumanTrafficking.pdf": (CitationKind.AUTOLINK, None),
    (
        "http://www.youthlaw.org/fileadmin/ncyl/youthlaw/publications/"
        "Ending-CSEC-A-Call-for-Multi-System_Collaboration-in-CA.pdf"
    ): (CitationKind.BARE, None),
    "http://www.justice.gov/oig/reports/FBI/a0908/final.pdf": (CitationKind.FOOTNOTE_NOTE, "i"),
    "http://www.sp2.upenn.edu/restes/CSEC_Files/Complete_CSEC_020220.pdf": (
        CitationKind.FOOTNOTE_NOTE,
        "ii",
    ),
}


@pytest.fixture(scope="module")
def text() -> str:
    return FACT_SHEET.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def scan() -> DocumentScan:
    return scan_file("csec-fact-sheet", FACT_SHEET)


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the only occurrence of ``needle``."""
    assert text.count(needle) == 1, needle
    return text[: text.index(needle)].count("\n") + 1


def test_finds_all_six_urls_on_their_lines(scan: DocumentScan, text: str) -> None:
    found = {c.url: c.line for c in scan.citations}
    assert found == {url: line_of(text, url) for url in EXPECTED_KINDS}


def test_each_url_has_the_kind_it_is_written_as(scan: DocumentScan) -> None:
    assert {c.url: (c.kind, c.footnote) for c in scan.citations} == EXPECTED_KINDS


def test_footnotes_bind_statistics_to_their_sources(scan: DocumentScan) -> None:
    bound = {b.label: b for b in scan.bindings()}
    assert set(bound) == {"i", "ii"}
    assert "100,000 children are sold for sex" in bound["i"].sentence
    assert bound["i"].urls == ("http://www.justice.gov/oig/reports/FBI/a0908/final.pdf",)
    assert "300,000 U.S. children are at risk" in bound["ii"].sentence
    assert bound["ii"].urls == (
        "http://www.sp2.upenn.edu/restes/CSEC_Files/Complete_CSEC_020220.pdf",
    )


def test_footnote_markers_and_notes_on_their_lines(scan: DocumentScan, text: str) -> None:
    assert [(r.label, r.line) for r in scan.footnote_refs] == [
        ("i", line_of(text, "[^i].")),
        ("ii", line_of(text, "[^ii].")),
    ]
    assert [(n.label, n.line) for n in scan.footnote_notes] == [
        ("i", line_of(text, "[^i]:")),
        ("ii", line_of(text, "[^ii]:")),
    ]
    assert scan.missing_notes == ()
    assert scan.unused_notes == ()


def test_the_uncited_statistic_is_the_only_one_reported(scan: DocumentScan, text: str) -> None:
    sentence = "Hundreds of cases of exploited children go unreported."
    assert [(u.sentence, u.line) for u in scan.uncited_statistics] == [
        (sentence, line_of(text, sentence))
    ]


def test_parenthesised_link_cites_the_95_percent_statistic(scan: DocumentScan) -> None:
    reported = " ".join(u.sentence for u in scan.uncited_statistics)
    assert "95%" not in reported
    # ...and dates, ages and durations are not statistics.
    for number in ("2013", "18 years", "48-hour"):
        assert number not in reported


def test_registry_of_the_six_sources_agrees_but_for_references(
    scan: DocumentScan, text: str
) -> None:
    registry = Registry(
        path=Path("registry.yaml"),
        settings=Settings(),
        owners=(),
        documents=(Document(id="csec-fact-sheet", path=FACT_SHEET),),
        sources=tuple(Source(id=f"s{i}", url=url) for i, url in enumerate(EXPECTED_KINDS)),
        references=(
            Reference(id="dmh", document="csec-fact-sheet", text="CSEC Fact Sheet"),
            Reference(
                id="tay", document="csec-fact-sheet", text="Transition Age Youth (TAY) webpage"
            ),
        ),
    )
    report = compare(registry, [scan], {"csec-fact-sheet": text})
    assert report.unregistered_links == ()
    assert report.uncited_sources == ()
    assert report.missing_notes == ()
    assert [(u.reference.id, u.line) for u in report.unresolved_references] == [
        ("dmh", line_of(text, "“CSEC Fact Sheet.”")),
        ("tay", line_of(text, "Transition Age Youth (TAY) webpage")),
    ]
    assert len(report.uncited_statistics) == 1
    assert report.has_disagreement
