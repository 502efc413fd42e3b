"""CDX and Availability parsing and requests, URL variants, replay URL functions."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import requests
import responses
from responses import matchers

from checks.archive.cache import KeyedLocks
from checks.archive.config import ArchiveConfig
from checks.archive.ratelimit import ArchiveLimiter, BudgetExhausted
from checks.archive.urls import (
    human_url,
    parse_timestamp,
    raw_url,
    strip_default_port,
    wayback_original,
)
from checks.archive.wayback import (
    cdx_captures,
    newest_capture,
    parse_availability,
    parse_cdx,
    url_variants,
)
from tests.archive.conftest import FakeClock

CONFIG = ArchiveConfig(wayback="https://wb.example", requests_per_minute=6000, max_retries=0)
CDX = "https://wb.example/cdx/search/cdx"


def test_url_variants() -> None:
    assert url_variants("https://www.example.org/a?b=1") == (
        "https://www.example.org/a?b=1",
        "www.example.org/a?b=1",
        "http://www.example.org/a?b=1",
        "https://example.org/a?b=1",
        "http://example.org/a?b=1",
    )
    assert url_variants("http://example.org/")[3] == "http://www.example.org/"
    assert url_variants("ftp://example.org/x") == ("ftp://example.org/x",)


def test_parse_cdx_reads_fields_by_header() -> None:
    payload = [
        ["original", "timestamp", "statuscode", "mimetype", "digest", "length"],
        ["http://example.org:80/a", "20150301101500", "200", "text/html", "ABC", "1415"],
        ["http://example.org/a", "20160301000000", "-", "warc/revisit", "ABC", "-"],
        [],
        ["http://example.org/a", "notastamp", "200", "text/html", "X", "1"],
        ["short row"],
    ]

    first, second = parse_cdx(payload, CONFIG)

    assert first.captured_at == datetime(2015, 3, 1, 10, 15, tzinfo=UTC)
    assert first.status == 200
    assert first.original == "http://example.org/a"
    assert first.url == "https://wb.example/web/20150301101500/http://example.org:80/a"
    assert first.replay_url == "https://wb.example/web/20150301101500id_/http://example.org:80/a"
    assert second.status is None


@pytest.mark.parametrize("payload", [[], None, {"a": 1}, [["timestamp"]], "text"])
def test_parse_cdx_empty_or_odd(payload: object) -> None:
    assert parse_cdx(payload, CONFIG) == []


def test_parse_availability() -> None:
    payload = {
        "url": "example.com",
        "archived_snapshots": {
            "closest": {
                "available": True,
                "url": "http://web.archive.org/web/20130919044612/http://example.com/",
                "timestamp": "20130919044612",
                "status": "200",
            }
        },
    }

    found = parse_availability(payload, CONFIG)

    assert found is not None
    assert found.url == "https://wb.example/web/20130919044612/http://example.com/"
    assert found.captured_at == datetime(2013, 9, 19, 4, 46, 12, tzinfo=UTC)
    assert found.status == 200


@pytest.mark.parametrize(
    "payload",
    [
        {"archived_snapshots": {}},
        {"url": "x", "archived_snapshots": {}, "timestamp": "1994"},
        [],
        None,
    ],
)
def test_parse_availability_empty(payload: object) -> None:
    assert parse_availability(payload, CONFIG) is None


@pytest.fixture
def limiter(clock: FakeClock) -> ArchiveLimiter:
    return ArchiveLimiter.from_config(CONFIG, clock=clock, sleep=clock.sleep)


@responses.activate(assert_all_requests_are_fired=True)
def test_cdx_query_asks_for_every_status_and_distinct_content(limiter: ArchiveLimiter) -> None:
    responses.get(
        CDX,
        match=[
            matchers.query_param_matcher(
                {
                    "url": "https://example.org/a",
                    "output": "json",
                    "fl": "timestamp,original,statuscode,mimetype,digest,length",
                    "collapse": "digest",
                    "limit": "1000",
                }
            )
        ],
        json=[
            ["timestamp", "original", "statuscode", "mimetype", "digest", "length"],
            ["20150101000000", "https://example.org/a", "404", "text/html", "A", "10"],
        ],
    )
    with requests.Session() as session:
        answer = cdx_captures(
            "https://example.org/a",
            CONFIG,
            session=session,
            limiter=limiter,
            cache=None,
            locks=KeyedLocks(),
        )

    assert [c.status for c in answer.captures] == [404]
    assert answer.errors == ()


@responses.activate(assert_all_requests_are_fired=True)
def test_cdx_outage_stops_the_other_variants(limiter: ArchiveLimiter) -> None:
    responses.get(CDX, status=500)
    with requests.Session() as session:
        answer = cdx_captures(
            "https://www.example.org/a",
            CONFIG,
            session=session,
            limiter=limiter,
            cache=None,
            locks=KeyedLocks(),
        )

    assert answer.captures == ()
    assert answer.errors[0] == "CDX https://www.example.org/a: archive answered HTTP 500"
    assert len(answer.errors) > 1
    assert all("not asked again" in error for error in answer.errors[1:])
    assert len(responses.calls) == 1


@responses.activate(assert_all_requests_are_fired=True)
def test_cdx_bad_answers_are_reported_per_variant(limiter: ArchiveLimiter) -> None:
    responses.get(CDX, body="not json")
    responses.get(CDX, body="")
    responses.get(CDX, json=[])
    responses.get(CDX, json=[])
    responses.get(CDX, json=[])
    with requests.Session() as session:
        answer = cdx_captures(
            "https://www.example.org/a",
            CONFIG,
            session=session,
            limiter=limiter,
            cache=None,
            locks=KeyedLocks(),
        )

    assert answer.captures == ()
    assert answer.errors == ("CDX https://www.example.org/a: CDX answer is not JSON",)


@responses.activate(assert_all_requests_are_fired=True)
def test_excluded_site(limiter: ArchiveLimiter) -> None:
    responses.get(CDX, status=403, body="AdministrativeAccessControlException: Blocked Site Error")
    with requests.Session() as session:
        answer = cdx_captures(
            "https://example.org/a",
            CONFIG,
            session=session,
            limiter=limiter,
            cache=None,
            locks=KeyedLocks(),
        )

    assert answer.excluded


@responses.activate(assert_all_requests_are_fired=True)
def test_budget_exhaustion_propagates(clock: FakeClock) -> None:
    limiter = ArchiveLimiter(run_budget=0, clock=clock, sleep=clock.sleep)
    with requests.Session() as session, pytest.raises(BudgetExhausted):
        cdx_captures(
            "https://example.org/a",
            CONFIG,
            session=session,
            limiter=limiter,
            cache=None,
            locks=KeyedLocks(),
        )


@responses.activate(assert_all_requests_are_fired=True)
def test_newest_good_capture(limiter: ArchiveLimiter) -> None:
    responses.get(
        CDX,
        json=[
            ["timestamp", "original", "statuscode", "mimetype", "digest", "length"],
            ["20150101000000", "https://example.org/a", "200", "text/html", "A", "10"],
            ["20180101000000", "https://example.org/a", "200", "text/html", "B", "10"],
            ["20200101000000", "https://example.org/a", "404", "text/html", "C", "10"],
        ],
    )
    with requests.Session() as session:
        newest = newest_capture("https://example.org/a", CONFIG, session=session, limiter=limiter)

    assert newest == datetime(2018, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://a.example/web/20200101000000id_/https://x.example/p?q=1",
            "https://x.example/p?q=1",
        ),
        ("http://web.archive.org/web/20130919044612/http://example.com:80/", "http://example.com/"),
        ("https://arch.example/all/20200101000000/www.x.example/", "www.x.example/"),
        ("https://arch.example/not/a/replay", None),
    ],
)
def test_wayback_original(url: str, expected: str | None) -> None:
    assert wayback_original(url) == expected


def test_human_and_raw_urls() -> None:
    raw = "https://a.example/web/20200101000000id_/https://x.example/2019/01/p"
    human = "https://a.example/web/20200101000000/https://x.example/2019/01/p"

    assert human_url(raw) == human
    assert raw_url(human) == raw
    assert raw_url("https://a.example/web/20200101000000if_/https://x.example/") == (
        "https://a.example/web/20200101000000id_/https://x.example/"
    )
    assert raw_url("https://archive.today/AbCd1") == "https://archive.today/AbCd1"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://x.example:80/a", "http://x.example/a"),
        ("https://x.example:443/a", "https://x.example/a"),
        ("https://x.example:8443/a", "https://x.example:8443/a"),
        ("http://x.example/a", "http://x.example/a"),
    ],
)
def test_strip_default_port(url: str, expected: str) -> None:
    assert strip_default_port(url) == expected


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("20150301101500", datetime(2015, 3, 1, 10, 15, tzinfo=UTC)),
        ("2015", datetime(2015, 1, 1, tzinfo=UTC)),
        ("201503", datetime(2015, 3, 1, tzinfo=UTC)),
        ("20151399000000", None),
        ("abc", None),
        ("123", None),
    ],
)
def test_parse_timestamp(stamp: str, expected: datetime | None) -> None:
    assert parse_timestamp(stamp) == expected
