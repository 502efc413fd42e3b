"""Where a response sends the reader: its ``Location`` URL, or a short refresh (the
``Refresh`` header, a page's ``<meta http-equiv="refresh">``, or a stub page's script
redirect), read the way a browser reads them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import unquote, urljoin, urlsplit

import idna
import requests

from checks.http.mediatype import HTML_TYPES, media_type
from checks.http.refresh import META_REFRESH_MAX_DELAY_S, meta_refresh, parse_refresh
from checks.http.scriptredirect import script_redirect

# A meta refresh sits in the page's head: the first bytes are enough to find it. A page
# longer than this is no stub page whose script redirect could be followed: its text past
# these bytes is unseen, and may be what readers come for.
_REFRESH_SCAN = 64 * 1024
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")


class BadLocation(ValueError):
    """The URL a response points to cannot be made into a URL to fetch."""

    def __init__(self, location: str, why: str) -> None:
        super().__init__(f"{location!r}: {why}")
        self.location = location


def header_text(value: str) -> str:
    """A header value as the server wrote it.

    ``http.client`` decodes header bytes as Latin-1, but a server that puts non-ASCII
    in ``Location`` nearly always writes UTF-8 (requests' ``get_redirect_target``
    re-reads the value the same way). Bytes that are not UTF-8 stay Latin-1.
    """
    try:
        raw = value.encode("latin-1")
    except UnicodeEncodeError:
        return value  # already text, not bytes read as Latin-1
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return value


def resolve(base: str, location: str) -> str:
    """The absolute URL ``location`` names, relative to ``base`` (fragment kept).

    A Unicode or percent-encoded host name becomes its IDNA (punycode) form, as
    browsers and requests' ``prepare_url`` make it; spaces and non-ASCII elsewhere
    are percent-encoded as UTF-8; backslashes before the query are slashes, as
    browsers read them in http(s) URLs (``Location: \\reports\\2019.html``). Raises
    :class:`BadLocation` for what no browser could follow.
    """
    try:
        absolute = urljoin(base, _as_browsers_read(base, location))
        return requests.utils.requote_uri(_ascii_host(absolute))
    except (ValueError, requests.exceptions.InvalidURL) as exc:
        raise BadLocation(location, str(exc)) from None


def _as_browsers_read(base: str, location: str) -> str:
    """``location`` as the URL standard parses it against an http(s) ``base``: tabs and
    line breaks dropped, and a backslash before the query or fragment read as a slash
    (servers on Windows write paths that way, and browsers follow them)."""
    location = _TAB_OR_NEWLINE.sub("", location)
    scheme = _SCHEME.match(location)
    named = scheme.group(1) if scheme else urlsplit(base).scheme
    if named.lower() not in ("http", "https") or "\\" not in location:
        return location
    end = min((i for i in (location.find("?"), location.find("#")) if i >= 0), default=None)
    head, tail = (location, "") if end is None else (location[:end], location[end:])
    return head.replace("\\", "/") + tail


def refresh_target(url: str, headers: Mapping[str, str], body: bytes) -> str | None:
    """Where a short refresh of the answer for ``url`` sends the reader, or None.

    The ``Refresh`` header (PHP's ``header("Refresh: 0; url=...")``) comes first: a
    browser applies it before the page is parsed, and a page refreshes only once.
    Then an HTML ``body``'s ``<meta http-equiv="refresh">``; last, when the whole page
    fits in the bytes scanned, the script of a stub page that only sends the reader on
    (:func:`~checks.http.scriptredirect.script_redirect`), read as a refresh after the
    script's delay. ``headers`` have lower-case names. A refresh to the same URL, or
    after a long delay, is a page reloading itself, not a redirect. Raises
    :class:`BadLocation`.
    """
    header = headers.get("refresh")
    found = parse_refresh(header_text(header)) if header else None
    if found is None and body and media_type(headers.get("content-type")) in HTML_TYPES:
        found = _in_page(body)
    if found is None:
        return None
    delay, target = found
    if target is None or delay > META_REFRESH_MAX_DELAY_S:
        return None
    resolved = resolve(url, target)
    if without_fragment(resolved) == without_fragment(url):
        return None
    return resolved


def _in_page(body: bytes) -> tuple[float, str | None] | None:
    """The (delay, url) of the refresh an HTML page holds, if any."""
    text = body[:_REFRESH_SCAN].decode("utf-8", errors="replace")
    found = meta_refresh(text)
    if found is None and len(body) <= _REFRESH_SCAN:
        return script_redirect(text)
    return found


def without_fragment(url: str) -> str:
    """``url`` without its ``#fragment``."""
    return url.partition("#")[0]


def site_host(url: str) -> str:
    """The host ``url`` names, in the one form two spellings of it share: IDNA (UTS 46)
    encoded, lower-cased, without a trailing dot or a leading ``www.``; "" when none.

    Redirect targets are sent with their host encoded while a cited URL keeps the
    Unicode a person wrote, so both must be brought to the same form to compare.
    Raises ValueError for a URL that cannot be split.
    """
    name = unquote(urlsplit(url).hostname or "", errors="strict").rstrip(".")
    if name:
        try:
            name = idna.encode(name, uts46=True).decode("ascii")
        except idna.IDNAError:
            # A name IDNA refuses (an underscore, say) is still compared as written.
            return name.lower().removeprefix("www.")
    return name.lower().removeprefix("www.")


def _ascii_host(url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    if netloc.isascii() and "%" not in netloc:
        return url
    userinfo, at, hostport = netloc.rpartition("@")
    if hostport.startswith("["):
        return url  # an IP literal has no name to encode
    host, colon, port = hostport.partition(":")
    # The URL standard's host parser: percent-decode the name as UTF-8, then map it
    # to ASCII (UTS 46, as requests does with the same library).
    name = unquote(host, errors="strict")
    try:
        ascii_name = idna.encode(name, uts46=True).decode("ascii") if name else name
    except idna.IDNAError as exc:
        raise BadLocation(url, f"host name {name!r} is not valid ({exc})") from None
    return parts._replace(netloc=f"{userinfo}{at}{ascii_name}{colon}{port}").geturl()
