"""Links written as HTML inside Markdown."""

from __future__ import annotations

from monitor.scan import CitationKind, scan_markdown


def test_inline_html_link_is_a_citation_with_its_text_and_line() -> None:
    text = (
        "Intro.\n"
        'See <a href="https://example.org/county?a=1&amp;b=2">the county\n'
        "page</a> and <a\n"
        "   href='https://example.org/other'>another</a>.\n"
    )
    scan = scan_markdown("doc", text)
    assert [(c.url, c.line, c.kind, c.text) for c in scan.citations] == [
        ("https://example.org/county?a=1&b=2", 2, CitationKind.HTML, "the county page"),
        ("https://example.org/other", 4, CitationKind.HTML, "another"),
    ]


def test_links_in_an_html_block_are_citations_on_their_lines() -> None:
    text = (
        "# Title\n"
        "\n"
        '<div class="sources">\n'
        '  <p>County: <a href="https://example.org/county">the <b>county</b> page</a></p>\n'
        '  <!-- <a href="https://example.org/commented-out">old</a> -->\n'
        "  <script>var u = '<a href=\"https://example.org/script\">x</a>';</script>\n"
        '  <p><a href="https://example.org/étude">Étude</a></p>\n'
        "</div>\n"
    )
    scan = scan_markdown("doc", text)
    assert [(c.url, c.line, c.kind, c.text) for c in scan.citations] == [
        ("https://example.org/county", 4, CitationKind.HTML, "the county page"),
        ("https://example.org/%C3%A9tude", 7, CitationKind.HTML, "Étude"),
    ]


def test_html_links_to_other_schemes_are_not_citations() -> None:
    text = (
        'Write <a href="mailto:a@example.org">to us</a> or see <a href="#notes">notes</a>,\n'
        '<a href="other.md">other</a> and <a name="here">here</a>.\n'
        "\n"
        '<p><a href="javascript:void(0)">x</a> <a href="tel:+15550100">call</a></p>\n'
    )
    assert scan_markdown("doc", text).citations == ()


def test_an_html_link_cites_its_sentence_and_a_source_line_cites_the_claim_above() -> None:
    text = (
        'About 40% of cases close, as <a href="https://example.org/a">a study</a> found.\n'
        "\n"
        "Some 300 cases stay open.\n"
        "\n"
        '<p>Source: <a href="https://example.org/b">county data</a></p>\n'
    )
    assert scan_markdown("doc", text).uncited_statistics == ()


def test_html_links_in_a_footnote_belong_to_its_note() -> None:
    text = 'A claim of 7 cases.[^n]\n\n[^n]: See <a href="https://example.org/n">the report</a>.\n'
    scan = scan_markdown("doc", text)
    (note,) = scan.footnote_notes
    assert note.urls == ("https://example.org/n",)
    assert scan.citations[0].kind is CitationKind.FOOTNOTE_NOTE


def test_an_unknown_marked_section_is_read_past_as_a_browser_does() -> None:
    # "<![foo[" stopped the standard parser with an exception, and with it every scan,
    # check and publish of the document. A browser reads it as a comment up to the next
    # ">", and so does the scan now.
    text = (
        "# Title\n"
        "\n"
        '<div><![foo[ pasted ]> <a href="https://example.org/a">A</a>\n'
        '<![baz[ <a href="https://example.org/hidden">hidden</a> as in a browser\n'
        "</div>\n"
        "\n"
        'Then <![bar[ <a href="https://example.org/b">B</a>.\n'
    )
    scan = scan_markdown("doc", text)
    assert [(c.url, c.line, c.text) for c in scan.citations] == [
        ("https://example.org/a", 3, "A"),
        ("https://example.org/b", 7, "B"),
    ]
