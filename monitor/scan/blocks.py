"""Flatten a markdown-it token stream into prose blocks that remember their lines.

markdown-it gives line ranges only per block; inside a block we count line breaks to
know which line each character, link and footnote marker sits on. The scanner then
works on plain text with offsets and never looks at tokens again.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from monitor.scan.bare_urls import BareUrls
from monitor.scan.html_links import AnchorClose, AnchorOpen, HtmlText, read_html
from monitor.scan.model import CitationKind
from monitor.scan.sentences import split_sentences

# Links to these schemes point at sources; mailto:, tel:, relative paths and in-page
# anchors do not.
WEB_SCHEMES = frozenset({"http", "https", "ftp"})
# Between the cells of a table row, as the row is written.
CELL_SEPARATOR = " | "


@dataclass(frozen=True)
class LinkSpan:
    """A link inside a block, as written in the source (inline, autolink, bare or HTML)."""

    url: str
    text: str
    form: CitationKind
    start: int  # offsets into Block.text
    end: int
    line: int  # 1-based line holding the URL text


@dataclass(frozen=True)
class Marker:
    """A footnote marker inside a block."""

    label: str
    offset: int
    line: int


@dataclass(frozen=True)
class Block:
    """The text of one paragraph, heading, table row or HTML block, with what it cites."""

    first_line: int
    text: str
    masked: str  # same length as text, code and raw HTML blanked for number search
    line_starts: tuple[int, ...]  # offsets where the 2nd, 3rd, ... source line begins
    hard_breaks: tuple[int, ...]
    links: tuple[LinkSpan, ...]
    markers: tuple[Marker, ...]
    footnote: str | None  # label of the enclosing footnote definition, if any
    heading: bool
    table: int | None = None  # for a table row, the 1-based first line of its table

    def line_at(self, offset: int) -> int:
        """The 1-based source line of the character at ``offset``."""
        return self.first_line + bisect_right(self.line_starts, offset)

    def units(self) -> list[tuple[int, int]]:
        """``(start, end)`` of each statement: a sentence, or a whole table row.

        A row's cells (measure, value, source) make one statement between them.
        """
        if self.table is not None:
            return [(0, len(self.text))] if self.text else []
        return split_sentences(self.text, self.hard_breaks)


@dataclass(frozen=True)
class NoteDefinition:
    """Where a footnote definition is written."""

    label: str
    line: int  # 1-based line of the "[^label]:" marker
    end_line: int  # 1-based last line of the definition


@dataclass(frozen=True)
class ParsedDocument:
    blocks: tuple[Block, ...]
    notes: tuple[NoteDefinition, ...]


@cache
def _parser() -> MarkdownIt:
    # Tables and strikethrough as the publisher renders them; bare URLs as GitHub
    # links them.
    md = MarkdownIt("commonmark", {"linkify": True}).enable(["linkify", "table", "strikethrough"])
    md.linkify = BareUrls()
    # Definitions stay where they are written (their lines matter), and a marker without
    # a definition still becomes a marker, so that it can be reported as missing.
    footnote_plugin(md, inline=False, move_to_end=False, always_match_refs=True)
    return md


def normalise_newlines(text: str) -> str:
    """Line endings as markdown-it counts them."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_document(text: str) -> ParsedDocument:
    """Parse Markdown ``text`` into blocks and footnote definitions."""
    text = normalise_newlines(text)
    lines = text.split("\n")
    tokens = _parser().parse(text)
    blocks: list[Block] = []
    notes: list[NoteDefinition] = []
    open_notes: list[str] = []
    heading = False
    table: int | None = None
    row: _BlockBuilder | None = None
    for token in tokens:
        footnote = open_notes[-1] if open_notes else None
        if token.type == "footnote_reference_open":
            label = str(token.meta["label"])
            open_notes.append(label)
            start, stop = token.map or (0, 0)
            notes.append(NoteDefinition(label, start + 1, stop))
        elif token.type == "footnote_reference_close":
            open_notes.pop()
        elif token.type in ("heading_open", "heading_close"):
            heading = token.type == "heading_open"
        elif token.type in ("table_open", "table_close"):
            table = token.map[0] + 1 if token.map and token.type == "table_open" else None
        elif token.type == "tr_open" and token.map is not None:
            row = _BlockBuilder(lines, token.map[0], token.map[1])
        elif token.type == "tr_close" and row is not None:
            blocks.append(row.build(footnote, heading=False, table=table))
            row = None
        elif token.type == "inline" and row is not None:
            row.add_cell(token.children or [])
        elif token.type == "inline" and token.map is not None:
            builder = _BlockBuilder(lines, token.map[0], token.map[1])
            builder.add_inline(token.children or [])
            blocks.append(builder.build(footnote, heading))
        elif token.type == "html_block" and token.map is not None:
            builder = _BlockBuilder(lines, token.map[0], token.map[1])
            builder.add_html_block(token.content)
            # Raw HTML is not prose; a block of it matters only for the links it holds.
            if builder.links:
                blocks.append(builder.build(footnote, heading=False))
    return ParsedDocument(tuple(blocks), tuple(notes))


@dataclass(frozen=True)
class _OpenLink:
    url: str
    form: CitationKind
    start: int
    line: int | None  # known where the link opens for HTML, else found when it closes


