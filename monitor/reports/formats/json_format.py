"""``status.json``: the machine-readable report (schema in ``status.schema.json``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TextIO

from monitor.reports.formats.base import StreamedFormat


class JsonFormat(StreamedFormat):
    name = "json"
    filename = "status.json"

    def write(self, status: Mapping[str, Any], out: TextIO) -> None:
        json.dump(status, out, indent=2, ensure_ascii=False)
        out.write("\n")
