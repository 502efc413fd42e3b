"""File names for pages named after registry ids.

Ids come from a human-edited file. The loader restricts them, but a page name must be
safe on its own: no path separators, no dot files, no names that differ only in case
(case-insensitive file systems), no reserved device names.
"""

from __future__ import annotations

import hashlib
import re

_PLAIN = re.compile(r"[a-z0-9][a-z0-9._-]{0,79}")
_UNSAFE_RUN = re.compile(r"[^a-z0-9._-]+")
# Names Windows refuses whatever the extension.
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(10)} | {f"lpt{i}" for i in range(10)}
)


def page_name(identifier: str) -> str:
    """A file name stem for ``identifier``: the id itself when already plain and
    lower-case, else a readable slug plus a short hash of the id, so two ids never share
    a page."""
    stem = identifier.split(".")[0]
    if _PLAIN.fullmatch(identifier) and not identifier.endswith(".") and stem not in _RESERVED:
        return identifier
    slug = _UNSAFE_RUN.sub("-", identifier.lower()).strip("-.")[:60].strip("-.") or "id"
    digest = hashlib.sha256(identifier.encode("utf-8")).hexdigest()[:10]
    return f"{slug}-{digest}"


# The folders of the two kinds of page, in the dashboard's root folder.
SOURCES = "sources"
DOCUMENTS = "documents"


def source_page(source_id: str) -> str:
    """The source's page, relative to the dashboard's root folder."""
    return f"{SOURCES}/{page_name(source_id)}.html"


def document_page(document_id: str) -> str:
    """The document's page, relative to the dashboard's root folder."""
    return f"{DOCUMENTS}/{page_name(document_id)}.html"
