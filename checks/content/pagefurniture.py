"""A PDF's running headers and footers: the lines repeated at the top or bottom of
most pages (a report's title, its publisher, "Page 3 of 20", "- 3 -").

A PDF's text layer gives them with each page's text, so a sentence that runs over a
page break has them in its middle. They are page furniture, as navigation is on a web
page: the text searched for evidence leaves them out.

A running line is the same on every page but for a page number, which counts up with
the pages. Rows of a table continued over pages also look alike at the page edges,
but their numbers do not count with the pages, so they stay.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence

# How many lines at each end of a page may be running lines.
_EDGE_LINES = 2
# A line is running when it sits at an edge of at least this share of the pages, and
# of at least this many pages.
_SHARE = 0.5
_MIN_PAGES = 3
_NUMBER = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


def without_running_lines(pages: Sequence[str]) -> list[str]:
    """Each page's text without the lines that repeat at the page edges of most pages,
    the same but for a page number."""
    if len(pages) < _MIN_PAGES:
        return list(pages)
    lines = [page.split("\n") for page in pages]
    # Pattern (numbers folded) -> page index -> the numbers the line holds there.
    seen: defaultdict[str, dict[int, tuple[int, ...]]] = defaultdict(dict)
    for index, page_lines in enumerate(lines):
        for line in _edges(page_lines):
            pattern, numbers = _pattern(line)
            if pattern:
                seen[pattern].setdefault(index, numbers)
    needed = max(_MIN_PAGES, _SHARE * len(pages))
    running = {
        pattern
        for pattern, where in seen.items()
        if len(where) >= needed and _counts_pages(where, needed)
    }
    if not running:
        return list(pages)
    return ["\n".join(_trimmed(page_lines, running)) for page_lines in lines]


def _edges(lines: list[str]) -> list[str]:
    filled = [line for line in lines if line.strip()]
    if len(filled) <= 2 * _EDGE_LINES:
        return filled
    return filled[:_EDGE_LINES] + filled[-_EDGE_LINES:]


def _pattern(line: str) -> tuple[str, tuple[int, ...]]:
    text = _SPACES.sub(" ", line.strip().lower())
    return _NUMBER.sub("#", text), tuple(int(n) for n in _NUMBER.findall(text))


def _counts_pages(where: dict[int, tuple[int, ...]], needed: float) -> bool:
    """Whether, on enough pages, each number of the line is either the same on all of
    them or the page's number (its index plus one offset)."""
    if not where:
        return False
    width = len(next(iter(where.values())))
    for position in range(width):
        values = {index: numbers[position] for index, numbers in where.items()}
        if len(set(values.values())) == 1:
            continue  # the same on every page: "of 20", a year in the title
        offsets: defaultdict[int, int] = defaultdict(int)
        for index, value in values.items():
            offsets[value - index] += 1
        if max(offsets.values()) < needed:
            return False
    return True


def _trimmed(lines: list[str], running: set[str]) -> list[str]:
    """``lines`` less the running lines among the first and last few filled ones."""
    filled = [index for index, line in enumerate(lines) if line.strip()]
    edge = set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:])
    return [
        line
        for index, line in enumerate(lines)
        if index not in edge or _pattern(line)[0] not in running
    ]
