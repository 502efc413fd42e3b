"""A TimeMap answer that is not a TimeMap says nothing about what is archived."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests
import responses

from checks.archive.cache import InMemoryLookupCache, KeyedLocks
from checks.archive.config import ArchiveConfig, MementoEndpoint
from checks.archive.linkformat import parse_links
from checks.archive.memento import is_timemap, memento_captures
from checks.archive.ratelimit import ArchiveLimiter
from tests.archive.conftest import FakeClock

ARCHIVE = MementoEndpoint.parse("https://arch.example/wayback/ name=arch")
URL = "https://site.example/page"
GATE = f"https://arch.example/wayback/{URL}"
TIMEMAP = f"https://arch.example/wayback/timemap/link/{URL}"
CONFIG = ArchiveConfig(wayback=None, requests_per_minute=6000, max_retries=0)
HTML = b'<html><head><title>Archive</title></head><body><a href="/">Search</a></body></html>'


@pytest.fixture
def limiter(clock: FakeClock) -> ArchiveLimiter:
    return ArchiveLimiter.from_config(CONFIG, clock=clock, sleep=clock.sleep)


@responses.activate(assert_all_requests_are_fired=True)
def test_html_answered_for_the_timemap_falls_back_to_the_timegate(
    limiter: ArchiveLimiter, clock: FakeClock
) -> None:
    responses.get(TIMEMAP, body=HTML, content_type="text/html")
    responses.get(TIMEMAP, body=HTML, content_type="text/html")
    responses.get(GATE, status=302, headers={"Location": f"/wayback/20140114000000/{URL}"})
    responses.get(GATE, status=302, headers={"Location": f"/wayback/20140114000000/{URL}"})
    cache = InMemoryLookupCache(clock=clock)

    with requests.Session() as session:
        for _ in range(2):
            found = memento_captures(
                URL,
                ARCHIVE,
                datetime(2014, 2, 1, tzinfo=UTC),
                CONFIG,
                session=session,
                limiter=limiter,
                cache=cache,
                locks=KeyedLocks(),
            )

            assert [c.captured_at for c in found] == [datetime(2014, 1, 14, tzinfo=UTC)]
    # The non-answer was not cached: the TimeMap was asked again.
    assert [c.request.url for c in responses.calls].count(TIMEMAP) == 2


@responses.activate(assert_all_requests_are_fired=True)
def test_an_empty_timemap_is_asked_again_sooner_than_a_full_one(
    limiter: ArchiveLimiter, clock: FakeClock
) -> None:
    # Nothing archived yet: new captures appear, so the answer is kept for less.
    empty = f'<{URL}>; rel="original",\n<{TIMEMAP}>; rel="self"'
    responses.get(TIMEMAP, body=empty, content_type="application/link-format")
    responses.get(TIMEMAP, body=empty, content_type="application/link-format")
    cache = InMemoryLookupCache(clock=clock)

    with requests.Session() as session:
        for _ in range(2):
            memento_captures(
                URL,
                ARCHIVE,
                datetime(2014, 2, 1, tzinfo=UTC),
                CONFIG,
                session=session,
                limiter=limiter,
                cache=cache,
                locks=KeyedLocks(),
            )
            clock.sleep(CONFIG.empty_cache_ttl.total_seconds() + 1)

    assert [c.request.url for c in responses.calls].count(TIMEMAP) == 2


@pytest.mark.parametrize(
    ("content_type", "text", "expected"),
    [
        ("application/link-format", "", True),
        ("application/link-format; charset=utf-8", "", True),
        ("text/plain", f'<{URL}>;rel="original",\n<{TIMEMAP}>;rel="self"', True),
        ("text/plain", f'<{TIMEMAP}>;rel="self"', True),
        ("text/html", HTML.decode(), False),
        (None, "", False),
    ],
)
def test_is_timemap(content_type: str | None, text: str, expected: bool) -> None:
    assert is_timemap(content_type, parse_links(text)) is expected
