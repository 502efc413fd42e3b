"""Links and images written relative to a document, made to work from its published page.

A fact sheet lives in ``content/`` and its page in ``reports/published/``: a logo
written as ``img/logo.png`` or a link to ``other-sheet.md`` would point at nothing from
there. Images are embedded in the page (it stays self-contained, wherever it is copied);
a link to another published document points at that document's page; any other file
is linked by its path from the folder the page is written to.
"""

from __future__ import annotations

import base64
import mimetypes
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

# An image larger than this is linked, not embedded: a page of several megabytes of
# base64 is slower for every reader than one more request.
MAX_EMBEDDED_BYTES = 1 << 20


def is_relative(url: str) -> bool:
    """True for a path relative to the document, such as ``img/a.png`` or ``../b.md``."""
    parts = urlsplit(url)
    return not parts.scheme and not parts.netloc and bool(parts.path) and url[0] != "/"


@dataclass(frozen=True)
class LocalLinks:
    """Rewrites the relative URLs of one document for a page written to ``out_dir``."""

    document_dir: Path
    out_dir: Path
    # Every published document's file -> the page it is published as.
    pages: Mapping[Path, str] = field(default_factory=dict)
    # Only images inside this folder (the project's) are embedded: a path that climbs
    # out of it (``../../private.png``) must not copy a file from elsewhere into a page.
    project_dir: Path | None = None

    def __call__(self, url: str, *, image: bool = False) -> str:
        try:
            return self._relinked(url, image)
        except ValueError:
            # No file has such a URL (an unclosed IPv6 host, an escaped NUL): the page
            # keeps it as written, a broken link its author can see, not a failed publish.
            return url

    def _relinked(self, url: str, image: bool) -> str:
        if not is_relative(url):
            return url
        parts = urlsplit(url)
        target = (self.document_dir / unquote(parts.path)).resolve()
        page = self.pages.get(target)
        if page is not None and not image:
            return urlunsplit(("", "", quote(page), parts.query, parts.fragment))
        if (
            image
            and not parts.query
            and self._inside_project(target)
            and (embedded := _data_url(target)) is not None
        ):
            return embedded
        path = Path(os.path.relpath(target, self.out_dir.resolve())).as_posix()
        return urlunsplit(("", "", quote(path), parts.query, parts.fragment))

    def _inside_project(self, path: Path) -> bool:
        project = (self.project_dir or self.document_dir).resolve()
        return path == project or project in path.parents


def _data_url(path: Path) -> str | None:
    kind = mimetypes.guess_type(path.name)[0]
    if kind is None or not kind.startswith("image/"):
        return None
    try:
        if path.stat().st_size > MAX_EMBEDDED_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None  # a missing image keeps its link, so the gap is visible
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"
