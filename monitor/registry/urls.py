"""Whether a string written in the registry is a checkable http(s) URL, and the form in
which two spellings of one URL compare equal."""

from __future__ import annotations

import functools
import ipaddress
import re
import unicodedata
from contextlib import suppress
from urllib.parse import quote as percent_encode
from urllib.parse import urlsplit, urlunsplit

from monitor.registry.errors import char_name, quote

_LABEL = re.compile(r"(?!-)[a-z0-9_-]{1,63}(?<!-)")
# Usually copy-paste damage; percent-encoded if meant.
_SPACE_QUOTE_CONTROL = re.compile(r"[\s\x00-\x1f\x7f\"]")
# Printable ASCII that a URL may only hold percent-encoded (RFC 3986, 2).
_UNSAFE = re.compile(r"[<>\\^`{|}]")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Everything printable in ASCII, "%" included: only other characters get encoded.
_ASCII = "".join(chr(c) for c in range(0x21, 0x7F))


def url_problem(url: str) -> str | None:
    """Return why *url* is not an absolute http(s) URL with a host, or None if it is."""
    got = f"expected an http(s) URL, got {quote(url)}"
    if not url:
        return "expected an http(s) URL, got an empty string"
    if _SPACE_QUOTE_CONTROL.search(url):
        return f"{got}: it contains a space, quote or control character"
    char = _unwritten(url)
    if char is not None:
        if char.isascii():
            return f"{got}: it contains {char_name(char)}; write it as %{ord(char):02X}"
        # Zero-width spaces, soft hyphens, byte-order marks and direction marks: invisible
        # in the file, they still make a different URL.
        return f"{got}: it contains the invisible character {char_name(char)}"
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
    return None if _host_ok(host) else f"{got}: {quote(host)} is not a valid host name"


def _unwritten(url: str) -> str | None:
    """The first character a URL cannot hold as it is: unsafe ASCII, or a format (Cf)."""
    unsafe = _UNSAFE.search(url)
    if url.isascii():
        return unsafe.group() if unsafe else None
    end = unsafe.start() if unsafe else len(url)
    invisible = (c for c in url[:end] if not c.isascii() and unicodedata.category(c) == "Cf")
    return next(invisible, unsafe.group() if unsafe else None)


# A registry names a few hosts many times over; the IDNA and address parsing is slow.
@functools.lru_cache(maxsize=4096)
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


# A URL that :func:`comparable` would leave as it is, but for a default port.
_PLAIN_CHARS = r"[A-Za-z0-9\-._~!$&'()*+,;=:@/]"
_PLAIN_URL = re.compile(
    rf"(?P<scheme>https?)://(?P<host>[a-z0-9.-]+)(?::(?P<port>[0-9]{{1,5}}))?"
    rf"/{_PLAIN_CHARS}*(?:\?(?:{_PLAIN_CHARS}|\?)+)?(?:#(?:{_PLAIN_CHARS}|\?)+)?"
)


def comparable(url: str) -> str:
    """*url* (one :func:`url_problem` accepts) in the form in which two spellings of the
    same URL are equal: scheme and host in lower case, the host in Unicode even if
    written in punycode, no default port, "/" for an empty path, percent-escapes in one
    case and only where needed. Path, query and fragment keep their case: a server may
    tell them apart."""
    plain = _PLAIN_URL.fullmatch(url)
    if plain and "xn--" not in plain["host"]:
        # Already in that form but perhaps for a default port: five times faster.
        port = plain["port"]
        if port is None or int(port) != _DEFAULT_PORTS.get(plain["scheme"]):
            return url
        return url[: plain.start("port") - 1] + url[plain.end("port") :]
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = _unicode_host(parts.hostname or "")
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None and parts.port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{parts.port}"
    userinfo, at, _ = parts.netloc.rpartition("@")
    if at:
        netloc = f"{userinfo}@{netloc}"
    rest = (_escapes(parts.path or "/"), _escapes(parts.query), _escapes(parts.fragment))
    return urlunsplit((scheme, netloc, *rest))


def _unicode_host(host: str) -> str:
    labels = []
    for label in host.lower().split("."):
        if label.startswith("xn--"):
            with suppress(UnicodeError):
                label = label[4:].encode("ascii").decode("punycode")
        labels.append(label)
    return ".".join(labels)


def _escapes(part: str) -> str:
    # RFC 3986, 6.2.2: escapes compare in upper case, an escaped unreserved character is
    # the character itself, and other characters are sent as UTF-8 escapes.
    return _ESCAPE.sub(_escape, percent_encode(part, safe=_ASCII))


def _escape(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else match.group().upper()
