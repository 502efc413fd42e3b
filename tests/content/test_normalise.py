"""Normalisation for matching."""

from __future__ import annotations

import pytest

from checks.content.normalise import normalise, tidy


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("\ufb01nal \ufb02ow", "final flow"),  # ligatures
        ("\uff11\uff10\uff10", "100"),  # full-width digits
        ("\u201cteen prostitutes\u201d \u2018one\u2019", "\"teen prostitutes\" 'one'"),
        ("friend \u2014 95% \u2013 2013\u20132014 \u2212 5", "friend - 95% - 2013-2014 - 5"),
        ("exploi\u00adtation", "exploitation"),  # soft hyphen
        ("exploi\u00ad\ntation", "exploitation"),  # soft hyphen at a line break
        ("exploi-\ntation", "exploitation"),
        ("exploi\u2010\n  tation", "exploitation"),
        ("Ridley-\nThomas", "ridley-thomas"),  # a capital after the break: a compound
        ("100,\u200b000", "100,000"),  # zero-width space
        ("United States\u2071.", "united states i."),  # footnote marker kept apart
        ("100,000\u00b2 children", "100,000 2 children"),
        ("  Sold\tfor\n\nsex\u00a0each\u2009year\u202f ", "sold for sex each year"),
        ("STRASSE Stra\u00dfe", "strasse strasse"),  # case folding, not lowering
    ],
)
def test_normalise(raw: str, expected: str) -> None:
    assert normalise(raw) == expected


def test_tidy_keeps_case_quotes_and_lines() -> None:
    assert (
        tidy("\u201cOne\u201d \ufb01ne line-\nbreak\nNext")
        == "\u201cOne\u201d fine linebreak\nNext"
    )


def test_hyphen_between_words_on_one_line_is_kept() -> None:
    assert normalise("well-known state-of-the-art") == "well-known state-of-the-art"
