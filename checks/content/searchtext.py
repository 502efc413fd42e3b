"""Extracted text prepared once for searching many claims.

The text is cut into sentences, so that a match can be shown to a person in the
sentence that holds it, and kept in three aligned views joined sentence by sentence:
``display`` (tidied, whitespace collapsed, for showing and for exact matches),
``folded`` (the comparison form) and ``canon`` (folded, every number spelled one way).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from functools import cached_property

from checks.content.normalise import collapse, fold, straighten, tidy
from checks.content.numbers import Found, canonicalise, scan, scan_words

# Longest sentence shown back; longer ones (tables, lists without stops) are cut
# around the match.
MAX_SENTENCE = 300
_STOP = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’)\]]))\s+")
_OPENERS = "\"'“‘(["


class SearchText:
    """A text split into sentences, in display, folded and canonical views.

    ``paragraphs`` says whether each line of the text is a paragraph (HTML and plain
    text) or only a layout line (PDF), where a sentence runs on over line breaks.
    ``glued_markers`` reads footnote digits run into a number apart from it, as a PDF's
    text layer prints superscripts.
    """

    def __init__(self, text: str, *, paragraphs: bool = True, glued_markers: bool = False) -> None:
        self._glued_markers = glued_markers
        self.sentences: tuple[str, ...] = tuple(_sentences(tidy(text), paragraphs))
        self.display, self._display_starts = _joined(self.sentences)
        # Same length as ``display``: offsets carry over.
        self.straight = straighten(self.display)
        self._folded_sentences = tuple(fold(sentence) for sentence in self.sentences)
        self.folded, self._folded_starts = _joined(self._folded_sentences)

    @cached_property
    def numbers(self) -> tuple[Found, ...]:
        """Every number printed in the folded view."""
        return tuple(scan(self.folded, glued_markers=self._glued_markers))

    @cached_property
    def word_numbers(self) -> tuple[Found, ...]:
        """Every number written in words in the folded view (read when the digits
        did not hold a claimed number)."""
        return tuple(scan_words(self.folded))

    @cached_property
    def _canon(self) -> tuple[str, list[int]]:
        return _joined(tuple(canonicalise(sentence) for sentence in self._folded_sentences))

    @property
    def canon(self) -> str:
        """The folded view with numbers spelled canonically."""
        return self._canon[0]

    def sentence(self, view: str, start: int, end: int) -> str:
        """The sentence(s) holding ``[start, end)`` of the named view (``display``,
        ``folded`` or ``canon``), from the display view, cut to about
        :data:`MAX_SENTENCE` characters around the match."""
        starts = {
            "display": self._display_starts,
            "folded": self._folded_starts,
            "canon": self._canon[1],
        }[view]
        text = {"display": self.display, "folded": self.folded, "canon": self.canon}[view]
        if not self.sentences:
            return ""
        first = max(0, bisect_right(starts, start) - 1)
        last = max(first, bisect_right(starts, max(start, end - 1)) - 1)
        shown = " ".join(self.sentences[first : last + 1])
        if len(shown) <= MAX_SENTENCE:
            return shown
        # Views differ in length only by case folding and number spelling: place the
        # match in the display sentence by its relative position.
        view_length = _length(starts, first, len(text))
        ratio = len(self.sentences[first]) / max(1, view_length)
        at = round((start - starts[first]) * ratio)
        width = round((end - start) * ratio)
        return _cut(shown, at, at + width)


def _sentences(text: str, paragraphs: bool) -> Iterator[str]:
    blocks = text.split("\n") if paragraphs else [text]
    for block in blocks:
        begin = 0
        for stop in _STOP.finditer(block):
            following = block[stop.end() : stop.end() + 1]
            if following.isupper() or following.isdigit() or following in _OPENERS:
                sentence = collapse(block[begin : stop.start()])
                if sentence:
                    yield sentence
                begin = stop.end()
        sentence = collapse(block[begin:])
        if sentence:
            yield sentence


def _joined(parts: tuple[str, ...]) -> tuple[str, list[int]]:
    starts: list[int] = []
    at = 0
    for part in parts:
        starts.append(at)
        at += len(part) + 1
    return " ".join(parts), starts


def _length(starts: list[int], index: int, total: int) -> int:
    following = starts[index + 1] - 1 if index + 1 < len(starts) else total
    return following - starts[index]


def _cut(text: str, start: int, end: int) -> str:
    """About :data:`MAX_SENTENCE` characters of ``text`` around ``[start, end)``,
    on word boundaries, with an ellipsis where it was cut."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    room = max(0, MAX_SENTENCE - (end - start))
    left = max(0, start - room // 2)
    right = min(len(text), end + (room - (start - left)))
    left = max(0, min(left, right - MAX_SENTENCE))
    if left > 0:
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < len(text):
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    piece = text[left:right].strip()
    return ("…" if left > 0 else "") + piece + ("…" if right < len(text) else "")
