"""URL normalisation used to compare documents with the registry."""

from __future__ import annotations

import pytest

from monitor.scan import normalize_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://WWW.Example.COM/Path.", "http://www.example.com/Path"),
        ("https://example.org/a),", "https://example.org/a"),
        ("https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo_(bar)"),
        ("https://x.org", "https://x.org/"),
        ("http://x.org:80/a?b=1#F", "http://x.org/a?b=1#F"),
        ("http://x.org:8080/a", "http://x.org:8080/a"),
        ("mailto:a@b.org", "mailto:a@b.org"),
    ],
)
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


def test_http_and_https_stay_different() -> None:
    assert normalize_url("http://x.org/a") != normalize_url("https://x.org/a")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a”.", "https://example.org/a"),
        ("https://example.org/a’", "https://example.org/a"),
        ("https://example.org/a»", "https://example.org/a"),
        ("https://example.org/a…", "https://example.org/a"),
        ("https://example.org/a。", "https://example.org/a"),
        ("https://example.org/a|", "https://example.org/a"),
        ("https://example.org/a」", "https://example.org/a"),
        ("https://example.org/「a」", "https://example.org/%E3%80%8Ca%E3%80%8D"),
        ("https://example.org/a]", "https://example.org/a"),
    ],
)
def test_prose_punctuation_after_a_url_is_not_part_of_it(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


@pytest.mark.parametrize(
    "spellings",
    [
        (
            "https://bücher.example/studie",
            "https://BÜCHER.example/studie",
            "https://xn--bcher-kva.example/studie",
        ),
        (
            "https://example.org/étude.pdf",
            "https://example.org/%C3%A9tude.pdf",
            "https://example.org/%c3%a9tude.pdf",
        ),
        ("https://example.org/x?a[]=1", "https://example.org/x?a%5B%5D=1"),
        ("https://example.org/~user/a b", "https://example.org/%7Euser/a%20b"),
    ],
)
def test_spellings_of_one_url_compare_equal(spellings: tuple[str, ...]) -> None:
    assert len({normalize_url(url) for url in spellings}) == 1


def test_escaped_reserved_characters_keep_their_meaning() -> None:
    assert normalize_url("https://example.org/a%2Fb") != normalize_url("https://example.org/a/b")
    assert normalize_url("https://example.org/?q=a%26b") != normalize_url(
        "https://example.org/?q=a&b"
    )
