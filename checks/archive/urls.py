"""Pure functions for Wayback- and pywb-style replay URLs
(``<base>/web/<timestamp><modifier>/<original>``)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from urllib.parse import quote, unquote, urlsplit

import idna

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


def same_resource(cited: str, archived: str) -> bool:
    """Whether an archive's ``original`` names the cited resource.

    Archive indexes fold case, query order and more into one key, so they list
    captures of other resources under the cited one; only the differences that
    never change the resource are forgiven: scheme, ``www.``, a default port, a
    trailing slash, letter case in the host and in percent escapes.
    """
    return resource_key(cited) == resource_key(archived)


def resource_key(url: str) -> str:
    """``url`` reduced to what :func:`same_resource` compares."""
    if "://" not in url.split("?", 1)[0]:
        url = "http://" + url
    parts = urlsplit(strip_default_port(url))
    host = _ascii_host(parts.netloc.rsplit("@", 1)[-1]).lower()
    host = host.removeprefix("www.")
    path = _escapes(_encoded(parts.path)).rstrip("/")
    query = "?" + _escapes(_encoded(parts.query)) if parts.query else ""
    return host + path + query


def _ascii_host(host: str) -> str:
    # Indexes store the punycode a resolver sees; a registry may write the name.
    if host.isascii():
        return host
    try:
        # UTS 46 as browsers apply it: "faß.de" is xn--fa-hia.de, not fass.de.
        return idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return host


def _encoded(part: str) -> str:
    # Non-ASCII characters as the UTF-8 escapes a browser sends (and an index stores).
    return part if part.isascii() else quote(part, safe=_PRINTABLE_ASCII)


_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_PRINTABLE_ASCII = "".join(chr(code) for code in range(0x21, 0x7F))
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _escapes(text: str) -> str:
    # %7e and ~ are the same URL (RFC 3986 6.2.2); %2F and / are not.
    def one(match: re.Match[str]) -> str:
        char = unquote(match.group(0))
        return char if char in _UNRESERVED else match.group(0).upper()

    return _ESCAPE.sub(one, text)


def is_ascii_digits(text: str) -> bool:
    """True for a non-empty string of the digits 0-9 only (``"²".isdigit()`` is True)."""
    return bool(text) and text.isascii() and text.isdigit()


def parse_timestamp(stamp: str) -> datetime | None:
    """A 1-14 digit Wayback timestamp (padded to the lower bound) as a UTC datetime."""
    if not is_ascii_digits(stamp) or not 4 <= len(stamp) <= 14:
        return None
    padded = stamp + "0101000000"[len(stamp) - 4 :] if len(stamp) < 14 else stamp
    try:
        return datetime.strptime(padded, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _query(url: str) -> str:
    query = urlsplit(url).query
    return "?" + query if query else ""
