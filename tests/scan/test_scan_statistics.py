"""Which numbers claim something countable."""

from __future__ import annotations

import pytest

from monitor.scan import NumberRole, claims_statistic, numbers_in


@pytest.mark.parametrize(
    ("sentence", "roles"),
    [
        ("100,000 children are sold", [NumberRole.COUNT]),
        ("95% of them", [NumberRole.RATE]),
        ("from 12 to 17 percent", [NumberRole.RATE]),
        ("between 10-15% of", [NumberRole.RATE]),
        ("it cost $5 million", [NumberRole.AMOUNT]),
        ("2.5 million kids", [NumberRole.COUNT]),
        ("On September 24, 2013, a motion", [NumberRole.DATE, NumberRole.DATE]),
        ("signed 24 September 2013", [NumberRole.DATE, NumberRole.DATE]),
        ("In 2013 the board met", [NumberRole.YEAR]),
        ("has not attained 18 years of age", [NumberRole.AGE]),
        ("an 18-year-old", [NumberRole.AGE]),
        ("youth ages 12 to 17", [NumberRole.AGE]),
        ("a 48-hour protocol", [NumberRole.DURATION]),
        ("within 72 hours", [NumberRole.DURATION]),
        ("at 10:30 am", [NumberRole.TIME]),
        ("under Section 236.1 of the code", [NumberRole.IDENTIFIER]),
        ("report a0908 and the 1st case", []),
    ],
)
def test_numbers_are_classified_by_their_context(sentence: str, roles: list[NumberRole]) -> None:
    assert [n.role for n in numbers_in(sentence)] == roles


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Hundreds of cases of exploited children go unreported.", True),
        ("Thousands more are at risk.", True),
        ("It happened on September 24, 2013.", False),
        ("Persons under 18 years of age are minors.", False),
        ("A 48-hour protocol applies.", False),
        ("One in 5 children is affected.", True),
        ("The hundredth anniversary.", False),
    ],
)
def test_claims_statistic(sentence: str, expected: bool) -> None:
    assert claims_statistic(sentence) is expected
