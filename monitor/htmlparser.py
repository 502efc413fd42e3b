"""The standard library's HTML parser, reading any text to its end as a browser does."""

from __future__ import annotations

from html.parser import HTMLParser


class LenientHTMLParser(HTMLParser):
    """:class:`html.parser.HTMLParser` without its one exception on odd input: a marked
    section it does not know (``<![foo[``, pasted from a word processor or mistyped)
    stops it with an AssertionError, where a browser reads it as a comment up to the
    next ``>``. Documents are people's writing: no such slip may stop a scan or a
    publish."""

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            end = self.rawdata.find(">", i)
            return -1 if end < 0 else end + 1
