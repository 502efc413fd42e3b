"""Light URL normalisation, so a document and the registry can be compared."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21}
_TRAILING = ".,;:!?"


def _strip_trailing(url: str) -> str:
    # Bare-URL detection can swallow the sentence's punctuation; a ")" is kept only
    # when it closes a "(" inside the URL, as in Wikipedia-style paths.
    while url:
        unbalanced = url[-1] == ")" and url.count(")") > url.count("(")
        if url[-1] not in _TRAILING and not unbalanced:
            break
        url = url[:-1]
    return url


# A report matches each source's URL several times over (its citations, the status
# document); remembering recent answers spares the parsing.
@lru_cache(maxsize=1 << 16)
def normalize_url(url: str) -> str:
    """The form in which two spellings of the same URL compare equal.

    Strips trailing punctuation, lower-cases scheme and host, drops a default port and
    gives an empty path its "/". The scheme is kept: http and https are different URLs.
    """
    url = _strip_trailing(url.strip())
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if not scheme or not host:
        return url
    netloc = host if ":" not in host else f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    userinfo = parts.netloc.rpartition("@")[0]
    if userinfo:
        netloc = f"{userinfo}@{netloc}"
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, parts.query, parts.fragment))
