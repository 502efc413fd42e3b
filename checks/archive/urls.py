"""Pure functions for Wayback- and pywb-style replay URLs
(``<base>/web/<timestamp><modifier>/<original>``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import urlsplit

_WAYBACK_PATH = re.compile(r"/(\d{1,14})(?:[a-z]{2}_)?/([a-z][a-z0-9+.-]*:.+|www\..+)$")


def wayback_original(url: str) -> str | None:
    """The original URL inside a Wayback-style replay URL, default ports dropped."""
    match = _WAYBACK_PATH.search(urlsplit(url).path + _query(url))
    if not match:
        return None
    return strip_default_port(match.group(2))


def wayback_timestamp(url: str) -> str | None:
    """The timestamp inside a Wayback-style replay URL."""
    match = _WAYBACK_PATH.search(urlsplit(url).path)
    return match.group(1) if match else None


def human_url(url: str) -> str:
    """A replay URL without its replay modifier (``id_``), as a reader should see it."""
    return re.sub(r"(/\d{1,14})[a-z]{2}_/", r"\1/", url, count=1)


def raw_url(url: str) -> str:
    """A pywb/Wayback-style memento URL with the ``id_`` modifier (original bytes);
    other URLs unchanged."""
    return re.sub(r"(/\d{14})(?:[a-z]{2}_)?/(?=[a-z][a-z0-9+.-]*:|www\.)", r"\1id_/", url, count=1)


def strip_default_port(url: str) -> str:
    """``http://host:80/x`` -> ``http://host/x`` (CDX records the port)."""
    parts = urlsplit(url)
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    try:
        port = parts.port
    except ValueError:
        return url
    if default is None or port != default or parts.hostname is None:
        return url
    netloc = parts.netloc.rsplit(":", 1)[0]
    return parts._replace(netloc=netloc).geturl()


def parse_timestamp(stamp: str) -> datetime | None:
    """A 1-14 digit Wayback timestamp (padded to the lower bound) as a UTC datetime."""
    if not stamp.isdigit() or not 4 <= len(stamp) <= 14:
        return None
    padded = stamp + "0101000000"[len(stamp) - 4 :] if len(stamp) < 14 else stamp
    try:
        return datetime.strptime(padded, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _query(url: str) -> str:
    query = urlsplit(url).query
    return "?" + query if query else ""
