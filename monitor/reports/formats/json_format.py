"""``status.json``: the machine-readable report (schema in ``status.schema.json``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from itertools import islice
from typing import Any, TextIO

from monitor.reports.formats.base import StreamedFormat, without_surrogates

# Pieces of the encoding gathered before each write: few writes, little held at once.
_PIECES = 4096


class JsonFormat(StreamedFormat):
    name = "json"
    filename = "status.json"

    def write(self, status: Mapping[str, Any], out: TextIO) -> None:
        pieces = json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(status)
        # A string value is never split between pieces, so neither is a surrogate pair.
        while block := "".join(islice(pieces, _PIECES)):
            out.write(without_surrogates(block))
        out.write("\n")
