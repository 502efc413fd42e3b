"""Text fragments: ``#:~:text=[prefix-,]start[,end][,-suffix]`` in a cited URL.

A text fragment points a reader at a passage; if the passage is gone, the citation no
longer shows what it claims. Matching follows the Text Fragments specification
loosely: on normalised text (case, quotes, dashes, whitespace), terms on word
boundaries, a prefix and suffix separated from the match by whitespace only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from checks.content.normalise import normalise

_DELIMITER = ":~:"
# Bounds the work on texts where a short start term occurs everywhere.
_MAX_STARTS = 2000


@dataclass(frozen=True)
class TextDirective:
    """One ``text=`` directive, percent-decoded."""

    start: str
    end: str | None = None
    prefix: str | None = None
    suffix: str | None = None


def text_directives(url: str) -> tuple[TextDirective, ...]:
    """The well-formed text directives in ``url``'s fragment, in order."""
    _, hash_sign, fragment = url.partition("#")
    if not hash_sign or _DELIMITER not in fragment:
        return ()
    directives = fragment.split(_DELIMITER, 1)[1].split("&")
    parsed = (_parse(item[5:]) for item in directives if item.startswith("text="))
    return tuple(directive for directive in parsed if directive is not None)


def has_text_directive(url: str) -> bool:
    """True when ``url`` carries at least one well-formed text directive."""
    return bool(text_directives(url))


def fragment_found(text: str, url: str) -> bool | None:
    """Whether every text directive of ``url`` matches ``text``; None when the URL has
    no text directive."""
    directives = text_directives(url)
    if not directives:
        return None
    folded = normalise(text)
    return all(directive_found(folded, directive) for directive in directives)


def directive_found(folded: str, directive: TextDirective) -> bool:
    """Whether ``directive`` matches ``folded`` (normalised) text."""
    start = normalise(directive.start)
    end = normalise(directive.end) if directive.end else None
    prefix = normalise(directive.prefix) if directive.prefix else None
    suffix = normalise(directive.suffix) if directive.suffix else None
    for index, begin in enumerate(_occurrences(folded, start, 0)):
        if index >= _MAX_STARTS:
            return False
        if prefix and not _preceded_by(folded, begin, prefix):
            continue
        after_start = begin + len(start)
        if end is None:
            if not suffix or _followed_by(folded, after_start, suffix):
                return True
            continue
        for end_at in _occurrences(folded, end, after_start):
            if not suffix or _followed_by(folded, end_at + len(end), suffix):
                return True
            break  # the spec takes the first end after the start
    return False


def _parse(value: str) -> TextDirective | None:
    # Split before decoding: a literal ',' or '-' inside a term is percent-encoded.
    items = value.split(",")
    prefix = suffix = None
    if len(items) > 1 and items[0].endswith("-"):
        prefix = unquote(items.pop(0)[:-1])
    if len(items) > 1 and items[-1].startswith("-"):
        suffix = unquote(items.pop()[1:])
    if not 1 <= len(items) <= 2:
        return None
    start = unquote(items[0])
    end = unquote(items[1]) if len(items) == 2 else None
    if not start.strip() or (end is not None and not end.strip()):
        return None
    return TextDirective(start, end, prefix or None, suffix or None)


def _occurrences(text: str, term: str, since: int) -> Iterator[int]:
    """Where ``term`` starts in ``text`` at or after ``since``, on word boundaries."""
    if not term:
        return
    position = text.find(term, since)
    while position != -1:
        if _bounded(text, position, position + len(term)):
            yield position
        position = text.find(term, position + 1)


def _bounded(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    opens_word = _is_word(text[start])
    closes_word = _is_word(text[end - 1])
    return not (opens_word and _is_word(before)) and not (closes_word and _is_word(after))


def _is_word(char: str) -> bool:
    return char.isalnum()


# Folded text has single spaces, so at most one space separates a prefix or suffix.


def _preceded_by(text: str, position: int, prefix: str) -> bool:
    end = position - 1 if position > 0 and text[position - 1] == " " else position
    start = end - len(prefix)
    return start >= 0 and text.startswith(prefix, start) and _bounded(text, start, end)


def _followed_by(text: str, position: int, suffix: str) -> bool:
    at = position + 1 if text.startswith(" ", position) else position
    return text.startswith(suffix, at) and _bounded(text, at, at + len(suffix))
