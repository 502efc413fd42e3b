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
from checks.archive.ratelimit import (
    ArchiveLimiter,
    ArchiveTimeout,
    ArchiveUnavailable,
    BudgetExhausted,
    Family,
)
from checks.archive.reading import ACCEPT_ENCODING, read_capped
from checks.archive.records import Capture
from checks.archive.urls import (
    is_ascii_digits,
    parse_timestamp,
    same_resource,
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
    # Rows of other URLs that the index lists under this one (it folds letter case).
    foreign: int = 0


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
        captures.append(
            Capture(
                archive=ARCHIVE_NAME,
                captured_at=captured_at,
                url=config.replay_url(stamp, original, raw=False),
                replay_url=config.replay_url(stamp, original),
                original=strip_default_port(original),
                status=parse_status(fields.get("statuscode")),
                mimetype=fields.get("mimetype"),
            )
        )
    return captures


def parse_status(text: str | None) -> int | None:
    """An archived HTTP status, or None when unknown or not three ASCII digits."""
    if text is None or len(text) != 3 or not is_ascii_digits(text):
        return None
    return int(text)


def of_cited(captures: Sequence[Capture], cited: str) -> tuple[list[Capture], int]:
    """The captures of ``cited`` itself, and how many were of other URLs that the
    index folds into the same key (another letter case, another query order...)."""
    kept = [c for c in captures if same_resource(cited, c.original)]
    return kept, len(captures) - len(kept)


@dataclass(frozen=True)
class CdxQuery:
    """Which rows to ask the index for: inclusive 14-digit bounds and a row limit
    (negative: the newest rows), optionally only some statuses."""

    limit: int
    since: str | None = None
    until: str | None = None
    status_filter: str | None = None
    collapse: bool = True

    def params(self, variant: str) -> dict[str, str]:
        """The query string for one URL variant."""
        params = {"url": variant, "output": "json", "fl": ",".join(CDX_FIELDS)}
        if self.status_filter:
            params["filter"] = f"statuscode:{self.status_filter}"
        if self.collapse:
            params["collapse"] = "digest"
        if self.since:
            params["from"] = self.since
        if self.until:
            params["to"] = self.until
        params["limit"] = str(self.limit)
        return params


def query_around(moment: datetime, config: ArchiveConfig) -> CdxQuery:
    """The newest rows up to ``cdx_after_horizon`` after ``moment``: those just before
    it and the first ones after it, in one request (``limit`` alone would give the
    oldest rows, years before a recent citation)."""
    return CdxQuery(limit=-config.cdx_limit, until=_stamp(moment + config.cdx_after_horizon))


def split_queries(moment: datetime, config: ArchiveConfig) -> tuple[CdxQuery, CdxQuery]:
    """The newest rows up to ``moment`` and the oldest after it: asked when the
    rows after ``moment`` alone fill a whole answer."""
    return (
        CdxQuery(limit=-config.cdx_limit, until=_stamp(moment)),
        CdxQuery(limit=config.cdx_limit, since=_stamp(moment + timedelta(seconds=1))),
    )


def cdx_captures(
    url: str,
    config: ArchiveConfig,
    *,
    session: requests.Session,
    limiter: ArchiveLimiter,
    cache: LookupCache | None,
    locks: KeyedLocks,
    around: datetime | None = None,
    newest: bool = False,
) -> CdxAnswer:
    """Captures of ``url`` from the CDX index, all statuses (archived redirects and
    errors are classified later, not filtered out here), one per distinct content,
    only of ``url`` itself (see :func:`checks.archive.urls.same_resource`).

    ``around``: the rows nearest that moment on both sides; ``newest``: the newest
    rows; neither: the oldest. Variants are asked in turn until one yields any row.
    Raises :class:`BudgetExhausted`; other failures are reported in ``errors``.
    """
    captures: list[Capture] = []
    errors: list[str] = []
    foreign = 0
    for variant in url_variants(url)[: max(1, config.cdx_variants)]:
        try:
            if around is not None:
                rows = _rows_around(variant, around, config, session, limiter, cache, locks)
            else:
                query = CdxQuery(limit=-config.cdx_limit if newest else config.cdx_limit)
                rows = _cdx_rows(variant, query, config, session, limiter, cache, locks)
        except BudgetExhausted:
            raise
        except ArchiveTimeout as exc:
            # The variants share one key in the index: if it is too slow to list for
            # one, it is for all, and asking each would only add timeouts.
            errors.append(f"CDX {variant}: {exc.reason}")
            break
        except ArchiveUnavailable as exc:
            errors.append(f"CDX {variant}: {exc.reason}")
            continue
        if rows == "excluded":
            return CdxAnswer((), tuple(errors), excluded=True)
        found, others = of_cited(parse_cdx(rows, config), url)
        captures.extend(found)
        foreign += others
        if found or others:
            # The index keys on a canonical form, so another variant would list the
            # same rows; variants only help when the answer is empty.
            break
    else:
        if around is not None:
            # Nothing up to the horizon after the reference date: the first captures
            # may be later still (a page archived only years after it was cited).
            later = _later_than_horizon(url, around, config, session, limiter, cache, locks)
            found, foreign = of_cited(later, url)
            captures.extend(found)
    return CdxAnswer(tuple(captures), tuple(errors), foreign=foreign)


def _later_than_horizon(
    url: str,
    moment: datetime,
    config: ArchiveConfig,
    session: requests.Session,
    limiter: ArchiveLimiter,
    cache: LookupCache | None,
    locks: KeyedLocks,
) -> list[Capture]:
    since = moment + config.cdx_after_horizon + timedelta(seconds=1)
    if since > datetime.now(UTC):
        return []  # the first query already reached the present
    query = CdxQuery(limit=config.cdx_limit, since=_stamp(since))
    try:
        rows = _cdx_rows(url, query, config, session, limiter, cache, locks)
    except BudgetExhausted:
        raise
    except ArchiveUnavailable:
        return []
    return [] if rows == "excluded" else parse_cdx(rows, config)


def _rows_around(
    variant: str,
    moment: datetime,
    config: ArchiveConfig,
    session: requests.Session,
    limiter: ArchiveLimiter,
    cache: LookupCache | None,
    locks: KeyedLocks,
) -> Any:
    query = query_around(moment, config)
    rows = _cdx_rows(variant, query, config, session, limiter, cache, locks)
    if rows == "excluded" or not _full_after(rows, moment, config):
        return rows
    # A page captured so often that the rows after ``moment`` fill the answer: ask
    # for each side separately.
    before, after = split_queries(moment, config)
    older = _cdx_rows(variant, before, config, session, limiter, cache, locks)
    newer = _cdx_rows(variant, after, config, session, limiter, cache, locks)
    return _merged(older, newer)


def _full_after(rows: Any, moment: datetime, config: ArchiveConfig) -> bool:
    if not isinstance(rows, list) or len(rows) - 1 < config.cdx_limit:
        return False
    dates = [c.captured_at for c in parse_cdx(rows, config) if c.captured_at is not None]
    return bool(dates) and min(dates) > moment


def _merged(first: Any, second: Any) -> Any:
    if not isinstance(first, list) or len(first) < 2:
        return second
    if not isinstance(second, list) or len(second) < 2 or second[0] != first[0]:
        return first
    return first + second[1:]


def _cdx_rows(
    variant: str,
    query: CdxQuery,
    config: ArchiveConfig,
    session: requests.Session,
    limiter: ArchiveLimiter,
    cache: LookupCache | None,
    locks: KeyedLocks,
) -> Any:
    params = query.params(variant)

    def fetch() -> Any:
        body, status = _lookup(session, limiter, config, config.cdx_url, params, "CDX answer")
        if status != 200:
            text = body.decode("utf-8", "replace")
            if any(marker in text for marker in _BLOCKED_MARKERS):
                return "excluded"
            raise ArchiveUnavailable(f"CDX answered HTTP {status}")
        if not body.strip():
            return []
        try:
            return json.loads(body)
        except ValueError as exc:
            raise ArchiveUnavailable("CDX answer is not JSON") from exc

    def ttl(answer: Any) -> timedelta:
        return config.cache_ttl if answer else config.empty_cache_ttl

    key = "cdx:" + json.dumps([config.cdx_url, params], sort_keys=True)
    return cached_json(cache, locks, key, fetch, ttl)


def _lookup(
    session: requests.Session,
    limiter: ArchiveLimiter,
    config: ArchiveConfig,
    url: str,
    params: dict[str, str],
    what: str,
) -> tuple[bytes, int]:
    """One lookup request's body (capped, within the deadline) and status."""
    response = limiter.request(
        session,
        "GET",
        url,
        family=Family.LOOKUP,
        params=params,
        headers={"User-Agent": config.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        timeout=(config.timeout_s, config.timeout_s),
        stream=True,
    )
    with response:
        body = read_capped(
            response,
            cap=config.max_lookup_bytes,
            deadline_s=config.lookup_deadline_s,
            read_timeout=config.timeout_s,
            what=what,
        )
    if body.truncated:
        raise ArchiveUnavailable(f"{what} larger than {config.max_lookup_bytes} bytes")
    return body.data, response.status_code


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
    """The Availability API's closest capture of ``url`` itself, or None when it reports
    nothing (which it also does for archived pages: never read that alone as "not
    archived"). Raises :class:`ArchiveUnavailable`."""
    params = {"url": url}
    if moment is not None:
        params["timestamp"] = _stamp(moment)

    def fetch() -> Any:
        body, status = _lookup(
            session, limiter, config, config.availability_url, params, "Availability answer"
        )
        if status != 200:
            raise ArchiveUnavailable(f"Availability API answered HTTP {status}")
        try:
            return json.loads(body)
        except ValueError as exc:
            raise ArchiveUnavailable("Availability answer is not JSON") from exc

    def ttl(answer: Any) -> timedelta:
        return config.empty_cache_ttl

    key = "available:" + json.dumps([config.availability_url, params], sort_keys=True)
    capture = parse_availability(cached_json(cache, locks, key, fetch, ttl), config)
    if capture is None or not same_resource(url, capture.original):
        return None
    return capture


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
    return Capture(
        archive=ARCHIVE_NAME,
        captured_at=captured_at,
        url=config.replay_url(stamp, str(original), raw=False),
        replay_url=config.replay_url(stamp, str(original)),
        original=str(original),
        status=parse_status(str(closest.get("status") or "") or None),
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
    Save Page Now), or None. One request: the newest good row (``limit=-1``) of the URL
    as cited, which the index matches whatever its scheme or ``www.``. Raises
    :class:`ArchiveUnavailable` when the index cannot be asked."""
    query = CdxQuery(limit=-1, status_filter=_GOOD_FILTER, collapse=False)
    rows = _cdx_rows(url, query, config, session, limiter, cache, locks or KeyedLocks())
    if rows == "excluded":
        return None
    found, _ = of_cited(parse_cdx(rows, config), url)
    good = [c.captured_at for c in found if c.captured_at and c.status in _GOOD]
    return max(good) if good else None


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M%S")


_GOOD: Sequence[int | None] = (200, 203, 206)
_GOOD_FILTER = "20[036]"
