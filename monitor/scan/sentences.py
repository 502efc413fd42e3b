"""Split prose into sentences, well enough to attach footnotes and find claims.

Precision matters more than coverage here: a wrong split would move a footnote onto
the neighbouring sentence. So a full stop after initials ("U.S.", "L.A.") or a common
abbreviation never ends a sentence, at the price of missing the rare sentence that
really does end with one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Terminal punctuation, any closing quotes or brackets, then whitespace or the end.
_END = re.compile(r"[.!?]+[\"'”’)\]]*(?=\s|$)")
_NEXT_START = re.compile(r"\s+[\"'“‘(\[]*(\w)")
_INITIALS = re.compile(r"(?:^|[\s(\"“])(?:[A-Za-z]\.)+$")
_ABBREVIATIONS = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "vs",
        "etc",
        "no",
        "nos",
        "inc",
        "ltd",
        "jr",
        "sr",
        "co",
        "corp",
        "dept",
        "fig",
        "vol",
        "approx",
        "est",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    }
)


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the '.' at ``dot`` closes an abbreviation rather than a sentence."""
    before = text[: dot + 1]
    if _INITIALS.search(before):
        return True
    word = re.search(r"(\w+)\.$", before)
    return word is not None and word.group(1).lower() in _ABBREVIATIONS


def split_sentences(text: str, breaks: Sequence[int] = ()) -> list[tuple[int, int]]:
    """Return ``(start, end)`` offsets of the sentences in ``text``.

    Offsets exclude surrounding whitespace. ``breaks`` are offsets that always end a
    sentence (hard line breaks, where the author put each statement on its own line).
    """
    cuts: set[int] = {b for b in breaks if 0 < b < len(text)}
    for match in _END.finditer(text):
        end = match.end()
        if end >= len(text):
            continue
        following = _NEXT_START.match(text, end)
        if following is None or not (following[1].isupper() or following[1].isdigit()):
            continue
        if text[match.start()] == "." and _is_abbreviation(text, match.start()):
            continue
        cuts.add(end)
    spans: list[tuple[int, int]] = []
    start = 0
    for cut in [*sorted(cuts), len(text)]:
        s, e = start, cut
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            spans.append((s, e))
        start = cut
    return spans
