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


def age(value: Any, now: datetime) -> str:
    """How long ago, in the largest whole unit: ``3 days ago``."""
    at = as_datetime(value)
    if at is None:
        return ""
    seconds = (now - at).total_seconds()
    if seconds < 60:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"
