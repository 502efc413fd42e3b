"""Comparing scanned documents with a registry built by hand."""

from __future__ import annotations

import json
from pathlib import Path

from monitor.registry.model import Document, Reference, Registry, Settings, Source
from monitor.scan import CitationKind, ScanReport, compare, find_line, scan_markdown

DOC = "fact"
TEXT = (
    "# Facts\n"
    "\n"
    "About 40% of cases are cited.[^a] See also\n"
    "<HTTPS://Example.ORG/listed> and https://example.org/unlisted.\n"
    "\n"
    "Some 300 cases stay open.\n"
    "\n"
    "Details are on the Youth Services\n"
    "webpage, and on the “Annual Review.”\n"
    "\n"
    "[^a]: Study at <http://example.org/study>.\n"
)


def registry(*sources: Source, references: tuple[Reference, ...] = ()) -> Registry:
    return Registry(
        path=Path("registry.yaml"),
        settings=Settings(),
        owners=(),
        documents=(Document(id=DOC, path=Path("fact.md")),),
        sources=sources,
        references=references,
    )


LISTED = Source(id="listed", url="https://example.org/listed")
# The document cites this over http; https is a different URL.
STUDY_HTTPS = Source(id="study-https", url="https://example.org/study")
STUDY = Source(id="study", url="http://example.org/study")
WEBPAGE = Reference(id="youth", document=DOC, text="Youth Services webpage")
REVIEW = Reference(id="review", document=DOC, text="Annual Review", source="listed")
ABSENT = Reference(id="absent", document=DOC, text="Nowhere in the text")


def report(reg: Registry) -> ScanReport:
    return compare(reg, [scan_markdown(DOC, TEXT)], {DOC: TEXT})


def test_links_missing_from_the_registry_are_reported() -> None:
    found = report(registry(LISTED, STUDY_HTTPS))
    assert [(c.url, c.line, c.kind) for c in found.unregistered_links] == [
        ("https://example.org/unlisted", 4, CitationKind.BARE),
        ("http://example.org/study", 11, CitationKind.FOOTNOTE_NOTE),
    ]
    assert found.has_disagreement


def test_sources_no_document_cites_are_reported() -> None:
    found = report(registry(LISTED, STUDY, STUDY_HTTPS))
    assert found.uncited_sources == (STUDY_HTTPS,)


def test_references_without_a_source_are_placed_on_their_line() -> None:
    found = report(registry(LISTED, references=(WEBPAGE, REVIEW, ABSENT)))
    assert [(u.reference.id, u.line) for u in found.unresolved_references] == [
        ("youth", 8),
        ("absent", None),
    ]


def test_reference_in_an_unscanned_document_has_no_line() -> None:
    other = Reference(id="other", document="elsewhere", text="Youth Services webpage")
    found = report(registry(references=(other,)))
    assert [(u.reference.id, u.line) for u in found.unresolved_references] == [("other", None)]


def test_agreement_when_everything_is_registered() -> None:
    text = "Facts with a [source](https://example.org/a).\n\nMore at <https://example.org/b>.\n"
    sources = (
        Source(id="a", url="https://example.org/a"),
        Source(id="b", url="https://EXAMPLE.org/b"),
    )
    found = compare(registry(*sources), [scan_markdown(DOC, text)], {DOC: text})
    assert not found.has_disagreement
    assert found.citations_by_source() == {
        "a": [found.citations[0]],
        "b": [found.citations[1]],
    }


def test_each_kind_of_disagreement_alone_is_a_disagreement() -> None:
    text = "Plain words.\n"
    scan = scan_markdown(DOC, text)
    assert not compare(registry(), [scan], {DOC: text}).has_disagreement
    assert compare(registry(LISTED), [scan], {DOC: text}).has_disagreement
    assert compare(registry(references=(ABSENT,)), [scan], {DOC: text}).has_disagreement
    counted = "We counted 12 cases.\n"
    assert compare(registry(), [scan_markdown(DOC, counted)], {}).has_disagreement
    missing = "Cited.[^x]\n"
    assert compare(registry(), [scan_markdown(DOC, missing)], {}).has_disagreement


def test_citations_by_url_uses_the_registry_spelling() -> None:
    found = report(registry(LISTED, STUDY))
    by_url = found.citations_by_url()
    assert [c.line for c in by_url[LISTED.url]] == [4]
    assert [c.line for c in by_url[STUDY.url]] == [11]
    assert [c.line for c in by_url["https://example.org/unlisted"]] == [4]


def test_to_dict_is_json_ready_with_stable_keys() -> None:
    found = report(registry(LISTED, STUDY_HTTPS, references=(WEBPAGE,)))
    data = json.loads(json.dumps(found.to_dict()))
    assert list(data) == [
        "documents",
        "has_disagreement",
        "unregistered_links",
        "uncited_sources",
        "missing_notes",
        "unused_notes",
        "unresolved_references",
        "uncited_statistics",
        "footnote_bindings",
        "sources",
        "citations",
    ]
    assert data["has_disagreement"] is True
    assert data["uncited_sources"] == [
        {"id": "study-https", "url": "https://example.org/study", "title": None}
    ]
    assert data["unresolved_references"] == [
        {
            "id": "youth",
            "document": DOC,
            "text": "Youth Services webpage",
            "note": None,
            "line": 8,
        }
    ]
    assert data["uncited_statistics"] == [
        {"document": DOC, "line": 6, "sentence": "Some 300 cases stay open."}
    ]
    assert data["footnote_bindings"][0]["urls"] == ["http://example.org/study"]
    assert data["sources"][0]["cited_at"] == [{"document": DOC, "line": 4}]
    assert data["unregistered_links"][0]["kind"] == "bare"


def test_find_line_ignores_wrapping_then_case() -> None:
    text = "one\ntwo Youth\nServices here\nFACT SHEET\n"
    assert find_line(text, "Youth Services") == 2
    assert find_line(text, "Fact Sheet") == 4
    assert find_line(text, "absent") is None
    assert find_line(text, "  ") is None


def test_urls_outside_ascii_match_however_each_side_spells_them() -> None:
    text = (
        "Read the “State report” at “https://example.org/state-report”.\n"
        "\n"
        "The German study is at [Bücher](https://bücher.example/studie), the French one\n"
        "at <https://example.org/%C3%A9tude.pdf> and the tables at\n"
        "[data](https://example.org/data?year[]=2013).\n"
    )
    sources = (
        Source(id="state", url="https://example.org/state-report"),
        Source(id="german", url="https://xn--bcher-kva.example/studie"),
        Source(id="french", url="https://example.org/étude.pdf"),
        Source(id="data", url="https://example.org/data?year%5B%5D=2013"),
    )
    found = compare(registry(*sources), [scan_markdown(DOC, text)], {DOC: text})
    assert found.unregistered_links == ()
    assert found.uncited_sources == ()
    assert {s: [c.line for c in cs] for s, cs in found.citations_by_source().items()} == {
        "state": [1],
        "german": [3],
        "french": [4],
        "data": [5],
    }
