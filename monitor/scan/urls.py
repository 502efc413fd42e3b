"""Light URL normalisation, so a document and the registry can be compared."""

from __future__ import annotations

import re
import unicodedata
from contextlib import suppress
from functools import cache, lru_cache
from urllib.parse import urlsplit, urlunsplit

from markdown_it.common.normalize_url import normalizeLink

_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}
# ASCII characters that end a sentence or a table cell rather than a URL. Other ASCII
# punctuation ("/", "#", "&", "*", ...) means something in a URL and stays.
_TRAILING = frozenset(".,;:!?|")
# Outside ASCII, closing quotes (Pf) and other punctuation (Po: "…", "。", "、") belong
# to the prose; closing brackets (Pe) too, unless they close a bracket of the URL.
_TRAILING_CATEGORIES = frozenset({"Pf", "Po"})
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
# What markdown-it's link encoding leaves as it is (no "%": an escape may change case).
_NOTHING_TO_ENCODE = re.compile(r"[A-Za-z0-9;/?:@&=+$,\-_.!~*'()#]*")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


@cache
def _opening_bracket(closing: str) -> str | None:
    """The bracket that ``closing`` closes, e.g. "(" for ")" and "「" for "」"."""
    # Unicode names most pairs by their side ("RIGHT SQUARE BRACKET"); the others sit
    # next to each other in the code table.
    name = unicodedata.name(closing, "")
    swapped = name.replace("RIGHT", "\0").replace("LEFT", "RIGHT").replace("\0", "LEFT")
    candidates = [chr(ord(closing) - 1)]
    with suppress(KeyError):
        candidates.insert(0, unicodedata.lookup(swapped))
    return next((c for c in candidates if unicodedata.category(c) == "Ps"), None)


def _ends_prose(url: str) -> bool:
    last = url[-1]
    if last in _TRAILING:
        return True
    category = unicodedata.category(last)
    if category == "Pe":
        opening = _opening_bracket(last)
        return opening is None or url.count(last) > url.count(opening)
    return not last.isascii() and category in _TRAILING_CATEGORIES


def strip_trailing_punctuation(url: str) -> str:
    """``url`` without the punctuation of the prose or table it was written in.

    Bare-URL detection can swallow a sentence's full stop, a closing quote ("”", "»"),
    an ellipsis, an ideographic full stop or a table's "|". A closing bracket stays
    when it closes one opened inside the URL, as in Wikipedia-style paths.
    """
    while url and _ends_prose(url):
        url = url[:-1]
    return url


def _unicode_host(host: str) -> str:
    """``host`` in lower-case Unicode, whether it was written in Unicode or punycode."""
    labels = []
    for label in host.split("."):
        if label.startswith("xn--"):
            with suppress(UnicodeError):
                label = label[4:].encode("ascii").decode("punycode")
        labels.append(label.lower())
    return ".".join(labels)


def _escape(match: re.Match[str]) -> str:
    # RFC 3986, 6.2.2: escapes compare in upper case, and an escaped unreserved
    # character is the character itself.
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else match.group().upper()


# A report matches each source's URL several times over (its citations, the status
# document); remembering recent answers spares the parsing.
@lru_cache(maxsize=1 << 16)
def normalize_url(url: str) -> str:
    """The form in which two spellings of the same URL compare equal.

    Strips trailing punctuation, lower-cases scheme and host, drops a default port and
    gives an empty path its "/". The scheme is kept: http and https are different URLs.
    Non-ASCII characters and brackets are encoded as markdown-it encodes a document's
    links (punycode host, percent-escapes), so a URL compares equal however it is
    spelt, in the registry or in a document.
    """
    url = strip_trailing_punctuation(url.strip())
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = _unicode_host(parts.hostname or "")
    if not scheme or not host:
        return url
    netloc = host if ":" not in host else f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    userinfo = parts.netloc.rpartition("@")[0]
    if userinfo:
        netloc = f"{userinfo}@{netloc}"
    path = parts.path or "/"
    written = urlunsplit((scheme, netloc, path, parts.query, parts.fragment))
    if _NOTHING_TO_ENCODE.fullmatch(written):
        return written  # the common case, four times faster
    return _ESCAPE.sub(_escape, normalizeLink(written))
