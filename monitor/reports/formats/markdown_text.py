"""Values from the web made safe in GitHub-flavoured Markdown: table cells, links, code.

Titles, reasons, quoted sentences and URLs come from cited pages and their servers. In
a table a ``|`` ends the cell and a line break ends the row; ``<tag>`` is taken for
HTML (GitHub drops what it does not allow, and the text with it); ``[text](url)`` makes
a link nobody wrote; a space or parenthesis ends a link's target. Every helper here
keeps the value on one line and shows it as written.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from monitor.reports.formats.base import without_surrogates

# Backslash first among them: the escapes added for the others must not be escaped again.
_SPECIAL = re.compile(r"([\\`|<>\[\]])")

# What a link target keeps as it is: RFC 3986's reserved and unreserved characters and
# ``%`` (already encoded). Spaces, parentheses, ``|``, ``<``, ``>``, ``\`` and anything
# beyond ASCII are percent-encoded.
_URL_SAFE = "!#$%&'*+,/:;=?@[]~"


def one_line(value: object, limit: int | None = None) -> str:
    """``value`` as text on one line, runs of whitespace (line breaks too) made one space,
    cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(without_surrogates(str(value if value is not None else "")).split())
    if limit is not None and len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return flat


def text(value: object, limit: int | None = None) -> str:
    """Inline text (a table cell, a list item) that renders exactly as ``value`` reads."""
    return _SPECIAL.sub(r"\\\1", one_line(value, limit))


def href(url: str) -> str:
    """``url`` as a link target that nothing in it can end early."""
    return quote(one_line(url), safe=_URL_SAFE, errors="replace")


def code(value: object, *, in_table: bool = False) -> str:
    """``value`` as a code span, whatever backticks it holds."""
    flat = one_line(value)
    runs = [len(run) for run in re.findall("`+", flat)]
    fence = "`" * (max(runs, default=0) + 1)
    if flat.startswith("`") or flat.endswith("`"):
        flat = f" {flat} "
    if in_table:
        # GitHub splits table rows on ``|`` before it reads code spans; ``\|`` is kept
        # as ``|`` inside them.
        flat = flat.replace("|", "\\|")
    return f"{fence}{flat}{fence}"


def link(label: object, url: str | None, *, in_table: bool = False) -> str:
    """A link to a web address; any other kind of address (``javascript:``, a path)
    is shown as code beside the label, never made clickable."""
    shown = text(label)
    if not url:
        return shown
    if not url.strip().lower().startswith(("http://", "https://")):
        return f"{shown} ({code(url, in_table=in_table)})"
    return f"[{shown}]({href(url)})"


__all__ = ["code", "href", "link", "one_line", "text"]
