"""Memento (RFC 7089) lookups against one archive's own TimeMap and TimeGate.

The TimeMap lists every memento in one request, so it is asked first and cached; the
TimeGate (datetime negotiation) is the fallback for archives whose TimeMap is missing
or failing, and its ``Link`` header adds the first/last/previous/next mementos.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any
from urllib.parse import urljoin

import requests

from checks.archive.cache import KeyedLocks, LookupCache, cached_json
from checks.archive.config import ArchiveConfig, MementoEndpoint
from checks.archive.linkformat import Link, parse_links
from checks.archive.ratelimit import (
    ArchiveLimiter,
    ArchiveUnavailable,
    BudgetExhausted,
    Family,
    is_memento,
)
from checks.archive.reading import ACCEPT_ENCODING, read_capped
from checks.archive.records import Capture
from checks.archive.replay import parse_http_date
from checks.archive.urls import parse_timestamp, raw_url, wayback_timestamp


@dataclass(frozen=True)
class Memento:
    """One archived copy listed by a TimeMap or a TimeGate."""

    uri: str
    datetime: datetime | None
    rels: frozenset[str] = frozenset({"memento"})


def format_http_date(moment: datetime) -> str:
    """An aware or naive-UTC datetime as an RFC 1123 HTTP-date (``Accept-Datetime``)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def mementos_from_links(links: Iterable[Link]) -> list[Memento]:
    """The mementos among parsed links (any ``rel`` containing ``memento``), one per
    URI, keeping the first datetime seen."""
    found: dict[str, Memento] = {}
    for link in links:
        rels = link.rels
        if "memento" not in rels:
            continue
        moment = parse_http_date(link.get("datetime"))
        known = found.get(link.uri)
        if known is None:
            found[link.uri] = Memento(link.uri, moment, rels)
        else:
            found[link.uri] = Memento(link.uri, known.datetime or moment, known.rels | rels)
    return list(found.values())


def parse_timemap(text: str, *, base: str | None = None) -> list[Memento]:
    """The mementos of an ``application/link-format`` TimeMap."""
    return mementos_from_links(parse_links(text, base=base))


@dataclass(frozen=True)
class TimeGateAnswer:
    """What datetime negotiation gave: the selected memento and any others linked."""

    selected: Memento | None
    others: tuple[Memento, ...] = ()


def query_timegate(
    url: str,
    endpoint: MementoEndpoint,
    moment: datetime,
    config: ArchiveConfig,
    *,
    session: requests.Session,
    limiter: ArchiveLimiter,
) -> TimeGateAnswer:
    """Ask a TimeGate for the memento of ``url`` closest to ``moment``.

    Handles the 302-style TimeGate (``Location`` to the memento) and the 200-style
    one (the memento itself, with ``Memento-Datetime`` and ``Content-Location``).
    A 404 means nothing is archived. Raises :class:`ArchiveUnavailable` otherwise.
    """
    gate = endpoint.timegate_url(url)
    response = limiter.request(
        session,
        "GET",
        gate,
        family=Family.LOOKUP,
        headers={"User-Agent": config.user_agent, "Accept-Datetime": format_http_date(moment)},
        timeout=(config.timeout_s, config.timeout_s),
        allow_redirects=False,
        stream=True,
    )
    with response:
        links = parse_links(response.headers.get("Link", ""), base=gate)
        linked = mementos_from_links(links)
        by_uri = {m.uri: m for m in linked}
        status = response.status_code
        if status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
            uri = urljoin(gate, response.headers["Location"])
            selected = by_uri.get(uri) or Memento(uri, _stamp_of(uri))
        elif 200 <= status < 300 and is_memento(response):
            uri = urljoin(gate, response.headers.get("Content-Location") or gate)
            moment_seen = parse_http_date(response.headers.get("Memento-Datetime"))
            known = by_uri.get(uri)
            selected = Memento(uri, moment_seen or (known and known.datetime) or _stamp_of(uri))
        elif status in (404, 410):
            return TimeGateAnswer(None)
        else:
            raise ArchiveUnavailable(f"TimeGate answered HTTP {status}")
    others = tuple(m for m in linked if m.uri != selected.uri)
    return TimeGateAnswer(selected, others)


@dataclass(frozen=True)
class TimeMap:
    """The mementos a TimeMap lists, oldest first, and whether it was read whole (one
    past ``max_lookup_bytes`` is cut: its newest mementos are missing)."""

    mementos: tuple[Memento, ...]
    complete: bool = True


