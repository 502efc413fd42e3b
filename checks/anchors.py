"""Whether a URL's ``#fragment`` names a place in an HTML page.

Pure functions over the page text; the caller fetches. The rules follow the HTML
specification's "find a potential indicated element": a fragment matches the ``id`` of
any element or the ``name`` of an ``<a>`` element, compared case-sensitively, and the
empty fragment and ``top`` always resolve (to the top of the document).
"""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import unquote

from lxml import etree

# Fragment directives (``#:~:text=...``) are read by the browser, not matched against ids.
_DIRECTIVE_DELIMITER = ":~:"

# GitHub renders README headings as id="user-content-<slug>" and a script scrolls to
# "#<slug>"; citing such a heading is common and must not read as a missing anchor.
_GITHUB_PREFIX = "user-content-"

# Every id and every <a name> under the root element, found by libxml2 rather than
# by a Python loop over each element. Relative to the root: content that libxml2 puts
# beside it (after "</html>") is not searched.
_TARGETS = etree.XPath(
    "descendant-or-self::*/@id | descendant-or-self::a/@name", smart_strings=False
)

# Fallback for input that libxml2 cannot turn into a tree at all.
_ID_ATTR = re.compile(r"""\sid\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE)
_A_NAME = re.compile(
    r"""<a\b[^>]*?\sname\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE
)


def anchor_ids(html: str) -> frozenset[str]:
    """Every fragment target in ``html``: all ``id`` values and ``<a name>`` values.

    Broken markup is parsed with libxml2's recovering HTML parser; input it cannot
    parse at all falls back to a plain scan of the attributes.
    """
    if not html.strip():
        return frozenset()
    parser = etree.HTMLParser(recover=True, no_network=True, huge_tree=True, encoding="utf-8")
    try:
        # Bytes, so that an XML declaration naming an encoding is not a ValueError.
        root = etree.fromstring(html.encode("utf-8", "surrogatepass"), parser)
    except (etree.LxmlError, ValueError):
        root = None
    if root is None:
        return _scan_ids(html)
    return frozenset(value for value in _TARGETS(root) if value)


def anchor_present(html: str, fragment: str) -> bool:
    """True when ``fragment`` (with or without its ``#``) resolves in ``html``.

    The fragment is percent-decoded as a browser does; the raw form is tried too, since
    an id may itself contain ``%``. A text directive (``:~:``) is not an anchor, so only
    the part before it is looked up.
    """
    fragment = fragment.removeprefix("#")
    fragment = fragment.split(_DIRECTIVE_DELIMITER, 1)[0]
    if fragment == "" or fragment.lower() == "top":
        return True
    candidates = {fragment, _percent_decode(fragment)}
    ids = anchor_ids(html)
    return any(c in ids or _GITHUB_PREFIX + c in ids for c in candidates)


def _percent_decode(fragment: str) -> str:
    try:
        return unquote(fragment, errors="strict")
    except UnicodeDecodeError:
        return fragment


def _scan_ids(html: str) -> frozenset[str]:
    found: set[str] = set()
    for pattern in (_ID_ATTR, _A_NAME):
        for match in pattern.finditer(html):
            value = next(group for group in match.groups() if group is not None)
            if value:
                found.add(html_lib.unescape(value))
    return frozenset(found)
