"""Decide whether a sentence claims a statistic: a count, an amount or a rate.

A number alone is not a statistic. Dates, years, ages, durations ("48-hour"), clock
times and identifiers ("Section 236.1") are numbers that claim nothing countable, so
each digit group is classified by the words around it and only counts, amounts and
rates are kept. Quantities in words ("hundreds of cases", "one in five", "two-thirds
of victims", "the majority of cases") claim a count or a rate without a digit and are
kept too.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class NumberRole(enum.StrEnum):
    """What a number in prose stands for."""

    COUNT = "count"
    AMOUNT = "amount"
    RATE = "rate"
    DATE = "date"
    YEAR = "year"
    AGE = "age"
    DURATION = "duration"
    TIME = "time"
    IDENTIFIER = "identifier"


STATISTIC_ROLES = frozenset({NumberRole.COUNT, NumberRole.AMOUNT, NumberRole.RATE})

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# A number not glued to a word (so "a0908", "1st" and URL parts are skipped), with an
# optional range such as "10-15" or "12 to 17".
_NUMBER = re.compile(
    rf"(?<![\w.,:\-])(?P<num>{_NUM})(?:(?:\s?[-–]\s?|\s+to\s+)(?:{_NUM}))?(?![\w])"
)
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_RATE_AFTER = re.compile(r"\s?(?:%|percent\b|per\s?cent\b)", re.IGNORECASE)
_AMOUNT_BEFORE = re.compile(r"[$€£¥]\s?$")
_SCALE_AFTER = re.compile(r"\s(?:hundred|thousand|million|billion|trillion)\b", re.IGNORECASE)
_AGE_AFTER = re.compile(r"\s?[-–]?\s?(?:year|month)s?(?:[-–]|\s+)(?:old|of\s+age)\b", re.IGNORECASE)
_DURATION_AFTER = re.compile(
    r"\s?[-–]?\s?(?:second|minute|hour|day|night|week|month|year|decade|centur(?:y|ies))s?\b",
    re.IGNORECASE,
)
_TIME_AFTER = re.compile(r":\d{2}|\s?[ap]\.?m\b\.?", re.IGNORECASE)
_DATE_BEFORE = re.compile(rf"\b{_MONTH}\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?$")
_DATE_AFTER = re.compile(rf"\s+(?:of\s+)?{_MONTH}(?!\w)")
_AGE_BEFORE = re.compile(r"\b(?:age[sd]?|aged)\s+(?:of\s+)?(?:about\s+)?$", re.IGNORECASE)
_IDENTIFIER_BEFORE = re.compile(
    r"(?:\b(?:section|sec|chapter|ch|title|article|art|rule|part|page|pp?|no|nos|number"
    r"|vol|volume|issue|step|phase|grade|level|room|suite|route|highway|item|appendix"
    r"|table|figure|fig|ab|sb|hr|code|case|docket|motion|resolution)\.?|[§#])\s*$",
    re.IGNORECASE,
)
_COUNT_WORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
    r"|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty"
    r"|seventy|eighty|ninety)"
)
_DENOMINATOR = rf"(?:(?:a|one)\s+(?:hundred|thousand)|(?!one\b){_COUNT_WORD})"
# What a share of is a span or a measure, not a count: "half of the year", "a quarter
# of a mile", "the second half of the season", "half the battle". An ordinal or an
# adjective may come between ("the twentieth century").
_SPAN = (
    r"(?:second|minute|hour|day|night|week|month|year|decade|centur(?:y|ies)|time|way"
    r"|season|term|semester|game|match|period|race|distance|length|mile|kilomet(?:er|re)"
    r"|inch|foot|feet|meter|metre|yard|pound|kilo|gallon|liter|litre|cup|battle|story)s?\b"
)
_TIME_UNIT = rf"(?:[a-z]+(?:th|st|nd|rd|ieth)\s+)?{_SPAN}"
# "The first half of...", "the latter half": a part of a sequence, not a share.
_ORDINAL_BEFORE = (
    r"(?<!first\s)(?<!second\s)(?<!third\s)(?<!last\s)(?<!latter\s)(?<!former\s)"
    r"(?<!other\s)(?<!final\s)(?<!opening\s)(?<!closing\s)"
)
_FRACTION = rf"{_ORDINAL_BEFORE}(?:half|(?:a|one|two)[\s-]thirds?|(?:a|one|three)[\s-]quarters?)"
_DETERMINER = r"(?:the|all|an?|its|their|these|those|this|that|our)"
# Quantities written in words. Each needs what makes it a share of something ("of
# victims", "in five"), so "one of the reports", "a third party" and "half an hour"
# stay prose; a share of a time ("half of the year") is a duration.
_QUANTITY_WORDS = (
    # "hundreds of cases"
    re.compile(r"\b(?:hundreds|thousands|millions|billions|dozens)\b", re.IGNORECASE),
    # "one in five", "three out of every four", but not "the first one in ten years"
    re.compile(
        rf"\b{_COUNT_WORD}\s+(?:in|out\s+of)\s+(?:every\s+)?{_DENOMINATOR}\b"
        rf"(?!\s*[-–]?\s*{_TIME_UNIT})",
        re.IGNORECASE,
    ),
    # "two-thirds of victims", "half of all cases", "a quarter of the budget"; the
    # determiner is kept once read ("?+"), else "half of the year" would pass as
    # "half of" + "the".
    re.compile(rf"\b{_FRACTION}\s+of\s+(?:{_DETERMINER}\s+)?+(?!{_TIME_UNIT})\w", re.IGNORECASE),
    # "half the victims"
    re.compile(rf"\bhalf\s+(?:the|all|its|their|these|those)\s+(?!{_TIME_UNIT})\w", re.IGNORECASE),
    # "the majority of victims", "a small minority of cases"
    re.compile(
        r"\b(?:the|a)\s+(?:(?:vast|large|great|overwhelming|clear|slim|narrow|small|tiny"
        r"|significant|substantial)\s+)?(?:majority|minority)\s+of\b",
        re.IGNORECASE,
    ),
)
_CONTEXT = 40


@dataclass(frozen=True)
class NumberMention:
    """A digit group in a sentence and what it stands for."""

    text: str
    start: int
    role: NumberRole


def classify_number(sentence: str, start: int, end: int) -> NumberRole:
    """Classify the number at ``sentence[start:end]`` by the words around it."""
    before = sentence[max(0, start - _CONTEXT) : start]
    after = sentence[end : end + _CONTEXT]
    first = re.match(_NUM, sentence[start:end])
    value = first.group() if first else sentence[start:end]
    if _RATE_AFTER.match(after):
        return NumberRole.RATE
    if _AMOUNT_BEFORE.search(before):
        return NumberRole.AMOUNT
    if _SCALE_AFTER.match(after):
        return NumberRole.COUNT
    if _TIME_AFTER.match(after):
        return NumberRole.TIME
    if _DATE_BEFORE.search(before) or _DATE_AFTER.match(after):
        return NumberRole.DATE
    if _AGE_BEFORE.search(before) or _AGE_AFTER.match(after):
        return NumberRole.AGE
    if _DURATION_AFTER.match(after):
        return NumberRole.DURATION
    if _IDENTIFIER_BEFORE.search(before):
        return NumberRole.IDENTIFIER
    # A four-digit number without a thousands separator in this range reads as a year.
    if re.fullmatch(r"\d{4}", value) and 1800 <= int(value) <= 2100:
        return NumberRole.YEAR
    return NumberRole.COUNT


def numbers_in(sentence: str) -> list[NumberMention]:
    """Every standalone number in ``sentence`` with its role."""
    return [
        NumberMention(m.group(), m.start(), classify_number(sentence, m.start(), m.end()))
        for m in _NUMBER.finditer(sentence)
    ]


def claims_statistic(sentence: str) -> bool:
    """True when ``sentence`` states a count, an amount or a rate."""
    if any(pattern.search(sentence) for pattern in _QUANTITY_WORDS):
        return True
    return any(n.role in STATISTIC_ROLES for n in numbers_in(sentence))
