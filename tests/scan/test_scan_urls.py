"""URL normalisation used to compare documents with the registry."""

from __future__ import annotations

import random
import string

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


def test_urls_markdown_it_would_not_change_are_kept_as_they_are() -> None:
    # normalize_url skips markdown-it's encoding when it would change nothing: checked
    # against the encoding itself over random URLs of the characters it leaves alone.
    from markdown_it.common.normalize_url import normalizeLink

    safe = string.ascii_letters + string.digits + ";/?:@&=+$,-_.!~*'()#"
    hosts = ["example.org", "127.0.0.1:8080", "Sub.Example.COM", "[::1]:81", "u:p@h.org"]
    rng = random.Random(7)
    for _ in range(3000):
        tail = "".join(rng.choice(safe) for _ in range(rng.randint(0, 30)))
        url = f"{rng.choice(['http', 'https', 'HTTP'])}://{rng.choice(hosts)}/{tail}"
        normal = normalize_url(url)
        assert normalizeLink(normal) == normal
