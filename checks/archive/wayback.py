"""Internet Archive Wayback Machine lookups: the CDX index first, the Availability
API only as a second opinion."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

from checks.archive.cache import KeyedLocks, LookupCache, cached_json
from checks.archive.config import ArchiveConfig
from checks.archive.ratelimit import ArchiveLimiter, ArchiveUnavailable, BudgetExhausted, Family
from checks.archive.records import Capture
from checks.archive.urls import (
    parse_timestamp,
    strip_default_port,
    wayback_original,
    wayback_timestamp,
)

ARCHIVE_NAME = "wayback"
CDX_FIELDS = ("timestamp", "original", "statuscode", "mimetype", "digest", "length")
_BLOCKED_MARKERS = ("AdministrativeAccessControlException", "RobotAccessControlException")


@dataclass(frozen=True)
class CdxAnswer:
    """Captures found for a URL across its variants, and what went wrong on the way."""

    captures: tuple[Capture, ...] = ()
    errors: tuple[str, ...] = ()
    excluded: bool = False


def url_variants(url: str) -> tuple[str, ...]:
    """The URL as cited, then without scheme, with the other scheme, and with and
    without ``www.``: the Wayback indexes answer differently by scheme."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return (url,)
    host = parts.netloc
    other_host = host[4:] if host.lower().startswith("www.") else "www." + host
    other_scheme = "http" if parts.scheme.lower() == "https" else "https"
    variants = [
        url,
        urlunsplit(("", host, parts.path, parts.query, "")).lstrip("/"),
        urlunsplit((other_scheme, host, parts.path, parts.query, "")),
        urlunsplit((parts.scheme, other_host, parts.path, parts.query, "")),
        urlunsplit((other_scheme, other_host, parts.path, parts.query, "")),
    ]
    return tuple(dict.fromkeys(variants))


def parse_cdx(payload: Any, config: ArchiveConfig) -> list[Capture]:
    """Captures from CDX ``output=json``: a header row naming the fields, then rows.
    ``"-"`` stands for an unknown value. Rows that cannot be read are skipped."""
    if not isinstance(payload, list) or len(payload) < 2 or not isinstance(payload[0], list):
        return []
    header = [str(name) for name in payload[0]]
    captures: list[Capture] = []
    for row in payload[1:]:
        if not isinstance(row, list) or len(row) != len(header):
            continue  # the empty row before a resume key, or garbage
        fields = {
            name: (None if value in ("-", "") else str(value))
            for name, value in zip(header, row, strict=True)
        }
        stamp, original = fields.get("timestamp"), fields.get("original")
        captured_at = parse_timestamp(stamp) if stamp else None
        if not stamp or not original or captured_at is None:
            continue
        status_text = fields.get("statuscode")
        status = int(status_text) if status_text and status_text.isdigit() else None
        captures.append(
            Capture(
                archive=ARCHIVE_NAME,
                captured_at=captured_at,
                url=config.replay_url(stamp, original, raw=False),
                replay_url=config.replay_url(stamp, original),
                original=strip_default_port(original),
                status=status,
                mimetype=fields.get("mimetype"),
            )
        )
    return captures


def cdx_captures(
    url: str,
    config: ArchiveConfig,
    *,
    session: requests.Session,
    limiter: ArchiveLimiter,
    cache: LookupCache | None,
    locks: KeyedLocks,
) -> CdxAnswer:
    """Captures of ``url`` from the CDX index, all statuses (archived redirects and
    errors are classified later, not filtered out here), one per distinct content.

    Variants are asked in turn until one yields any capture.
    Raises :class:`BudgetExhausted`; other failures are reported in ``errors``.
    """
    captures: list[Capture] = []
    errors: list[str] = []
    excluded = False
    for variant in url_variants(url)[: max(1, config.cdx_variants)]:
        try:
            payload = _cdx_rows(variant, config, session, limiter, cache, locks)
        except BudgetExhausted:
            raise
        except ArchiveUnavailable as exc:
            errors.append(f"CDX {variant}: {exc.reason}")
            continue
        if payload == "excluded":
            excluded = True
            break
        found = parse_cdx(payload, config)
        captures.extend(found)
        if found:
            # The index keys on a canonical form, so another variant would list the
            # same rows; variants only help when the answer is empty.
            break
    return CdxAnswer(tuple(captures), tuple(errors), excluded)


