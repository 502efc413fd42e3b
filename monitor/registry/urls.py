"""Whether a string written in the registry is a checkable http(s) URL."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")
_FORBIDDEN = re.compile(r"[\s\x00-\x1f\x7f<>\"\\^`{|}]")


def url_problem(url: str) -> str | None:
    """Return why *url* is not an absolute http(s) URL with a host, or None if it is."""
    got = f"expected an http(s) URL, got {url!r}"
    if not url:
        return "expected an http(s) URL, got an empty string"
    if _FORBIDDEN.search(url):
        # Spaces and quotes are usually copy-paste damage; percent-encode them if meant.
        return f"{got}: it contains a space, quote or control character"
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a port out of range or not a number
    except ValueError as exc:
        reason = str(exc)
        return f"{got}: {reason[:1].lower()}{reason[1:]}"
    if parts.scheme.lower() not in ("http", "https"):
        return got
    host = parts.hostname
    if not parts.netloc or not host:
        return f"{got}: it has no host"
    if port == 0:
        return f"{got}: port 0 is not usable"
    return None if _host_ok(host) else f"{got}: {host!r} is not a valid host name"


def _host_ok(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        # IDNA turns an internationalised name into the ASCII form a resolver sees.
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    labels = ascii_host.removesuffix(".").split(".")
    return all(_LABEL.fullmatch(label) for label in labels)
