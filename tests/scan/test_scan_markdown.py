"""Scanning Markdown written for each case."""

from __future__ import annotations

from pathlib import Path

from monitor.scan import CitationKind, scan_file, scan_markdown


def test_inline_autolink_and_bare_urls_are_told_apart() -> None:
    text = (
        "See [the report](https://example.org/report) and <https://example.org/auto>.\n"
        "\n"
        "Also https://example.org/bare, and www.example.net/fuzzy today.\n"
    )
    scan = scan_markdown("doc", text)
    assert [(c.url, c.line, c.kind, c.text) for c in scan.citations] == [
        ("https://example.org/report", 1, CitationKind.INLINE, "the report"),
        ("https://example.org/auto", 1, CitationKind.AUTOLINK, "https://example.org/auto"),
        ("https://example.org/bare", 3, CitationKind.BARE, "https://example.org/bare"),
        ("http://www.example.net/fuzzy", 3, CitationKind.BARE, "www.example.net/fuzzy"),
    ]


def test_link_split_over_lines_is_placed_on_its_url() -> None:
    text = (
        "Intro line.\n"
        "A statement with [a link whose text\n"
        "runs on](https://example.org/split) and more.\n"
        "Then a [second link](\n"
        "https://example.org/next) on its own.\n"
    )
    scan = scan_markdown("doc", text)
    assert [(c.url, c.line, c.text) for c in scan.citations] == [
        ("https://example.org/split", 3, "a link whose text runs on"),
        ("https://example.org/next", 5, "second link"),
    ]


def test_reference_style_link_is_placed_on_its_definition() -> None:
    text = "Read [the study][s] first.\n\n[s]: https://example.org/study\n"
    (citation,) = scan_markdown("doc", text).citations
    assert (citation.url, citation.line, citation.kind) == (
        "https://example.org/study",
        3,
        CitationKind.INLINE,
    )


def test_non_web_links_are_not_citations() -> None:
    text = "Mail <mailto:a@example.org>, see [below](#notes) or [file](other.md).\n"
    assert scan_markdown("doc", text).citations == ()


def test_lines_count_from_one_with_crlf_endings() -> None:
    text = "# Title\r\n\r\nFirst\r\nsecond <https://example.org/x>\r\n"
    (citation,) = scan_markdown("doc", text).citations
    assert citation.line == 4


def test_footnote_marker_without_note_is_missing() -> None:
    text = "Some 40% of cases close early.[^a] Another 12 cases stay open.[^b]\n\n[^a]: Note.\n"
    scan = scan_markdown("doc", text)
    assert [(r.label, r.sentence) for r in scan.missing_notes] == [
        ("b", "Another 12 cases stay open.")
    ]
    assert [r.label for r in scan.footnote_refs] == ["a", "b"]
    assert scan.unused_notes == ()


def test_note_no_marker_uses_is_unused() -> None:
    text = "Plain text.\n\n[^z]: A note about <https://example.org/z>.\n"
    scan = scan_markdown("doc", text)
    assert [(n.label, n.line, n.urls) for n in scan.unused_notes] == [
        ("z", 3, ("https://example.org/z",))
    ]
    assert scan.citations[0].kind is CitationKind.FOOTNOTE_NOTE
    assert scan.citations[0].footnote == "z"


def test_multi_line_footnote_collects_all_its_urls() -> None:
    text = (
        "A claim of 7 cases.[^n]\n"
        "\n"
        "[^n]: First <https://example.org/1>,\n"
        "    then [second](https://example.org/2).\n"
        "\n"
        "    A second paragraph with https://example.org/3 in it.\n"
    )
    scan = scan_markdown("doc", text)
    (note,) = scan.footnote_notes
    assert note.urls == (
        "https://example.org/1",
        "https://example.org/2",
        "https://example.org/3",
    )
    assert [c.line for c in scan.citations] == [3, 4, 6]
    (binding,) = scan.bindings()
    assert (binding.sentence, binding.urls) == ("A claim of 7 cases.", note.urls)


def test_marker_after_the_full_stop_binds_to_the_sentence_before() -> None:
    text = "In 2020 some 500 people moved.[^m] Later, 12 returned.\n\n[^m]: <https://e.org/m>\n"
    scan = scan_markdown("doc", text)
    assert scan.footnote_refs[0].sentence == "In 2020 some 500 people moved."
    assert [u.sentence for u in scan.uncited_statistics] == ["Later, 12 returned."]


def test_uncited_statistics_in_a_wrapped_paragraph_keep_their_line() -> None:
    text = "Opening words here.\nThe county counted\n1,200 cases in total. No numbers here.\n"
    (stat,) = scan_markdown("doc", text).uncited_statistics
    assert (stat.line, stat.sentence) == (2, "The county counted 1,200 cases in total.")


def test_a_linked_sentence_is_cited() -> None:
    text = "About [60%](https://example.org/p) of reports are late. Dozens more are lost.\n"
    scan = scan_markdown("doc", text)
    assert [u.sentence for u in scan.uncited_statistics] == ["Dozens more are lost."]


def test_citation_only_paragraph_cites_only_the_block_just_above() -> None:
    text = (
        "- Item one says 300 cases.\n"
        "- Item two says 40% of them.\n"
        "\n"
        "(<https://example.org/source>)\n"
        "\n"
        "Source: [survey](https://example.org/survey).\n"
    )
    scan = scan_markdown("doc", text)
    assert [(u.line, u.sentence) for u in scan.uncited_statistics] == [
        (1, "Item one says 300 cases.")
    ]


def test_prose_with_a_link_is_not_a_citation_line() -> None:
    text = "We saw 300 cases.\n\nRead more at <https://example.org/more> today.\n"
    scan = scan_markdown("doc", text)
    assert [u.sentence for u in scan.uncited_statistics] == ["We saw 300 cases."]


def test_code_and_footnote_text_are_not_claims() -> None:
    text = (
        "Run `retry 500 times` on the server.\n"
        "\n"
        "## 2,000 children a year\n"
        "\n"
        "A cited claim.[^s]\n"
        "\n"
        "[^s]: Report No. 09-08, 2009, with 250 pages of data.\n"
    )
    scan = scan_markdown("doc", text)
    assert [(u.line, u.sentence) for u in scan.uncited_statistics] == [(3, "2,000 children a year")]


def test_scan_file_reads_utf8(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    path.write_text("“Quoted” — <https://example.org/é>\n", encoding="utf-8")
    scan = scan_file("doc", path)
    assert scan.document == "doc"
    assert scan.citations[0].url == "https://example.org/%C3%A9"


def test_a_source_sentence_cites_the_sentence_before_it() -> None:
    text = (
        "95% of teen victims were abused earlier. (Source: <https://example.org/s1>)\n"
        "\n"
        "40% of cases close early. Source: https://example.org/s2\n"
        "\n"
        "Some 300 cases stay open.\n"
        "Source: [Prevent Abuse Now](https://example.org/s3).\n"
    )
    assert scan_markdown("doc", text).uncited_statistics == ()


def test_a_source_sentence_cites_only_the_sentence_just_before() -> None:
    text = "We saw 300 cases. Another 40% closed. (<https://example.org/s>)\n"
    assert [u.sentence for u in scan_markdown("doc", text).uncited_statistics] == [
        "We saw 300 cases."
    ]