def _cdx_rows(
    variant: str,
    config: ArchiveConfig,
    session: requests.Session,
    limiter: ArchiveLimiter,
    cache: LookupCache | None,
    locks: KeyedLocks,
) -> Any:
    params = {
        "url": variant,
        "output": "json",
        "fl": ",".join(CDX_FIELDS),
        "collapse": "digest",
        "limit": str(config.cdx_limit),
    }

    def fetch() -> Any:
        response = limiter.request(
            session,
            "GET",
            config.cdx_url,
            family=Family.LOOKUP,
            params=params,
            headers={"User-Agent": config.user_agent},
            timeout=(config.timeout_s, config.timeout_s),
        )
        if response.status_code != 200:
            if any(marker in response.text for marker in _BLOCKED_MARKERS):
                return "excluded"
            raise ArchiveUnavailable(f"CDX answered HTTP {response.status_code}")
        if not response.content.strip():
            return []
        try:
            return response.json()
        except ValueError as exc:
            raise ArchiveUnavailable("CDX answer is not JSON") from exc

    def ttl(answer: Any) -> timedelta:
        return config.cache_ttl if answer else config.empty_cache_ttl

    key = f"cdx:{config.cdx_url}:{config.cdx_limit}:{variant}"
    return cached_json(cache, locks, key, fetch, ttl)


def availability_capture(
    url: str,
    moment: datetime | None,
    config: ArchiveConfig,
    *,
    session: requests.Session,
    limiter: ArchiveLimiter,
    cache: LookupCache | None,
    locks: KeyedLocks,
) -> Capture | None:
    """The Availability API's closest capture, or None when it reports nothing (which
    it also does for archived pages: never read that alone as "not archived").
    Raises :class:`ArchiveUnavailable`."""
    params = {"url": url}
    if moment is not None:
        params["timestamp"] = moment.astimezone(UTC).strftime("%Y%m%d%H%M%S")

    def fetch() -> Any:
        response = limiter.request(
            session,
            "GET",
            config.availability_url,
            family=Family.LOOKUP,
            params=params,
            headers={"User-Agent": config.user_agent},
            timeout=(config.timeout_s, config.timeout_s),
        )
        if response.status_code != 200:
            raise ArchiveUnavailable(f"Availability API answered HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError as exc:
            raise ArchiveUnavailable("Availability answer is not JSON") from exc

    def ttl(answer: Any) -> timedelta:
        return config.empty_cache_ttl

    key = "available:" + json.dumps([config.availability_url, params], sort_keys=True)
    return parse_availability(cached_json(cache, locks, key, fetch, ttl), config)


def parse_availability(payload: Any, config: ArchiveConfig) -> Capture | None:
    """The capture in an Availability API answer, or None."""
    if not isinstance(payload, dict):
        return None
    snapshots = payload.get("archived_snapshots")
    closest = snapshots.get("closest") if isinstance(snapshots, dict) else None
    if not isinstance(closest, dict) or closest.get("available") is False:
        return None
    snapshot_url = str(closest.get("url") or "")
    stamp = str(closest.get("timestamp") or wayback_timestamp(snapshot_url) or "")
    original = wayback_original(snapshot_url) or payload.get("url")
    captured_at = parse_timestamp(stamp)
    if not original or captured_at is None:
        return None
    status_text = str(closest.get("status") or "")
    return Capture(
        archive=ARCHIVE_NAME,
        captured_at=captured_at,
        url=config.replay_url(stamp, str(original), raw=False),
        replay_url=config.replay_url(stamp, str(original)),
        original=str(original),
        status=int(status_text) if status_text.isdigit() else None,
    )


def newest_capture(
    url: str,
    config: ArchiveConfig,
    *,
    session: requests.Session,
    limiter: ArchiveLimiter,
    cache: LookupCache | None = None,
    locks: KeyedLocks | None = None,
) -> datetime | None:
    """When ``url`` was last captured with a good status (for deciding whether to ask
    Save Page Now), or None. Raises :class:`ArchiveUnavailable` when the index cannot
    be asked for any variant."""
    answer = cdx_captures(
        url, config, session=session, limiter=limiter, cache=cache, locks=locks or KeyedLocks()
    )
    good = [c.captured_at for c in answer.captures if c.captured_at and c.status in _GOOD]
    if good:
        return max(good)
    if answer.errors and not answer.captures:
        raise ArchiveUnavailable("; ".join(answer.errors))
    return None


_GOOD: Sequence[int | None] = (200, 203, 206)
