"""Relative URLs in the raw HTML of a document, rewritten by the rule Markdown's follow.

Fact sheets often write a logo or a chart as raw ``<img>`` (for a width, an alt text
or an alignment Markdown cannot say), a ``<picture>``, or a link as ``<a href>``. Their
URLs, written relative to the document, are rewritten as Markdown's own images and
links are (see monitor.publish.local). Only the attribute values change: every other
byte stays as written, since re-serialising the HTML through a parser would re-quote
and re-case what the author wrote and could change how a browser reads HTML that is not
well formed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from html import escape, unescape
from html.entities import html5
from typing import TYPE_CHECKING

from monitor.htmlparser import LenientHTMLParser

if TYPE_CHECKING:
    from monitor.publish.render import Relink

_NEWLINE = re.compile("\n")
# Whitespace as HTML defines it (Python's "\s" also takes "\xa0" and "\u2028").
_SPACE = "\t\n\f\r "


class TolerantParser(LenientHTMLParser):
    """A :class:`LenientHTMLParser` over one text, telling where in the text the tag
    being handled starts."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.markup = markup
        # Lines as the parser counts them: at "\n" only (str.splitlines also breaks at
        # "\r", "\x0c", "\u2028", ... and would place every later tag wrongly).
        self._line_starts = [0, *(m.end() for m in _NEWLINE.finditer(markup))]

    def read(self) -> None:
        self.feed(self.markup)
        self.close()

    def position(self) -> int:
        """Offset in the text of the tag being handled."""
        line, column = self.getpos()
        return self._line_starts[line - 1] + column


class UrlKind(Enum):
    """How an attribute's value holds a URL."""

    LINK = "link"
    IMAGE = "image"
    IMAGE_SET = "image set"  # srcset: candidate URLs, each followed by its descriptors


# A <source> is read as a picture's: a video's or a sound's is no image, so it is
# linked by its path, not embedded, all the same.
_URL_ATTRIBUTES: Mapping[tuple[str, str], UrlKind] = {
    ("a", "href"): UrlKind.LINK,
    ("img", "src"): UrlKind.IMAGE,
    ("img", "srcset"): UrlKind.IMAGE_SET,
    ("source", "src"): UrlKind.IMAGE,
    ("source", "srcset"): UrlKind.IMAGE_SET,
    ("video", "poster"): UrlKind.IMAGE,
    ("video", "src"): UrlKind.LINK,
    ("audio", "src"): UrlKind.LINK,
    ("track", "src"): UrlKind.LINK,
    ("iframe", "src"): UrlKind.LINK,
    ("embed", "src"): UrlKind.LINK,
    ("object", "data"): UrlKind.LINK,
}
_MAY_HAVE_URLS = re.compile(
    rf"<(?:{'|'.join(sorted({tag for tag, _ in _URL_ATTRIBUTES}))})[\t\n\f\r />]",
    re.IGNORECASE,
)

