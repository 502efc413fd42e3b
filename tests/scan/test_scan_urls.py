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
