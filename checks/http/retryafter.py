"""The ``Retry-After`` header (RFC 9110, 10.2.3): how long a server asks to be left
alone, read the same way for sources, archives and webhook receivers."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# Delay-seconds are ASCII digits; a decimal fraction is tolerated. Not "inf", "nan",
# "1e9", a sign or digits of other scripts, which float() and str.isdigit() take.
_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def retry_after_s(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delay-seconds or an HTTP date, as
    of ``now``), never negative; None when there is none or it cannot be read. The
    caller caps it: a server may ask for years."""
    if value is None:
        return None
    value = value.strip()
    if _SECONDS.fullmatch(value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())
