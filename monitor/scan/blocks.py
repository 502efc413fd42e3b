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

from monitor.scan.model import CitationKind

# Links to these schemes point at sources; mailto:, tel:, relative paths and in-page
# anchors do not.
WEB_SCHEMES = frozenset({"http", "https", "ftp"})


@dataclass(frozen=True)
class LinkSpan:
    """A link inside a block, as written in the source (inline, autolink or bare)."""

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
    """The text of one paragraph or heading, with positions of what it cites."""

    first_line: int
    text: str
    masked: str  # same length as text, code and raw HTML blanked for number search
    line_starts: tuple[int, ...]  # offsets where the 2nd, 3rd, ... source line begins
    hard_breaks: tuple[int, ...]
    links: tuple[LinkSpan, ...]
    markers: tuple[Marker, ...]
    footnote: str | None  # label of the enclosing footnote definition, if any
    heading: bool

    def line_at(self, offset: int) -> int:
        """The 1-based source line of the character at ``offset``."""
        return self.first_line + bisect_right(self.line_starts, offset)


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
    md = MarkdownIt("commonmark", {"linkify": True}).enable("linkify")
    # Definitions stay where they are written (their lines matter), and a marker without
    # a definition still becomes a marker, so that it can be reported as missing.
    footnote_plugin(md, inline=False, move_to_end=False, always_match_refs=True)
    if md.linkify is not None:
        # An e-mail address is not a cited source.
        md.linkify.set({"fuzzy_email": False})
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
    for token in tokens:
        if token.type == "footnote_reference_open":
            label = str(token.meta["label"])
            open_notes.append(label)
            start, stop = token.map or (0, 0)
            notes.append(NoteDefinition(label, start + 1, stop))
        elif token.type == "footnote_reference_close":
            open_notes.pop()
        elif token.type in ("heading_open", "heading_close"):
            heading = token.type == "heading_open"
        elif token.type == "inline" and token.map is not None:
            footnote = open_notes[-1] if open_notes else None
            builder = _BlockBuilder(lines, token.map[0], token.map[1])
            blocks.append(builder.build(token.children or [], footnote, heading))
    return ParsedDocument(tuple(blocks), tuple(notes))


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

    def _line(self) -> int:
        return self.start + 1 + len(self.line_starts)

    def _append(self, text: str, *, hidden: bool = False) -> None:
        self.text.append(text)
        self.masked.append("_" * len(text) if hidden else text)
        self.length += len(text)

    def _new_line(self) -> None:
        self.line_starts.append(self.length)

    def build(self, children: Sequence[Token], footnote: str | None, heading: bool) -> Block:
        link: Token | None = None
        link_start = 0
        for child in children:
            if child.type in ("text", "text_special", "image"):
                self._append(child.content)
            elif child.type == "code_inline":
                self._append(child.content, hidden=True)
            elif child.type == "html_inline":
                # Raw HTML is not prose, but its line endings still move us down the file.
                for _ in range(child.content.count("\n")):
                    self._new_line()
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
                link, link_start = child, self.length
            elif child.type == "link_close" and link is not None:
                self._close_link(link, link_start)
                link = None
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
        )

    def _close_link(self, link: Token, start: int) -> None:
        url = str(link.attrs.get("href", ""))
        if urlsplit(url).scheme.lower() not in WEB_SCHEMES:
            return
        if link.markup == "autolink":
            form = CitationKind.AUTOLINK
        elif link.markup == "linkify":
            form = CitationKind.BARE
        else:
            form = CitationKind.INLINE
        text = " ".join("".join(self.text)[start:].split())
        # Autolinks and bare URLs are their own text; an inline link's destination
        # follows its text, so look for it from the line where the text ends.
        line = self._line() if form is not CitationKind.INLINE else self._find_url(url)
        self.links.append(LinkSpan(url, text, form, start, self.length, line))

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


_REFERENCE_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:")
