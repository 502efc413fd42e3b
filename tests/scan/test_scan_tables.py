"""GitHub-style tables: each row is one statement."""

from __future__ import annotations

from monitor.scan import CitationKind, scan_markdown

TABLE = (
    "Intro.\n"
    "\n"
    "| Measure | Value | Source |\n"
    "|---|---|---|\n"
    "| Children sold per year | 100,000 | [FBI](https://example.org/fbi.pdf) |\n"
    "| Children at risk | 300,000 | |\n"
    "| Teen victims abused earlier | 95% | see note[^n] |\n"
    "| ~~Old estimate~~ | ~~2,000~~ | |\n"
    "\n"
    "[^n]: <https://example.org/note>\n"
)


def test_each_row_is_cited_or_not_on_its_own() -> None:
    scan = scan_markdown("doc", TABLE)
    assert [(u.line, u.sentence) for u in scan.uncited_statistics] == [
        (6, "Children at risk | 300,000"),
        (8, "Old estimate | 2,000"),
    ]


def test_links_and_markers_in_cells_keep_their_lines() -> None:
    scan = scan_markdown("doc", TABLE)
    assert [(c.url, c.line, c.kind) for c in scan.citations] == [
        ("https://example.org/fbi.pdf", 5, CitationKind.INLINE),
        ("https://example.org/note", 10, CitationKind.FOOTNOTE_NOTE),
    ]
    (ref,) = scan.footnote_refs
    assert (ref.line, ref.sentence) == (7, "Teen victims abused earlier | 95% | see note")


def test_bare_urls_end_at_the_cell() -> None:
    text = "|Source|Link|\n|---|---|\n|FBI|https://example.org/fbi.pdf|\n"
    (citation,) = scan_markdown("doc", text).citations
    assert (citation.url, citation.line) == ("https://example.org/fbi.pdf", 3)


def test_a_source_line_under_a_table_cites_every_row() -> None:
    text = (
        "| Measure | Value |\n"
        "|---|---|\n"
        "| Sold per year | 100,000 |\n"
        "| At risk | 300,000 |\n"
        "\n"
        "Source: <https://example.org/table>\n"
    )
    assert scan_markdown("doc", text).uncited_statistics == ()


def test_a_row_with_only_a_link_cites_no_other_row() -> None:
    text = (
        "| Measure | Value |\n|---|---|\n| At risk | 300,000 |\n| | <https://example.org/row> |\n"
    )
    assert [u.line for u in scan_markdown("doc", text).uncited_statistics] == [3]
