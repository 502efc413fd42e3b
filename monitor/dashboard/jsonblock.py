"""JSON that can sit inside an HTML ``<script type="application/json">`` element."""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

# Characters that could end the element or start markup inside it, and the two line
# separators JavaScript once treated as newlines inside string literals.
_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}
_TABLE = str.maketrans(_ESCAPES)


def json_for_html(value: Any) -> Markup:
    """``value`` as JSON with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped.

    The result is safe to place verbatim inside a script data block: no data can close
    the element, and ``JSON.parse`` of the element's text gives ``value`` back.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return Markup(text.translate(_TABLE))
