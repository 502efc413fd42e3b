"""Fetching one capture's bytes from an archive, following redirects inside it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import requests

from checks import netpolicy
from checks.archive.config import ArchiveConfig
from checks.archive.linkformat import parse_links
from checks.archive.ratelimit import ArchiveLimiter, Family, is_memento
from checks.archive.reading import ACCEPT_ENCODING, read_capped
from checks.archive.records import Replay
from checks.archive.urls import wayback_original

_RUNTIME_ERROR = "X-Archive-Wayback-Runtime-Error"


class ReplayRefused(Exception):
    """The capture is on a host the network policy refuses; nothing was fetched from it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def fetch_replay(
    url: str,
    config: ArchiveConfig,
    *,
    session: requests.Session,
    limiter: ArchiveLimiter,
    expect_pdf: bool = False,
) -> Replay:
    """Fetch a capture, following the archive's redirects (its own "nearest capture"
    redirects and replayed archived ones) up to ``config.max_replay_redirects``.

    Bodies are streamed and cut at ``max_bytes_pdf`` (PDFs) or ``max_bytes_other``
    (``truncated``), within ``replay_deadline_s``. Raises
    :class:`checks.archive.ratelimit.ArchiveUnavailable` when the archive cannot serve
    it at all, or not in full (a body cut short by the network, a stalled reply).

    A capture off the configured archives (a memento a TimeMap lists on another host)
    is fetched under the network policy, like a source: :class:`ReplayRefused` when
    its URL or the address it resolves to is refused.
    """
    home = urlsplit(url).netloc.lower()
    redirects: list[str] = []
    archived_redirect = False
    current = url
    while True:
        try:
            response = limiter.request(
                _session_for(current, config, session),
                "GET",
                current,
                family=Family.REPLAY,
                headers={"User-Agent": config.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
                timeout=(config.timeout_s, config.timeout_s),
                allow_redirects=False,
                stream=True,
            )
        except (netpolicy.PolicyViolation, netpolicy.InvalidURL) as exc:
            raise ReplayRefused(f"refused by the network policy: {exc.reason}") from exc
        with response:
            location = response.headers.get("Location")
            redirect = response.is_redirect and location
            if redirect and len(redirects) < config.max_replay_redirects:
                target = urljoin(current, location)
                # Only follow within the archive: a redirect out of it is an archived
                # redirect that the archive did not rewrite, and ends the chain.
                if urlsplit(target).netloc.lower() == home:
                    redirects.append(current)
                    archived_redirect = archived_redirect or is_memento(response)
                    current = target
                    continue
            content_type = response.headers.get("Content-Type")
            body, truncated = _read_capped(response, config, expect_pdf)
            return Replay(
                requested_url=url,
                final_url=current,
                status=response.status_code,
                is_memento=is_memento(response),
                memento_datetime=parse_http_date(response.headers.get("Memento-Datetime")),
                content_type=content_type,
                body=body,
                truncated=truncated,
                original_url=_original_url(response, current),
                redirects=tuple(redirects),
                archived_redirect=archived_redirect,
                runtime_error=response.headers.get(_RUNTIME_ERROR),
            )


def _session_for(url: str, config: ArchiveConfig, session: requests.Session) -> requests.Session:
    """The caller's session for the configured archives; for any other host, one whose
    connections go only to addresses the policy allows (resolved, checked and
    connected to, so that a name cannot rebind) and never through a proxy."""
    if config.is_configured_archive(url):
        return session
    netpolicy.vet_url(url, allow_private=config.allow_private)
    sessions: dict[bool, requests.Session] | None = getattr(_guarded, "sessions", None)
    if sessions is None:
        sessions = _guarded.sessions = {}
    guarded = sessions.get(config.allow_private)
    if guarded is None:
        guarded = requests.Session()
        guarded.trust_env = False  # no environment proxies or .netrc credentials
        adapter = netpolicy.GuardedAdapter(
            netpolicy.AddressGuard(config.allow_private), pool_connections=8, pool_maxsize=2
        )
        guarded.mount("http://", adapter)
        guarded.mount("https://", adapter)
        sessions[config.allow_private] = guarded
    return guarded


# One session per thread and policy for captures off the configured archives.
_guarded = threading.local()


def _read_capped(
    response: requests.Response, config: ArchiveConfig, expect_pdf: bool
) -> tuple[bytes, bool]:
    declared_pdf = "pdf" in (response.headers.get("Content-Type") or "").lower()
    cap = config.max_bytes_pdf if expect_pdf or declared_pdf else config.max_bytes_other
    body = read_capped(
        response,
        cap=cap,
        deadline_s=config.replay_deadline_s,
        read_timeout=config.timeout_s,
        what="archive replay",
    )
    return body.data, body.truncated


def _original_url(response: requests.Response, url: str) -> str | None:
    for link in parse_links(response.headers.get("Link", ""), base=url):
        if "original" in link.rels:
            return link.uri
    return wayback_original(url)


def parse_http_date(value: str | None) -> datetime | None:
    """An HTTP-date (RFC 1123) as an aware datetime, or None when absent or malformed."""
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed
