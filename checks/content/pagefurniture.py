"""A PDF's running headers and footers: the lines repeated at the top or bottom of
most pages (a report's title, its publisher, "Page 3 of 20", "- 3 -").

A PDF's text layer gives them with each page's text, so a sentence that runs over a
page break has them in its middle. They are page furniture, as navigation is on a web
page: the text searched for evidence leaves them out.

A running line is the same on every page but for its numbers, each of which is the
same on every page ("of 20", a year), counts with the pages ("Page 3"), or goes up by
one from page to page and starts again at 1 (exhibits of a court filing, chapters).
Rows of a table continued over pages also look alike at the page edges, but their
numbers do none of these, so they stay; so does a number alone at a page's edge
that is not the page's number.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

# How many lines at each end of a page may be running lines.
_EDGE_LINES = 2
# A line is running when it sits at an edge of at least this share of the pages, and
# of at least this many pages.
_SHARE = 0.5
_MIN_PAGES = 3
_NUMBER = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")

Numbers = tuple[int, ...]


def without_running_lines(pages: Sequence[str]) -> list[str]:
    """Each page's text without the lines that repeat at the page edges of most pages,
    the same but for page numbers."""
    if len(pages) < _MIN_PAGES:
        return list(pages)
    lines = [page.split("\n") for page in pages]
    # Pattern (numbers folded) -> page index -> the numbers of each edge line there.
    seen: defaultdict[str, defaultdict[int, list[Numbers]]] = defaultdict(lambda: defaultdict(list))
    for index, page_lines in enumerate(lines):
        for line in _edges(page_lines):
            pattern, numbers = _pattern(line)
            if pattern:
                seen[pattern][index].append(numbers)
    needed = max(_MIN_PAGES, _SHARE * len(pages))
    running: dict[str, dict[int, Numbers]] = {}
    for pattern, where in seen.items():
        if len(where) >= needed:
            fitting = _fitting(where, needed)
            if len(fitting) >= needed:
                running[pattern] = fitting
    if not running:
        return list(pages)
    return [
        "\n".join(_trimmed(page_lines, index, running)) for index, page_lines in enumerate(lines)
    ]


def _edges(lines: list[str]) -> list[str]:
    filled = [line for line in lines if line.strip()]
    if len(filled) <= 2 * _EDGE_LINES:
        return filled
    return filled[:_EDGE_LINES] + filled[-_EDGE_LINES:]


def _pattern(line: str) -> tuple[str, Numbers]:
    text = _SPACES.sub(" ", line.strip().lower())
    return _NUMBER.sub("#", text), tuple(int(n) for n in _NUMBER.findall(text))


def _fitting(where: dict[int, list[Numbers]], needed: float) -> dict[int, Numbers]:
    """For each page, the numbers of the line that fits the running pattern there (see
    the module's description); pages where none fits are left out."""
    width = len(next(iter(where.values()))[0])
    rules = [_rule(where, position, needed) for position in range(width)]
    checked = [rule for rule in rules if rule is not None]
    if len(checked) < width:
        return {}
    fitting: dict[int, Numbers] = {}
    for index in sorted(where):
        previous = fitting.get(index - 1)
        for numbers in where[index]:
            if all(
                rule(index, numbers[position], previous, position)
                for position, rule in enumerate(checked)
            ):
                fitting[index] = numbers
                break
    return fitting


# Whether a value fits on a page: (page index, value, the numbers fitting on the page
# before it, the value's position).
Rule = Callable[[int, int, Numbers | None, int], bool]


def _rule(where: dict[int, list[Numbers]], position: int, needed: float) -> Rule | None:
    """How the number at ``position`` follows the pages, or None if it does not."""
    first = {index: numbers[0][position] for index, numbers in where.items()}
    constant, count = Counter(first.values()).most_common(1)[0]
    if count >= needed:
        return lambda index, value, previous, at: value == constant
    offset, count = Counter(value - index for index, value in first.items()).most_common(1)[0]
    if count >= needed:
        return lambda index, value, previous, at: value - index == offset
    steps = sum(
        1
        for index, value in first.items()
        if value == 1 or (index - 1 in first and value in (first[index - 1], first[index - 1] + 1))
    )
    if steps >= needed:
        return lambda index, value, previous, at: (
            value == 1 or previous is None or value in (previous[at], previous[at] + 1)
        )
    return None


def _trimmed(lines: list[str], index: int, running: dict[str, dict[int, Numbers]]) -> list[str]:
    """``lines`` of page ``index`` less its running lines among the first and last few
    filled ones."""
    filled = [at for at, line in enumerate(lines) if line.strip()]
    edge = set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:])
    kept = []
    for at, line in enumerate(lines):
        if at in edge:
            pattern, numbers = _pattern(line)
            if running.get(pattern, {}).get(index) == numbers:
                continue
        kept.append(line)
    return kept
