"""A PDF's running headers and footers: the lines repeated at the top or bottom of
most pages (a report's title, its publisher, "Page 3 of 20", "- 3 -").

A PDF's text layer gives them with each page's text, so a sentence that runs over a
page break has them in its middle. They are page furniture, as navigation is on a web
page: the text searched for evidence leaves them out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

# How many lines at each end of a page may be running lines.
_EDGE_LINES = 2
# A line is running when it sits at an edge of at least this share of the pages, and
# of at least this many pages.
_SHARE = 0.5
_MIN_PAGES = 3
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


def without_running_lines(pages: Sequence[str]) -> list[str]:
    """Each page's text without the lines that repeat at the page edges of most pages
    (numbers in them may differ: page numbers, dates)."""
    if len(pages) < _MIN_PAGES:
        return list(pages)
    lines = [page.split("\n") for page in pages]
    seen: Counter[str] = Counter()
    for page_lines in lines:
        seen.update({_key(line) for line in _edges(page_lines)} - {""})
    needed = max(_MIN_PAGES, _SHARE * len(pages))
    running = {key for key, pages_with_it in seen.items() if pages_with_it >= needed}
    if not running:
        return list(pages)
    return ["\n".join(_trimmed(page_lines, running)) for page_lines in lines]


def _edges(lines: list[str]) -> list[str]:
    filled = [line for line in lines if line.strip()]
    if len(filled) <= 2 * _EDGE_LINES:
        return filled
    return filled[:_EDGE_LINES] + filled[-_EDGE_LINES:]


def _key(line: str) -> str:
    return _SPACES.sub(" ", _DIGITS.sub("#", line.strip().lower()))


def _trimmed(lines: list[str], running: set[str]) -> list[str]:
    """``lines`` less the running lines among the first and last few filled ones."""
    filled = [index for index, line in enumerate(lines) if line.strip()]
    edge = set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:])
    return [
        line for index, line in enumerate(lines) if index not in edge or _key(line) not in running
    ]
