"""Memento TimeGate and TimeMap requests (unit, with ``responses``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests
import responses

from checks.archive.cache import InMemoryLookupCache, KeyedLocks
from checks.archive.config import ArchiveConfig, MementoEndpoint
from checks.archive.memento import memento_captures, query_timegate
from checks.archive.ratelimit import ArchiveLimiter, ArchiveUnavailable
from tests.archive.conftest import FakeClock

ARCHIVE = MementoEndpoint.parse("https://arch.example/wayback/ name=arch")
URL = "https://site.example/page"
GATE = f"https://arch.example/wayback/{URL}"
TIMEMAP = f"https://arch.example/wayback/timemap/link/{URL}"
WHEN = datetime(2015, 6, 1, 12, 0, tzinfo=UTC)
CONFIG = ArchiveConfig(wayback=None, requests_per_minute=6000, max_retries=0)


@pytest.fixture
def limiter(clock: FakeClock) -> ArchiveLimiter:
    return ArchiveLimiter.from_config(CONFIG, clock=clock, sleep=clock.sleep)


def captures(limiter: ArchiveLimiter, cache: InMemoryLookupCache | None = None) -> list[str]:
    with requests.Session() as session:
        found = memento_captures(
            URL,
            ARCHIVE,
            WHEN,
            CONFIG,
            session=session,
            limiter=limiter,
            cache=cache,
            locks=KeyedLocks(),
        )
    return [
        f"{c.archive} {c.replay_url} {c.captured_at and c.captured_at.isoformat()}" for c in found
    ]


@responses.activate(assert_all_requests_are_fired=True)
def test_timegate_302_style(limiter: ArchiveLimiter) -> None:
    memento = f"https://arch.example/wayback/20150530101010/{URL}"
    responses.get(
        GATE,
        status=302,
        headers={
            "Location": memento,
            "Vary": "accept-datetime",
            "Link": (
                f'<{URL}>; rel="original", '
                f'<{TIMEMAP}>; rel="timemap"; type="application/link-format", '
                f'<{memento}>; rel="memento"; datetime="Sat, 30 May 2015 10:10:10 GMT", '
                f'<https://arch.example/wayback/20010101000000/{URL}>; rel="first memento"; '
                'datetime="Mon, 01 Jan 2001 00:00:00 GMT"'
            ),
        },
        match=[
            responses.matchers.header_matcher({"Accept-Datetime": "Mon, 01 Jun 2015 12:00:00 GMT"})
        ],
    )
    with requests.Session() as session:
        answer = query_timegate(URL, ARCHIVE, WHEN, CONFIG, session=session, limiter=limiter)

    assert answer.selected is not None
    assert answer.selected.uri == memento
    assert answer.selected.datetime == datetime(2015, 5, 30, 10, 10, 10, tzinfo=UTC)
    assert [m.datetime for m in answer.others] == [datetime(2001, 1, 1, tzinfo=UTC)]


@responses.activate(assert_all_requests_are_fired=True)
def test_timegate_200_style(limiter: ArchiveLimiter) -> None:
    memento = "https://arch.example/mementos/abc"
    responses.get(
        GATE,
        status=200,
        body="<html>archived</html>",
        headers={
            "Memento-Datetime": "Sat, 30 May 2015 10:10:10 GMT",
            "Content-Location": "/mementos/abc",
        },
    )
    with requests.Session() as session:
        answer = query_timegate(URL, ARCHIVE, WHEN, CONFIG, session=session, limiter=limiter)

    assert answer.selected is not None
    assert answer.selected.uri == memento
    assert answer.selected.datetime == datetime(2015, 5, 30, 10, 10, 10, tzinfo=UTC)


@responses.activate(assert_all_requests_are_fired=True)
def test_timemap_missing_and_timegate_404_means_nothing(limiter: ArchiveLimiter) -> None:
    responses.get(TIMEMAP, status=404)
    responses.get(GATE, status=404)

    assert captures(limiter) == []


@responses.activate(assert_all_requests_are_fired=True)
def test_timemap_failing_falls_back_to_the_timegate(limiter: ArchiveLimiter) -> None:
    responses.get(TIMEMAP, status=503)
    responses.get(GATE, status=302, headers={"Location": f"/wayback/20150530101010/{URL}"})

    assert captures(limiter) == [
        f"arch https://arch.example/wayback/20150530101010id_/{URL} 2015-05-30T10:10:10+00:00"
    ]


@responses.activate(assert_all_requests_are_fired=True)
def test_both_failing_is_unavailable(limiter: ArchiveLimiter) -> None:
    responses.get(TIMEMAP, status=503)
    responses.get(GATE, status=400)

    with pytest.raises(ArchiveUnavailable) as caught:
        captures(limiter)

    assert caught.value.reason == "archive answered HTTP 503; TimeGate answered HTTP 400"


@responses.activate(assert_all_requests_are_fired=True)
def test_timemap_is_parsed_and_cached(limiter: ArchiveLimiter, clock: FakeClock) -> None:
    responses.get(
        TIMEMAP,
        body=(
            f'<{URL}>;rel="original",\n'
            f'<{TIMEMAP}>;rel="self";type="application/link-format",\n'
            f'</wayback/20100101000000/{URL}>;rel="first memento"\n'
            ' ;datetime="Fri, 01 Jan 2010 00:00:00 GMT",\n'
            f'</wayback/20120101000000/{URL}>;rel="last memento"\n'
            ' ;datetime="Sun, 01 Jan 2012 00:00:00 GMT"\n'
        ),
        content_type="application/link-format",
    )
    cache = InMemoryLookupCache(clock=clock)

    first = captures(limiter, cache)
    second = captures(limiter, cache)

    assert (
        first
        == second
        == [
            f"arch https://arch.example/wayback/20100101000000id_/{URL} 2010-01-01T00:00:00+00:00",
            f"arch https://arch.example/wayback/20120101000000id_/{URL} 2012-01-01T00:00:00+00:00",
        ]
    )
    assert len(responses.calls) == 1