_TAG_NAME = re.compile(r"<[^\t\n\f\r />]+")
_BETWEEN_ATTRIBUTES = re.compile(r"[\t\n\f\r /]*")
_ATTRIBUTE = re.compile(
    r"""(?P<name>[^\t\n\f\r />][^\t\n\f\r />=]*)
        (?:[\t\n\f\r ]*=[\t\n\f\r ]*
           (?:"(?P<double>[^"]*)"|'(?P<single>[^']*)'|(?P<bare>(?!["'])[^\t\n\f\r >]*))
        )?""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class _Attribute:
    """One attribute of a start tag, where its value is written in the tag's text."""

    name: str  # lower case, as the parser reports it
    value: str | None  # entities decoded; None for an attribute written without one
    start: int
    end: int
    quote: str  # '"', "'" or "" (unquoted)


@dataclass(frozen=True)
class _Edit:
    start: int
    end: int
    text: str


def relink_html(html: str, relink: Relink) -> str:
    """``html`` with the relative URLs of its links, images and pictures rewritten by
    ``relink``, every other byte as written."""
    if not _MAY_HAVE_URLS.search(html):
        return html
    pieces: list[str] = []
    done = 0
    for edit in _UrlAttributes(html, relink).edits:
        pieces += [html[done : edit.start], edit.text]
        done = edit.end
    return "".join(pieces) + html[done:]


class _UrlAttributes(TolerantParser):
    """The rewritten URL attribute values of a piece of HTML, in document order."""

    def __init__(self, html: str, relink: Relink) -> None:
        super().__init__(html)
        self._relink = relink
        self.edits: list[_Edit] = []
        self.read()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not any((tag, name) in _URL_ATTRIBUTES for name, _ in attrs):
            return
        text = self.get_starttag_text() or ""
        start = self.position()
        attributes = list(_attributes(text))
        read = [(a.name, a.value) for a in attributes]
        if read != attrs or not self.markup.startswith(text, start):
            # The tag reads differently to this tokenizer than to the parser: leave it
            # as written rather than splice a value in at a guessed place.
            return
        for attribute in attributes:
            kind = _URL_ATTRIBUTES.get((tag, attribute.name))
            if kind is None or attribute.value is None:
                continue
            written = _in_attribute(text[attribute.start : attribute.end])
            value = _rewritten(written, kind, self._relink)
            if value != written:
                span = (start + attribute.start, start + attribute.end)
                self.edits.append(_Edit(*span, _written(value, attribute)))


def _attributes(tag: str) -> Iterator[_Attribute]:
    """The attributes of a start tag's text, as an HTML tokenizer reads them."""
    name = _TAG_NAME.match(tag)
    if name is None:
        return
    position = name.end()
    while True:
        between = _BETWEEN_ATTRIBUTES.match(tag, position)
        position = between.end() if between else position
        match = _ATTRIBUTE.match(tag, position)
        if match is None:
            return
        position = match.end()
        group = next((g for g in ("double", "single", "bare") if match[g] is not None), None)
        if group is None:
            yield _Attribute(match["name"].lower(), None, position, position, "")
            continue
        quote = {"double": '"', "single": "'", "bare": ""}[group]
        yield _Attribute(match["name"].lower(), unescape(match[group]), *match.span(group), quote)


# A character reference as html.unescape finds one.
_REFERENCE = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")


def _in_attribute(raw: str) -> str:
    """An attribute's value as a browser reads it: html.unescape, but for a named
    reference without its ";" followed by a letter, a digit or "=", which stays as
    written (``?lang=en&region=ca`` keeps "&region", not "®ion")."""
    return _REFERENCE.sub(_reference_in_attribute, raw)


def _reference_in_attribute(match: re.Match[str]) -> str:
    name = match.group(1)
    if name.startswith("#") or name in html5:
        return unescape(match.group(0))
    # The longest known name it starts with, as html.unescape looks for it.
    for length in range(len(name) - 1, 1, -1):
        if name[:length] in html5:
            after = name[length]
            if after == "=" or (after.isascii() and after.isalnum()):
                return match.group(0)
            return html5[name[:length]] + name[length:]
    return match.group(0)


def _written(value: str, attribute: _Attribute) -> str:
    # An unquoted value gets quotes: a data: URL or an escaped "&" may not stand bare.
    escaped = escape(value, quote=True)
    return escaped if attribute.quote else f'"{escaped}"'


def _rewritten(value: str, kind: UrlKind, relink: Relink) -> str:
    if kind is UrlKind.IMAGE_SET:
        return _rewritten_set(value, relink)
    url = value.strip(_SPACE)  # as a browser reads a URL attribute
    new = relink(url, image=kind is UrlKind.IMAGE)
    return value if new == url else new


def _rewritten_set(srcset: str, relink: Relink) -> str:
    """A srcset with each candidate's URL rewritten, its descriptors as written."""
    pieces: list[str] = []
    done = 0
    for start, end in _srcset_urls(srcset):
        pieces += [srcset[done:start], relink(srcset[start:end], image=True)]
        done = end
    return "".join(pieces) + srcset[done:]


def _srcset_urls(srcset: str) -> Iterator[tuple[int, int]]:
    """Where each candidate's URL is in a srcset, read as the HTML standard reads one: a
    URL runs to the next whitespace (a data: URL keeps its commas) less any commas it
    ends with, and its descriptors run to a comma outside parentheses."""
    position, length = 0, len(srcset)
    while True:
        while position < length and srcset[position] in _SPACE + ",":
            position += 1
        if position >= length:
            return
        start = position
        while position < length and srcset[position] not in _SPACE:
            position += 1
        end = position
        while srcset[end - 1] == ",":
            end -= 1
        yield start, end
        if end < position:
            continue  # the commas ended the candidate: it has no descriptors
        position = _descriptors_end(srcset, position)


def _descriptors_end(srcset: str, position: int) -> int:
    in_parentheses = False
    while position < len(srcset):
        char = srcset[position]
        position += 1
        if in_parentheses:
            in_parentheses = char != ")"
        elif char == "(":
            in_parentheses = True
        elif char == ",":
            break
    return position
