"""Approximate location of a quote in a long text, with bounded work.

Comparing a quote with every window of a 50-page text is quadratic. Instead the
quote's rarest words (in the text) anchor a few candidate windows, and only those are
compared (difflib): character by character for a short quote, where one changed
letter matters, word by word for a long one, where character alignment would cost
too much. A quote whose every word changed is not found, which is right: it is no
longer the quote.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

# Quotes shorter than this are too short for a fuzzy score to mean anything, longer
# ones too costly to align; both are matched exactly only.
MIN_QUOTE = 12
MAX_QUOTE = 5000
MAX_WINDOWS = 24
# Quotes longer than this are compared word by word.
_CHARACTER_LIMIT = 200
_MAX_ANCHORS = 6
_MAX_WORDS = 16
_WORD = re.compile(r"\w{4,}")
_TOKEN = re.compile(r"\S+")
# Shorter common blocks (characters, words) say little about where the quote lines up.
_MIN_CHARACTERS = 3
_MIN_WORDS = 2


@dataclass(frozen=True)
class Approximate:
    """The best window found: its similarity to the quote in [0, 1] and its place."""

    score: float
    start: int
    end: int


def best_match(quote: str, text: str) -> Approximate:
    """The window of ``text`` most like ``quote`` (both folded), among the windows its
    rarest words point at. Score 0 when no word of the quote occurs in the text."""
    length = len(quote)
    none = Approximate(0.0, 0, 0)
    if not MIN_QUOTE <= length <= MAX_QUOTE or not text:
        return none
    by_word = length > _CHARACTER_LIMIT
    quote_tokens = quote.split()
    best = none
    slack = length // 4 + 8
    for start in _candidate_starts(quote, text):
        low = max(0, start - slack)
        window = text[low : min(len(text), start + length + slack)]
        if by_word:
            spans = [token.span() for token in _TOKEN.finditer(window)]
            tokens = [window[a:b] for a, b in spans]
            score, first, last = _partial(quote_tokens, tokens, best.score)
            begin, end = (spans[first][0], spans[last - 1][1]) if last > first else (0, 0)
        else:
            score, begin, end = _partial(quote, window, best.score)
        if score > best.score:
            best = Approximate(score, low + begin, low + end)
            if score >= 1.0:
                break
    return best


def _candidate_starts(quote: str, text: str) -> list[int]:
    """Where the quote would start in ``text`` if it were aligned on one of its rarest
    words, in order of rarity, at most :data:`MAX_WINDOWS`."""
    offsets: dict[str, int] = {}
    for found in _WORD.finditer(quote):
        offsets.setdefault(found.group(), found.start())
    # Long words are the likely rare ones; counting every word of a long quote in a
    # long text would cost more than it saves.
    words = sorted(offsets, key=len, reverse=True)[:_MAX_WORDS]
    counted = sorted((count, -len(word), word) for word in words if (count := text.count(word)))
    starts: dict[int, None] = {}
    granularity = max(1, len(quote) // 8)
    seen_cells: set[int] = set()
    for _, _, word in counted[:_MAX_ANCHORS]:
        position = text.find(word)
        while position != -1 and len(starts) < MAX_WINDOWS:
            start = position - offsets[word]
            cell = start // granularity
            if cell not in seen_cells:
                seen_cells.add(cell)
                starts[start] = None
            position = text.find(word, position + 1)
        if len(starts) >= MAX_WINDOWS:
            break
    return list(starts)


def _partial(quote: Sequence[str], window: Sequence[str], to_beat: float) -> tuple[float, int, int]:
    """Best similarity of ``quote`` to a quote-long slice of ``window`` (characters of
    a string, or words), trying the slices its longest common blocks line up."""
    matcher = SequenceMatcher(None, quote, window, autojunk=False)
    shortest = _MIN_CHARACTERS if isinstance(quote, str) else _MIN_WORDS
    if matcher.quick_ratio() * _upper_bound(len(quote), len(window)) <= to_beat:
        return 0.0, 0, 0
    blocks = sorted(
        (block for block in matcher.get_matching_blocks() if block.size >= shortest),
        key=lambda block: block.size,
        reverse=True,
    )[:4]
    best = (0.0, 0, 0)
    tried: set[int] = set()
    for block in blocks:
        begin = max(0, min(block.b - block.a, len(window) - len(quote)))
        if begin in tried:
            continue
        tried.add(begin)
        piece = window[begin : begin + len(quote)]
        slice_matcher = SequenceMatcher(None, quote, piece, autojunk=False)
        if slice_matcher.quick_ratio() <= best[0]:
            continue
        score = slice_matcher.ratio()
        if score > best[0]:
            best = (score, begin, begin + len(piece))
    return best


def _upper_bound(quote_length: int, window_length: int) -> float:
    # quick_ratio over the whole window understates a slice's ratio (the window is
    # longer than the slice); scale it back up before using it to skip work.
    return (quote_length + window_length) / (2 * quote_length)