@dataclass
class _BlockBuilder:
    lines: Sequence[str]
    start: int  # 0-based first line of the block
    stop: int  # 0-based line after the block
    text: list[str] = field(default_factory=list)
    masked: list[str] = field(default_factory=list)
    length: int = 0
    line_starts: list[int] = field(default_factory=list)
    hard_breaks: list[int] = field(default_factory=list)
    links: list[LinkSpan] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    link: _OpenLink | None = None

    def _line(self) -> int:
        return self.start + 1 + len(self.line_starts)

    def _append(self, text: str, *, hidden: bool = False) -> None:
        if not text:
            return
        self.text.append(text)
        self.masked.append("_" * len(text) if hidden else text)
        self.length += len(text)

    def _new_line(self) -> None:
        self.line_starts.append(self.length)

    def add_cell(self, children: Sequence[Token]) -> None:
        """Add one table cell's inline tokens to the row being built."""
        if self.length and children:
            self._append(CELL_SEPARATOR)
        self.add_inline(children)

    def add_inline(self, children: Sequence[Token]) -> None:
        """Add the inline tokens of a paragraph, heading or cell."""
        for child in children:
            if child.type in ("text", "text_special", "image"):
                self._append(child.content)
            elif child.type == "code_inline":
                self._append(child.content, hidden=True)
            elif child.type == "html_inline":
                self._html_tag(child.content)
            elif child.type == "softbreak":
                self._append(" ")
                self._new_line()
            elif child.type == "hardbreak":
                self.hard_breaks.append(self.length)
                self._append("\n")
                self._new_line()
            elif child.type == "footnote_ref":
                self.markers.append(Marker(str(child.meta["label"]), self.length, self._line()))
            elif child.type == "link_open":
                url = str(child.attrs.get("href", ""))
                self.link = _OpenLink(url, _form(child.markup), self.length, None)
            elif child.type == "link_close":
                self._close_link()

    def _html_tag(self, html: str) -> None:
        # Raw HTML is not prose, but an <a href> in it is a link, and its line endings
        # still move us down the file.
        for event in read_html(html):
            if isinstance(event, AnchorOpen):
                self._open_anchor(event.href, self._line() + event.line)
            elif isinstance(event, AnchorClose) and self._in_anchor():
                self._close_link()
        for _ in range(html.count("\n")):
            self._new_line()

    def add_html_block(self, html: str) -> None:
        """Add a raw HTML block: its text, hidden from number search, and its links."""
        for event in read_html(html):
            if self.text and not self.text[-1][-1].isspace():
                self._append(" ", hidden=True)  # tags separate words
            while self._line() < self.start + 1 + event.line:
                self._new_line()
            if isinstance(event, HtmlText):
                for index, piece in enumerate(event.text.split("\n")):
                    if index:
                        self._append(" ", hidden=True)
                        self._new_line()
                    self._append(piece, hidden=True)
            elif isinstance(event, AnchorOpen):
                self._open_anchor(event.href, self._line())
            else:
                self._close_link()
        self._close_link()  # an <a> the block leaves open ends with it

    def _in_anchor(self) -> bool:
        return self.link is not None and self.link.form is CitationKind.HTML

    def _open_anchor(self, href: str, line: int) -> None:
        url = _parser().normalizeLink(href) if href else ""
        self.link = _OpenLink(url, CitationKind.HTML, self.length, line)

    def build(self, footnote: str | None, heading: bool, table: int | None = None) -> Block:
        """The block built so far, with where it sits in the document."""
        self._close_link()
        return Block(
            first_line=self.start + 1,
            text="".join(self.text),
            masked="".join(self.masked),
            line_starts=tuple(self.line_starts),
            hard_breaks=tuple(self.hard_breaks),
            links=tuple(self.links),
            markers=tuple(self.markers),
            footnote=footnote,
            heading=heading,
            table=table,
        )

    def _close_link(self) -> None:
        link, self.link = self.link, None
        if link is None or urlsplit(link.url).scheme.lower() not in WEB_SCHEMES:
            return
        text = " ".join("".join(self.text)[link.start :].split())
        line = link.line
        if line is None:
            # Autolinks and bare URLs are their own text; an inline link's destination
            # follows its text, so look for it from the line where the text ends.
            inline = link.form is CitationKind.INLINE
            line = self._find_url(link.url) if inline else self._line()
        self.links.append(LinkSpan(link.url, text, link.form, link.start, self.length, line))

    def _find_url(self, url: str) -> int:
        here = self._line()
        spellings = {url, unquote(url), url.replace("&", "&amp;")}
        for index in range(here - 1, max(self.stop, here)):
            if any(s in self.lines[index] for s in spellings):
                return index + 1
        # A reference-style link: the URL is written in its definition.
        for index, text in enumerate(self.lines):
            if _REFERENCE_DEFINITION.match(text) and any(s in text for s in spellings):
                return index + 1
        return here


def _form(markup: str) -> CitationKind:
    if markup == "autolink":
        return CitationKind.AUTOLINK
    if markup == "linkify":
        return CitationKind.BARE
    return CitationKind.INLINE


_REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:")
