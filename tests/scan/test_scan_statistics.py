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
        ("About one in five government pages holds a broken link.", True),
        ("Three out of every four calls go unanswered.", True),
        ("Two-thirds of victims were in foster care.", True),
        ("Two thirds of victims were in foster care.", True),
        ("Half of the victims were boys.", True),
        ("Half the victims were boys.", True),
        ("A quarter of the budget goes to shelters.", True),
        ("Three-quarters of cases close within a year.", True),
        ("The vast majority of victims are girls.", True),
        ("A minority of cases reach court.", True),
        ("One of the reports was late.", False),
        ("The meeting took half an hour.", False),
        ("In the first half of the twentieth century, the town grew.", False),
        ("The second half of the season was better.", False),
        ("Knowing is half the battle.", False),
        ("He walked a quarter of a mile.", False),
        ("A third party runs the hotline.", False),
        ("It ran in the first half of the year.", False),
        ("It took a quarter of an hour.", False),
        ("Half the time nobody answers.", False),
        ("It was the first one in ten years.", False),
        ("The one in the middle is ours.", False),
        ("The majority leader spoke on behalf of the board.", False),
        ("Minority communities are served.", False),
    ],
)
def test_claims_statistic(sentence: str, expected: bool) -> None:
    assert claims_statistic(sentence) is expected
