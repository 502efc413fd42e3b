"""Text fragment directives in cited URLs."""

from __future__ import annotations

import pytest

from checks.content.textfragment import TextDirective, fragment_found, text_directives

PAGE = (
    "Recent statistics from the Federal Bureau of Investigations estimate that 100,000 "
    "children are sold for sex each year within the United States.\n"
    "Many victims have been molested \u2014 95% of \u201cteen prostitutes\u201d were victims."
)
BASE = "https://example.org/csec"


def test_directives_are_parsed_and_percent_decoded() -> None:
    url = (
        f"{BASE}#section:~:text=estimate%20that-,100%2C000%20children,each%20year,-within"
        "&text=teen%20prostitutes&other=ignored&text=,broken"
    )
    assert text_directives(url) == (
        TextDirective(
            start="100,000 children", end="each year", prefix="estimate that", suffix="within"
        ),
        TextDirective(start="teen prostitutes"),
    )


@pytest.mark.parametrize(
    "url",
    [BASE, f"{BASE}#anchor", f"{BASE}#:~:other=x", f"{BASE}?q=:~:text=x", f"{BASE}#:~:text="],
)
def test_no_text_directive_means_none(url: str) -> None:
    assert fragment_found(PAGE, url) is None


@pytest.mark.parametrize(
    "fragment",
    [
        "text=100%2C000%20children%20are%20sold",
        "text=CHILDREN%20ARE%20SOLD",  # case-insensitive
        "text=estimate%20that-,100%2C000",  # prefix
        "text=100%2C000,-children%20are",  # suffix
        "text=Recent%20statistics,United%20States",  # start and end
        "text=the%20Federal-,Bureau,each%20year,-within",
        'text=95%25%20of%20%22teen%20prostitutes"',  # straight quotes match curly ones
        "text=molested%20-%2095%25",  # dashes unified
        "text=sold%20for%20sex&text=teen%20prostitutes",  # every directive found
    ],
)
def test_fragment_found(fragment: str) -> None:
    assert fragment_found(PAGE, f"{BASE}#:~:{fragment}") is True


@pytest.mark.parametrize(
    "fragment",
    [
        "text=300%2C000%20children",  # the figure changed
        "text=sold%20for%20sex&text=teen%20runaways",  # one directive of two missing
        "text=wrong%20prefix-,100%2C000",
        "text=100%2C000,-adults",
        "text=United%20States,Recent%20statistics",  # end before start
        "text=sol",  # not on a word boundary ("sold")
        "text=tates",
    ],
)
def test_fragment_not_found(fragment: str) -> None:
    assert fragment_found(PAGE, f"{BASE}#:~:{fragment}") is False
