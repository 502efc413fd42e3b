"""The standard library's HTML parser, reading any text to its end as a browser does."""

from __future__ import annotations

from html.parser import HTMLParser

# Elements whose content a browser shows as text, or treats as code: tags in them are
# not tags.
SHOWN_AS_TEXT = frozenset(
    {"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "plaintext"}
)


class LenientHTMLParser(HTMLParser):
    """:class:`html.parser.HTMLParser` reading as a browser reads: the content of the
    elements it shows as text (:data:`SHOWN_AS_TEXT`) is text, and a marked section
    the parser does not know (``<![foo[``, pasted from a word processor or mistyped),
    which stops it with an AssertionError, is a comment up to the next ``>``.
    Documents are people's writing: no such slip may stop a scan or a publish."""

    def parse_starttag(self, i: int) -> int:
        # The parser reads on inside <script> and <style> as text, as a browser does;
        # it reads the tags inside the other elements a browser shows as text.
        end = super().parse_starttag(i)
        closed = (self.get_starttag_text() or "").rstrip().endswith("/>")
        if end >= 0 and not closed and self.lasttag in SHOWN_AS_TEXT and self.cdata_elem is None:
            self.set_cdata_mode(self.lasttag)
        return end

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        # The failing scan moves the parser's position before it raises; the position is
        # moved again over the whole section once it is passed, so it is put back here.
        line, column = self.lineno, self.offset
        try:
            return super().parse_marked_section(i, report)
        except AssertionError:
            self.lineno, self.offset = line, column
            end = self.rawdata.find(">", i)
            return -1 if end < 0 else end + 1
