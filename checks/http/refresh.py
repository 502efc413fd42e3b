"""Refreshes: the redirect that lives in a page (``<meta http-equiv="refresh">``) or in
a ``Refresh`` response header, which browsers read by the same rules."""

from __future__ import annotations

import html
import re

# A meta refresh with a longer delay is a page that reloads itself, not a redirect.
META_REFRESH_MAX_DELAY_S = 10.0

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_NOSCRIPT = re.compile(r"<noscript\b.*?</noscript\s*>", re.S | re.I)
_META = re.compile(r"<meta\b[^>]*>", re.I)
_ATTR = re.compile(r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""")
# Every refresh names this attribute: a page without it (nearly every page) needs no parse.
_HTTP_EQUIV = re.compile("http-equiv", re.I)
_REFRESH = re.compile(r"""^\s*(\d+(?:\.\d*)?)\s*(?:[;,]\s*(?:url\s*=\s*)?(.*))?$""", re.I | re.S)


def meta_refresh(html_text: str) -> tuple[float, str | None] | None:
    """The (delay, url) of a page's ``<meta http-equiv="refresh">``, if it has one.

    Refreshes inside comments and ``<noscript>`` are ignored: a browser running
    scripts never follows those.
    """
    if _HTTP_EQUIV.search(html_text) is None:
        return None
    text = _NOSCRIPT.sub("", _COMMENT.sub("", html_text))
    for tag in _META.finditer(text):
        attrs = {
            name.lower(): html.unescape(value.strip("\"'"))
            for name, value in _ATTR.findall(tag.group(0))
        }
        if attrs.get("http-equiv", "").strip().lower() != "refresh":
            continue
        found = parse_refresh(attrs.get("content", ""))
        if found is not None:
            return found
    return None


def parse_refresh(value: str) -> tuple[float, str | None] | None:
    """The (delay, url) of a refresh value such as ``0; url=/next``, or None when it
    is not one. The same for a meta tag's ``content`` and a ``Refresh`` header."""
    match = _REFRESH.match(value)
    if match is None:
        return None
    target = (match.group(2) or "").strip().strip("\"'").strip()
    return float(match.group(1)), target or None
