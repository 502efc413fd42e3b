"""Text normalisation for matching evidence against extracted text.

Extracted text, PDF text above all, differs from what an author typed in ways that do
not change its meaning: ligatures and compatibility characters, curly quotes, dash
variants, soft hyphens, words hyphenated across line breaks, and whitespace broken
across lines and pages. Two steps undo them: :func:`tidy` keeps the text readable (case,
curly quotes and line breaks stay, so sentences can be quoted back to a person), and
:func:`fold` makes the comparison form. :func:`normalise` does both.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Superscripts and subscripts (footnote markers) would fuse with the word or number
# before them once NFKC turns them into plain characters: "100,000²" -> "100,0002".
_MARKERS = re.compile(r"[\u00b2\u00b3\u00b9\u1d2c-\u1d6a\u1d9b-\u1dbf\u2070-\u209f\u02b0-\u02b8]+")
# A soft hyphen marks where a word may break; it and any line break after it go.
_SURROGATES = re.compile("[\ud800-\udfff]")
_SOFT_HYPHEN = re.compile(r"\u00ad\s*")
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
# A hyphen at the end of a line before a letter; a word split by the layout when a
# letter precedes it too. (Patterns start with a rare character, for speed.)
_LINE_HYPHEN = re.compile(r"[-\u2010][^\S\n]*\n\s*(?=[^\W\d_])")

_QUOTES_AND_DASHES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\ufe58": "-",
        "\ufe63": "-",
        "\uff0d": "-",
    }
)


def whole_characters(text: str) -> str:
    """``text`` with no lone UTF-16 surrogates: a character that a PDF's font map gives
    as two halves (pypdf's reading of many mathematical letters) is joined again, and
    a half alone becomes U+FFFD. UTF-8, and thus every report and the store, cannot
    hold a lone half."""
    if _SURROGATES.search(text) is None:
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def tidy(text: str) -> str:
    """Readable text, fixed up for matching: NFKC (ligatures, wide and compatibility
    characters, no-break and thin spaces), footnote markers kept apart from what they
    follow, soft hyphens and zero-width characters removed, and words hyphenated at a
    line break joined ("exploi-\\ntation" -> "exploitation"; "Ridley-\\nThomas" keeps
    its hyphen because a capital after the break marks a real compound).

    Case, quotes and line breaks are kept.
    """
    text = _MARKERS.sub(_set_apart, text)
    text = unicodedata.normalize("NFKC", text)
    text = _SOFT_HYPHEN.sub("", text)
    text = _INVISIBLE.sub("", text)
    return _LINE_HYPHEN.sub(_join_hyphenated, text)


def straighten(text: str) -> str:
    """Curly quotes to straight ones, every dash and minus to ``-``. Keeps length, so
    offsets into the result are offsets into the input."""
    return text.translate(_QUOTES_AND_DASHES)


def fold(text: str) -> str:
    """The comparison form of tidied text: quotes and dashes straightened, case folded,
    every run of whitespace (line and page breaks included) one space, ends trimmed."""
    return " ".join(straighten(text).casefold().split())


def normalise(text: str) -> str:
    """The form in which two texts are compared: :func:`tidy`, then :func:`fold`."""
    return fold(tidy(text))


def collapse(text: str) -> str:
    """Whitespace runs to one space, ends trimmed; nothing else changes."""
    return " ".join(text.split())


def collapse_lines(chunks: Iterable[str]) -> str:
    """The lines of ``chunks``, each collapsed, empty ones dropped, joined by ``\\n``."""
    lines = (collapse(line) for chunk in chunks for line in chunk.split("\n"))
    return "\n".join(line for line in lines if line)


def _set_apart(match: re.Match[str]) -> str:
    start = match.start()
    glued = start > 0 and not match.string[start - 1].isspace()
    return " " + match.group() if glued else match.group()


def _join_hyphenated(match: re.Match[str]) -> str:
    start = match.start()
    if start == 0 or not match.string[start - 1].isalpha():
        return match.group()
    return "" if match.string[match.end()].islower() else "-"
