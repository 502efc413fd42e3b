"""Times as the dashboard writes them for people, from datetimes or ISO 8601 text."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def as_datetime(value: Any) -> datetime | None:
    """``value`` as a datetime: itself, or parsed from ISO 8601; None otherwise."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def when(value: Any) -> str:
    """``2026-03-01 09:30``; anything that is not a time, as it is."""
    at = as_datetime(value)
    return at.strftime("%Y-%m-%d %H:%M") if at else str(value or "")


def clock(value: Any) -> str:
    """``09:30``; empty for anything that is not a time."""
    at = as_datetime(value)
    return at.strftime("%H:%M") if at else ""


def day(value: Any) -> str:
    """``2026-03-01``; anything that is not a time, as it is."""
    at = as_datetime(value)
    return at.strftime("%Y-%m-%d") if at else str(value or "")


def _span(seconds: float) -> str | None:
    """A length of time in its largest whole unit (``3 days``); None under a minute."""
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return None


def age(value: Any, now: datetime) -> str:
    """How long ago, in the largest whole unit: ``3 days ago``."""
    at = as_datetime(value)
    if at is None:
        return ""
    span = _span((now - at).total_seconds())
    return f"{span} ago" if span else "just now"


def lasted(value: Any, now: datetime) -> str:
    """How long from ``value`` to ``now``, saying when ``now`` was:
    ``for 3 days as of 2026-03-04 08:00 UTC``.

    For pages kept as written until their source is checked again, where "3 days ago"
    would stay "3 days ago" for as long as the page is read.
    """
    at = as_datetime(value)
    if at is None:
        return ""
    span = _span((now - at).total_seconds()) or "under a minute"
    return f"for {span} as of {when(now)} UTC"
