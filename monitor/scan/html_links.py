"""Read raw HTML in a Markdown document: the text a reader sees and the ``<a href>`` links.

The scanner only needs links and their lines, so this reads HTML as the standard
library's tolerant parser does and reports what it met, in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.htmlparser import LenientHTMLParser

# Their content is code, not text a reader sees.
_HIDDEN = frozenset({"script", "style", "template"})
_HREF = re.compile(r"\shref\s*=", re.IGNORECASE)


@dataclass(frozen=True)
class HtmlText:
    """Text between tags, entities decoded."""

    text: str
    line: int  # 0-based line, within the HTML read, where the text starts


@dataclass(frozen=True)
class AnchorOpen:
    """An ``<a>`` start tag; ``href`` is "" when it has none (a named anchor)."""

    href: str
    line: int  # 0-based line of the href attribute


@dataclass(frozen=True)
class AnchorClose:
    """An ``</a>`` end tag."""

    line: int


HtmlEvent = HtmlText | AnchorOpen | AnchorClose


class _Reader(LenientHTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[HtmlEvent] = []
        self._hidden: str | None = None

    def _line(self) -> int:
        return self.getpos()[0] - 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden = tag
        elif tag == "a":
            href = next((value or "" for name, value in attrs if name == "href"), "")
            raw = self.get_starttag_text() or ""
            at = _HREF.search(raw)
            offset = raw.count("\n", 0, at.start()) if at else 0
            self.events.append(AnchorOpen(href.strip(), self._line() + offset))

    def handle_endtag(self, tag: str) -> None:
        if tag == self._hidden:
            self._hidden = None
        elif tag == "a":
            self.events.append(AnchorClose(self._line()))

    def handle_data(self, data: str) -> None:
        if self._hidden is None:
            self.events.append(HtmlText(data, self._line()))


def read_html(html: str) -> tuple[HtmlEvent, ...]:
    """The text, ``<a>`` and ``</a>`` of ``html`` in document order."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return tuple(reader.events)
