"""URLs typed as plain text: which are links, and where each one ends."""

from __future__ import annotations

import pytest

from monitor.scan import CitationKind, scan_markdown


def bare_urls(text: str) -> list[str]:
    return [c.url for c in scan_markdown("doc", text).citations]


@pytest.mark.parametrize(
    "text",
    [
        "Read the report at “https://example.org/state-report”.",
        "Read the report at ‘https://example.org/state-report’.",
        "Lire le rapport «https://example.org/state-report».",
        "See https://example.org/state-report… and more.",
        "报告见https://example.org/state-report。",
        "报告（https://example.org/state-report）。",
        "Sources|https://example.org/state-report| and more",
    ],
)
def test_closing_punctuation_around_a_bare_url_is_prose(text: str) -> None:
    assert bare_urls(text) == ["https://example.org/state-report"]


def test_a_bracket_the_url_opens_is_kept() -> None:
    text = "See https://example.org/wiki/Law_(US) and https://example.org/「報告」."
    assert bare_urls(text) == [
        "https://example.org/wiki/Law_(US)",
        "https://example.org/%E3%80%8C%E5%A0%B1%E5%91%8A%E3%80%8D",
    ]


def test_the_trimmed_punctuation_stays_in_the_sentence() -> None:
    scan = scan_markdown("doc", "They said “https://example.org/q” twice.\n")
    (citation,) = scan.citations
    assert citation.text == "https://example.org/q"


def test_words_that_look_like_host_names_are_not_links() -> None:
    text = (
        "Children are sold each year.In addition, many go unreported.\n"
        "\n"
        "Read notes.md, run setup.sh or write to dmh.lacounty.gov today.\n"
    )
    assert scan_markdown("doc", text).citations == ()


def test_schemed_and_www_urls_are_still_links() -> None:
    text = "See www.example.org/page, https://example.org/a and ftp://example.org/f.\n"
    scan = scan_markdown("doc", text)
    assert [(c.url, c.kind, c.text) for c in scan.citations] == [
        ("http://www.example.org/page", CitationKind.BARE, "www.example.org/page"),
        ("https://example.org/a", CitationKind.BARE, "https://example.org/a"),
        ("ftp://example.org/f", CitationKind.BARE, "ftp://example.org/f"),
    ]
