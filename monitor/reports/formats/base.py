"""What every report format shares: each writes to a text stream, or renders a string.

A format implements whichever is natural to it and inherits the other. Large reports
(thousands of sources) are written piece by piece rather than built whole in memory.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any, TextIO

from checks.content.normalise import whole_characters


def without_surrogates(text: str) -> str:
    """``text`` as UTF-8 can hold it (:func:`~checks.content.normalise.whole_characters`):
    results stored before PDF text was read that way may still hold a lone half, and one
    in a quoted sentence or a page title would stop the whole report from being written.
    """
    return whole_characters(text)


class RenderedFormat:
    """A format that builds its text whole (small reports)."""

    def render(self, status: Mapping[str, Any]) -> str:
        raise NotImplementedError

    def write(self, status: Mapping[str, Any], out: TextIO) -> None:
        out.write(self.render(status))


class StreamedFormat:
    """A format that writes its text in pieces (reports that grow with the registry)."""

    def write(self, status: Mapping[str, Any], out: TextIO) -> None:
        raise NotImplementedError

    def render(self, status: Mapping[str, Any]) -> str:
        buffer = io.StringIO()
        self.write(status, buffer)
        return buffer.getvalue()
