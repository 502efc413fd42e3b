"""The request of one hop, prepared the way ``requests`` would, without its general path.

``requests.Request(...).prepare()`` runs every hop through machinery for bodies, params,
auth, hooks and arbitrary URLs. A check sends only GET and HEAD without a body to URLs
already vetted by :mod:`checks.netpolicy`, and most of them are already in the exact form
that ``prepare_url`` would produce. :func:`prepare` gives the same
:class:`~requests.PreparedRequest` as the general path (same URL, headers and
``Cookie`` header), taking the general path for anything it does not recognise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from http.cookiejar import CookieJar

import requests
from requests.models import PreparedRequest

# URLs that requests' prepare_url (urllib3's parse_url normalisation, then
# requote_uri) returns unchanged: lower-case scheme and host name, an optional port
# without leading zeros, and a path and query made of characters that are never
# re-encoded. No "%" (percent-escapes get normalised), no IPv6 literal, no user info,
# no fragment, no non-ASCII. A missing path becomes "/" (as in prepare_url).
_PLAIN_URL = re.compile(
    r"https?://[a-z0-9][a-z0-9.\-]*(?::[1-9][0-9]{0,4})?"
    r"(?P<path>/[A-Za-z0-9\-._~!$&'()*+,;=:@/]*)?"
    r"(?:\?[A-Za-z0-9\-._~!$&'()*+,;=:@/?]+)?"
)
# "." and ".." path segments are removed by the normalisation.
_DOT_SEGMENT = re.compile(r"/\.\.?(?:/|$)")
_BODYLESS = frozenset({"GET", "HEAD"})


def prepare(
    method: str, url: str, headers: Mapping[str, str], cookies: CookieJar
) -> PreparedRequest:
    """The request ``requests.Request(method, url, headers, cookies=cookies).prepare()``
    gives, made faster for the bodiless requests of a check.

    Raises what ``prepare`` raises for an invalid URL or header.
    """
    if method not in _BODYLESS:
        request = requests.Request(method, url, headers=dict(headers), cookies=cookies)
        return request.prepare()
    prepared = PreparedRequest()
    prepared.method = method
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None and plain.group("path") is None:
        prepared.url = url + "/" if "?" not in url else url.replace("?", "/?", 1)
    elif plain is not None and not _DOT_SEGMENT.search(plain.group("path")):
        prepared.url = url
    else:
        plain = None
        prepared.prepare_url(url, None)
    prepared.prepare_headers(headers)  # validates every name and value, as prepare does
    if len(cookies):
        prepared.prepare_cookies(cookies)
    else:
        # An empty jar adds no Cookie header; only the reference is kept.
        prepared._cookies = cookies  # type: ignore[attr-defined]  # (untyped in the stubs)
    if plain is None:
        # User info in the URL becomes an Authorization header (checks refuse such
        # URLs before any request; this keeps the result the same regardless).
        prepared.prepare_auth(None, url)
    return prepared