def fetch_timemap(
    url: str,
    endpoint: MementoEndpoint,
    config: ArchiveConfig,
    *,
    session: requests.Session,
    limiter: ArchiveLimiter,
    cache: LookupCache | None,
    locks: KeyedLocks,
) -> TimeMap | None:
    """The archive's TimeMap for ``url``; None when the archive has none for it (404).
    Paged or oversized TimeMaps are read as far as ``max_lookup_bytes``. Raises
    :class:`ArchiveUnavailable` when the archive cannot be asked or answers with
    something that is not a TimeMap.
    """
    timemap = endpoint.timemap_url(url)

    def fetch() -> dict[str, Any] | None:
        response = limiter.request(
            session,
            "GET",
            timemap,
            family=Family.LOOKUP,
            headers={
                "User-Agent": config.user_agent,
                "Accept": "application/link-format",
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            timeout=(config.timeout_s, config.timeout_s),
            stream=True,
        )
        with response:
            if response.status_code in (404, 410):
                return None
            if response.status_code != 200:
                raise ArchiveUnavailable(f"TimeMap answered HTTP {response.status_code}")
            body = read_capped(
                response,
                cap=config.max_lookup_bytes,
                deadline_s=config.lookup_deadline_s,
                read_timeout=config.timeout_s,
                what="TimeMap",
            )
        text = body.data.decode(response.encoding or "utf-8", "replace")
        if body.truncated:
            text = text[: max(0, text.rfind(","))]  # the last entry may be cut mid-way
        links = parse_links(text, base=timemap)
        if not is_timemap(response.headers.get("Content-Type"), links):
            # An HTML page (a search form, a challenge, a wrong TimeMap base) says
            # nothing about what is archived; the TimeGate may still know.
            raise ArchiveUnavailable("TimeMap answer is not a TimeMap")
        rows = [
            [m.uri, m.datetime.isoformat() if m.datetime else None, sorted(m.rels)]
            for m in mementos_from_links(links)
        ]
        return {"rows": rows, "complete": not body.truncated}

    def ttl(answer: Any) -> timedelta:
        # "Nothing archived" is asked again sooner: new captures appear.
        rows = answer.get("rows") if isinstance(answer, dict) else answer
        return config.cache_ttl if rows else config.empty_cache_ttl

    answer = cached_json(cache, locks, f"timemap:{timemap}", fetch, ttl)
    if answer is None:
        return None
    # A list is what this cache held before TimeMaps said whether they were whole.
    rows, complete = (
        (answer, True) if isinstance(answer, list) else (answer["rows"], answer["complete"])
    )
    mementos = tuple(
        Memento(str(uri), datetime.fromisoformat(moment) if moment else None, frozenset(rels))
        for uri, moment, rels in rows
    )
    return TimeMap(mementos, bool(complete))


def is_timemap(content_type: str | None, links: Iterable[Link]) -> bool:
    """Whether an answer is a TimeMap: served as ``application/link-format`` or linking
    its ``original`` resource or itself (``self``), as RFC 7089 TimeMaps do."""
    if (content_type or "").split(";", 1)[0].strip().lower() == "application/link-format":
        return True
    return any(link.rels & {"original", "self"} for link in links)


def memento_captures(
    url: str,
    endpoint: MementoEndpoint,
    moment: datetime,
    config: ArchiveConfig,
    *,
    session: requests.Session,
    limiter: ArchiveLimiter,
    cache: LookupCache | None,
    locks: KeyedLocks,
) -> list[Capture]:
    """Every memento of ``url`` this archive lists: the TimeMap's, or failing that the
    TimeGate's answer for ``moment``. Empty when nothing is archived; raises
    :class:`ArchiveUnavailable` when neither could be asked."""
    timemap_error: ArchiveUnavailable | None = None
    timemap: TimeMap | None
    try:
        timemap = fetch_timemap(
            url, endpoint, config, session=session, limiter=limiter, cache=cache, locks=locks
        )
    except BudgetExhausted:
        raise
    except ArchiveUnavailable as exc:
        timemap_error = exc
        timemap = None
    mementos = list(timemap.mementos) if timemap is not None else []
    if timemap is None or not timemap.complete:
        # No TimeMap, or one cut before its newest mementos: the TimeGate names the
        # memento nearest ``moment`` (and its neighbours) whatever the TimeMap's size.
        try:
            answer = query_timegate(url, endpoint, moment, config, session=session, limiter=limiter)
        except BudgetExhausted:
            raise
        except ArchiveUnavailable as exc:
            if timemap is not None:
                answer = TimeGateAnswer(None)  # what the TimeMap gave still counts
            elif timemap_error is not None and exc.reason != timemap_error.reason:
                raise ArchiveUnavailable(f"{timemap_error.reason}; {exc.reason}") from exc
            else:
                raise
        listed = {m.uri for m in mementos}
        negotiated = [answer.selected, *answer.others] if answer.selected else []
        mementos += [m for m in negotiated if m.uri not in listed]
    return [
        Capture(
            archive=endpoint.name,
            captured_at=m.datetime,
            url=m.uri,
            replay_url=raw_url(m.uri),
            original=url,
        )
        for m in mementos
    ]


def _stamp_of(uri: str) -> datetime | None:
    # pywb-style memento URIs carry the capture time in the path.
    stamp = wayback_timestamp(uri)
    return parse_timestamp(stamp) if stamp else None
