"""Fetching: one URL, hop by hop, under caps, with failures classified once.

:func:`fetch` is the entry; :class:`Fetched` is what it returns. Only this package and
:mod:`checks.verdict` look at HTTP status codes or catch ``requests`` exceptions.
"""

from checks.http.body import body_cap
from checks.http.charset import repair_declared_utf8
from checks.http.errors import classify_exception
from checks.http.fetch import fetch
from checks.http.fetched import Fetched
from checks.http.mediatype import (
    HTML_TYPES,
    PDF_TYPES,
    effective_content_type,
    media_type,
    sniffed_media_type,
)
from checks.http.refresh import meta_refresh
from checks.http.retryafter import retry_after_s

__all__ = [
    "HTML_TYPES",
    "PDF_TYPES",
    "Fetched",
    "body_cap",
    "classify_exception",
    "effective_content_type",
    "fetch",
    "media_type",
    "meta_refresh",
    "repair_declared_utf8",
    "retry_after_s",
    "sniffed_media_type",
]
