"""``status.json``: the machine-readable report (schema in ``status.schema.json``).

The document's outline is indented; each record of its lists (a source, a document, a
reference) is one line. A diff then shows which sources changed, line by line, and the
records are encoded by ``json``'s C encoder, which indented output cannot use: with
10,000 sources, that takes the report from about 0.3 s to under 0.1 s.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, TextIO

from monitor.reports.formats.base import StreamedFormat, without_surrogates

# Records encoded before each write: few writes, little held at once.
_RECORDS = 256

# ``ensure_ascii=False`` keeps text readable; the separators are those of indented JSON.
_RECORD = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))
_OUTLINE = json.JSONEncoder(ensure_ascii=False, indent=2)


class JsonFormat(StreamedFormat):
    name = "json"
    filename = "status.json"

    def write(self, status: Mapping[str, Any], out: TextIO) -> None:
        out.write("{")
        for number, (key, value) in enumerate(status.items()):
            out.write(f"{',' if number else ''}\n  {_RECORD.encode(str(key))}: ")
            if _is_records(value):
                _write_records(value, out)
            else:
                out.write(without_surrogates(_OUTLINE.encode(value).replace("\n", "\n  ")))
        out.write("\n}\n" if status else "}\n")


def _is_records(value: object) -> bool:
    return isinstance(value, list) and bool(value) and isinstance(value[0], Mapping)


def _write_records(records: list[Any], out: TextIO) -> None:
    out.write("[")
    for start in range(0, len(records), _RECORDS):
        # A string value is never split between records, so neither is a surrogate pair.
        lines = ",\n    ".join(_RECORD.encode(r) for r in records[start : start + _RECORDS])
        out.write(f"{',' if start else ''}\n    {without_surrogates(lines)}")
    out.write("\n  ]")
