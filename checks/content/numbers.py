"""Numbers as values, whatever their printed form.

``100,000``, ``100 000``, ``100000``, ``100.000`` and ``100 thousand`` are one value;
``95%``, ``95 %``, ``95 percent`` and ``95 per cent`` another. Each printed number also
keeps its precision (the place of its last printed digit), so a claim may round its
source ("95%" for 95.4 %, "1.5 million" for 1,523,000) but may not be more precise than
it. Everything here works on folded text (see :func:`checks.content.normalise.fold`):
lower case, one space for any whitespace.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, InvalidOperation

# A printed number in folded text. A grouped number uses one separator throughout, in
# groups of exactly three digits, with an optional decimal part that uses the other
# separator. Neither end may touch a letter, a digit or a separator followed by a digit,
# so a number is never found inside a larger one ("100,000" in "1,100,000").
NUMBER = re.compile(
    r"""
    (?<!\w)(?<!\d[.,'])
    (?P<num>
        \d{1,3}(?P<sep>[,.' ])\d{3}(?:(?P=sep)\d{3})*(?:(?!(?P=sep))[.,]\d+)?
      | \d+(?:[.,]\d+)?
    )
    (?![.,']?\d)
    (?:[ ]?(?P<scale>thousand|million|billion|trillion|mln|mn|bn|k)(?!\w))?
    (?:[ ]?(?P<percent>%|percent(?!\w)|per[ ]?cent(?!\w)|pct(?!\w)))?
    """,
    re.VERBOSE,
)
# A comma-grouped number with a footnote marker's digits run into it, as a PDF's text
# layer gives a superscript: "325,00012 children" for 325,000 and note 12. Such a
# string is no well-formed number, so the reading costs nothing elsewhere.
_GLUED_MARKER = re.compile(r"(?<!\w)(?<!\d[.,'])(?P<num>\d{1,3}(?:,\d{3})+)\d{1,3}(?![.,']?\d)")
# Numbers written as words, as style guides want them at the start of a sentence
# ("Ninety-five percent of...") and in ratios ("one in five"): zero to ninety-nine,
# with the scale and percent words a printed number takes.
_UNITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS = (
    "ten", "eleven", "twelve", "thirteen", "fourteen",
    "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)  # fmt: skip
_TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_WORD_VALUES = (
    {word: value for value, word in enumerate(_UNITS)}
    | {word: 10 + value for value, word in enumerate(_TEENS)}
    | {word: 20 + 10 * value for value, word in enumerate(_TENS)}
)
WORD_NUMBER = re.compile(
    rf"""
    (?<![\w-])
    (?:(?P<tens>{"|".join(_TENS)})(?:[- ](?P<unit>{"|".join(_UNITS[1:])}))?
      | (?P<word>{"|".join(_TEENS + _UNITS)}))
    (?![\w-])
    (?:[ ](?P<scale>thousand|million|billion|trillion)(?!\w))?
    (?:[ ]?(?P<percent>%|percent(?!\w)|per[ ]?cent(?!\w)))?
    """,
    re.VERBOSE,
)
_SCALES = {
    "thousand": 3,
    "k": 3,
    "million": 6,
    "mln": 6,
    "mn": 6,
    "billion": 9,
    "bn": 9,
    "trillion": 12,
}
_SIGN = re.compile(r"^[+-]\s?")


@dataclass(frozen=True)
class Number:
    """One reading of a printed number: its value, the power of ten of its last printed
    digit (``exponent``), and whether it was a percentage."""

    value: Decimal
    exponent: int
    percent: bool = False

    @property
    def canonical(self) -> str:
        """One spelling per value: plain digits, a point for decimals, ``%`` if any."""
        digits = format(self.value.normalize(), "f")
        return digits + ("%" if self.percent else "")


@dataclass(frozen=True)
class Found:
    """A number printed in a text, with every value it can be read as."""

    start: int
    end: int
    readings: tuple[Number, ...]


def parse_number(evidence: str) -> tuple[Number, ...] | None:
    """The readings of ``evidence`` (folded) when it is one number and nothing else,
    else None. A leading sign is ignored: texts print ranges and dashes that look like
    minus signs far more often than negative statistics."""
    match = NUMBER.fullmatch(_SIGN.sub("", evidence.strip()))
    if match is None:
        return None
    readings = _readings(match, split_spaces=False)
    return readings or None


def scan(text: str, *, glued_markers: bool = False) -> Iterator[Found]:
    """Every number printed in folded ``text``, left to right. With ``glued_markers``
    (text from a PDF), a grouped number with footnote digits run into it is read
    without them too."""
    found = []
    for match in NUMBER.finditer(text):
        readings = _readings(match, split_spaces=True)
        if readings:
            found.append(Found(match.start(), match.end(), readings))
    if glued_markers:
        for match in _GLUED_MARKER.finditer(text):
            value = Decimal(match.group("num").replace(",", ""))
            found.append(Found(match.start(), match.end(), (Number(value, 0),)))
        found.sort(key=lambda number: number.start)
    yield from found


def scan_words(text: str) -> Iterator[Found]:
    """Every number written in words in folded ``text``, left to right; a bare "one"
    (far more often "no one", "one of") only with a scale or a percent."""
    for match in WORD_NUMBER.finditer(text):
        if match.group("word") == "one" and not (match.group("scale") or match.group("percent")):
            continue
        yield Found(match.start(), match.end(), (_word_reading(match),))


def same(claimed: Number, seen: Number) -> bool:
    """Whether a number seen in a source supports the claimed one.

    A claimed percentage needs a percentage. A more precise source value may be rounded
    (half up) or truncated to the claim's precision; a less precise one must be equal.
    """
    if claimed.percent and not seen.percent:
        return False
    if seen.exponent >= claimed.exponent:
        return seen.value == claimed.value
    quantum = Decimal(1).scaleb(claimed.exponent)
    try:
        return any(
            seen.value.quantize(quantum, rounding=rounding) == claimed.value
            for rounding in (ROUND_HALF_UP, ROUND_DOWN)
        )
    except InvalidOperation:
        return False


def canonicalise(text: str) -> str:
    """``text`` (folded) with every number spelled canonically, by its first reading."""

    def canonical(match: re.Match[str]) -> str:
        readings = _readings(match, split_spaces=False)
        return readings[0].canonical if readings else match.group()

    def in_digits(match: re.Match[str]) -> str:
        return _word_reading(match).canonical

    return WORD_NUMBER.sub(in_digits, NUMBER.sub(canonical, text))


def _word_reading(match: re.Match[str]) -> Number:
    """The value of a number written in words (see :data:`WORD_NUMBER`)."""
    if match.group("tens"):
        value = _WORD_VALUES[match.group("tens")] + _WORD_VALUES.get(match.group("unit") or "", 0)
    else:
        value = _WORD_VALUES[match.group("word")]
    scaled = Decimal(value).scaleb(_SCALES.get(match.group("scale") or "", 0))
    exponent = scaled.as_tuple().exponent
    assert isinstance(exponent, int)  # finite by construction
    return Number(scaled, exponent, match.group("percent") is not None)


def _readings(match: re.Match[str], *, split_spaces: bool) -> tuple[Number, ...]:
    num = match.group("num")
    shift = _SCALES.get(match.group("scale") or "", 0)
    percent = match.group("percent") is not None
    values = [(value, shift) for value in _values(num)]
    if split_spaces and " " in num:
        # A plain space also separates neighbouring table cells ("100 250"): each
        # part is a reading too, the scale word belonging to the last one.
        parts = num.split(" ")
        for index, part in enumerate(parts):
            power = shift if index == len(parts) - 1 else 0
            values.extend((value, power) for value in _values(part))
    readings: list[Number] = []
    for value, power in values:
        scaled = value.scaleb(power)
        exponent = scaled.as_tuple().exponent
        assert isinstance(exponent, int)  # finite by construction
        number = Number(scaled, exponent, percent)
        if number not in readings:
            readings.append(number)
    return tuple(readings)


def _values(num: str) -> list[Decimal]:
    """Values a printed digit string can mean, most likely first."""
    if " " in num:
        num = num.replace(" ", "")
    separators = [char for char in num if not char.isdigit()]
    if not separators:
        return [Decimal(num)]
    kinds = set(separators)
    if len(kinds) == 2:
        # Both kinds: the last is the decimal separator ("1,234.5", "1.234,5").
        decimal = separators[-1]
        if separators.count(decimal) > 1:
            return []
        group = (kinds - {decimal}).pop()
        return [Decimal(num.replace(group, "").replace(decimal, "."))]
    separator = separators[0]
    head, *groups = num.split(separator)
    grouped = 1 <= len(head) <= 3 and all(len(group) == 3 for group in groups)
    whole = Decimal(num.replace(separator, ""))
    if separator == "'" or len(groups) > 1:
        return [whole] if grouped else []
    point = Decimal(num.replace(separator, "."))
    if not grouped:
        return [point]
    # "100,000" is a thousands grouping in the sources we read; "100.000" is one in
    # European sources but could be a decimal with three places, so both.
    return [whole] if separator == "," else [whole, point]
