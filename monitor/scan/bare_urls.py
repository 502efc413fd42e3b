"""Which URLs typed as plain text are links, and where each one ends.

As on GitHub, a plain-text URL needs a scheme (``https://``) or to start with
``www.``; a word that merely looks like a host name ("notes.md", "year.In" after a
missing space) stays a word. The punctuation of the prose or table around a URL is
not part of it (see :func:`strip_trailing_punctuation`).
"""

from __future__ import annotations

from typing import Any

from linkify_it import LinkifyIt

from monitor.scan.urls import strip_trailing_punctuation

_WWW = "www."


class BareUrls(LinkifyIt):  # type: ignore[misc]  # linkify-it ships no type hints
    """A linkify-it matcher for markdown-it's ``linkify`` option."""

    def __init__(self) -> None:
        super().__init__(options={"fuzzy_link": False, "fuzzy_email": False})
        # linkify-it's own host and path patterns, behind the "www." prefix.
        self.add(_WWW, {"validate": "^" + self.re["src_host_port_strict"] + self.re["src_path"]})

    def normalize(self, match: Any) -> None:
        """Cut the prose's punctuation off ``match``; give a "www." link its scheme."""
        # linkify-it calls this for every match before markdown-it reads its end, so
        # what is cut here stays in the text around the link.
        kept = strip_trailing_punctuation(match.raw)
        match.last_index = match.index + len(kept)
        match.raw = match.text = match.url = kept
        super().normalize(match)
        if match.schema == _WWW:
            match.url = "http://" + match.url
