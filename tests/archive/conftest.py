"""Fixtures for archive tests: the fake archive, a fake clock and ready-made clients."""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
import requests

from checks.archive import ArchiveConfig, ArchiveLimiter, InMemoryLookupCache
from checks.model import CheckTarget, ClaimSpec
from tests.archive.fake_archive import FakeArchive, fake_archive

__all__ = ["fake_archive"]

CLAIM = ClaimSpec(id="sold-per-year", evidence="100,000")
SOURCE = "https://www.example.org/reports/children.html"

GOOD_HTML = (
    b"<html><head><title>Report on child exploitation</title></head><body>"
    b"<h1>Report on child exploitation</h1>"
    b"<p>An estimated 100,000 children are sold for sex each year within the United"
    b" States, according to the estimates collected for this report.</p>"
    b"<p>The report describes prevention, intervention and services for survivors in"
    b" every county, and the funding that supports them.</p></body></html>"
)
DRIFTED_HTML = (
    b"<html><head><title>Report on child exploitation</title></head><body>"
    b"<h1>Report on child exploitation</h1>"
    b"<p>The report was revised. Estimates of the number of children affected are"
    b" discussed in the appendix, with methods and caveats explained at length.</p>"
    b"<p>The report describes prevention, intervention and services for survivors in"
    b" every county, and the funding that supports them.</p></body></html>"
)
PREVIOUS_OWNER_HTML = (
    b"<html><head><title>Welcome to Joe's web page</title></head><body><h1>Joe's page</h1>"
    b"<p>My hobbies are fishing and model trains.</p>"
    b"<p>Photos of my trains and some links to other hobby sites.</p></body></html>"
)
NOT_FOUND_HTML = (
    b"<html><head><title>404 Not Found</title></head><body><h1>Page not found</h1>"
    b"<p>The page you requested could not be found.</p></body></html>"
)


class FakeClock:
    """A monotonic clock that only moves when something sleeps on it."""

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def session() -> Iterator[requests.Session]:
    with requests.Session() as s:
        yield s


@pytest.fixture
def config_for() -> Callable[..., ArchiveConfig]:
    def make(archive: FakeArchive | None = None, **changes: Any) -> ArchiveConfig:
        config = ArchiveConfig(
            wayback=archive.base_url if archive is not None else None,
            timeout_s=5.0,
            requests_per_minute=6000.0,
            replay_requests_per_minute=6000.0,
            default_retry_after_s=5.0,
        )
        return dataclasses.replace(config, **changes)

    return make


@pytest.fixture
def limiter_for(clock: FakeClock) -> Callable[..., ArchiveLimiter]:
    def make(config: ArchiveConfig) -> ArchiveLimiter:
        return ArchiveLimiter.from_config(config, clock=clock, sleep=clock.sleep)

    return make


@pytest.fixture
def cache(clock: FakeClock) -> InMemoryLookupCache:
    return InMemoryLookupCache(clock=clock)


def target(
    url: str = SOURCE,
    *,
    accessed: date | None = date(2015, 6, 1),
    claims: tuple[ClaimSpec, ...] = (CLAIM,),
    expect: str | None = "text/html",
) -> CheckTarget:
    return CheckTarget(url=url, accessed=accessed, claims=claims, expect_content_type=expect)


def closed_port_url() -> str:
    """A loopback URL nobody listens on: connections are refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
