"""``status.json``: the machine-readable report (schema in ``status.schema.json``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


class JsonFormat:
    name = "json"
    filename = "status.json"

    def render(self, status: Mapping[str, Any]) -> str:
        return json.dumps(status, indent=2, ensure_ascii=False) + "\n"
