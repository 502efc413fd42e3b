"""The record of one fetch: what came back for a URL, or the failure that ended it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from checks import verdict
from checks.http.mediatype import (
    SNIFF_BYTES,
    effective_content_type,
    media_type,
    sniffed_media_type,
)
from checks.model import ErrorKind, RedirectHop


@dataclass(frozen=True)
class Fetched:
    """The outcome of fetching one URL (after redirects), or the failure that ended it."""

    url: str
    final_url: str
    method: str
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""
    hops: tuple[RedirectHop, ...] = ()
    attempts: int = 1
    elapsed_ms: float = 0.0
    error_kind: ErrorKind | None = None
    error: str | None = None
    gave_up: str | None = None  # why retrying stopped before the retry budget ran out
    truncated_at: int | None = None  # the body hit this cap and was cut there
    body_problem: str | None = None  # the body could not be decoded
    body_cut: str | None = None  # why the body broke off early (what came is kept)
    https_upgrade: str | None = None  # why plain http was left for https (it answered)
    tls_expires_at: datetime | None = None
    tls_host: str | None = None

    @property
    def succeeded(self) -> bool:
        """A 2xx response with no failure while reading it."""
        return (
            self.error_kind is None and self.status is not None and verdict.is_success(self.status)
        )

    @property
    def not_modified(self) -> bool:
        """A 304 answer to a conditional request."""
        return (
            self.error_kind is None
            and self.status is not None
            and (verdict.is_not_modified(self.status))
        )

    @property
    def content_type(self) -> str | None:
        """The Content-Type header as served."""
        return self.headers.get("content-type")

    @property
    def mime(self) -> str | None:
        """The media type without parameters, lower case."""
        return media_type(self.content_type)

    @property
    def effective_content_type(self) -> str | None:
        """The Content-Type value that counts, when several were served."""
        return effective_content_type(self.content_type)

    @property
    def document_type(self) -> str | None:
        """The media type of the body as read: the label, unless the first bytes show
        a PDF or an HTML page that the label hides."""
        return sniffed_media_type(self.mime, self.body[:SNIFF_BYTES])
