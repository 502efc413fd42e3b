"""Fetching captures from the fake archive: redirects, caps, headers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import requests

from checks.archive.config import ArchiveConfig
from checks.archive.ratelimit import ArchiveLimiter
from checks.archive.replay import fetch_replay
from tests.archive.conftest import GOOD_HTML, SOURCE
from tests.archive.fake_archive import Canned, FakeArchive

MakeConfig = Callable[..., ArchiveConfig]
MakeLimiter = Callable[[ArchiveConfig], ArchiveLimiter]


def test_memento_headers_are_read(
    fake_archive: FakeArchive,
    config_for: MakeConfig,
    limiter_for: MakeLimiter,
    session: requests.Session,
) -> None:
    fake_archive.add(SOURCE, "20150301101500", body=GOOD_HTML)
    config = config_for(fake_archive)

    replay = fetch_replay(
        config.replay_url("20150301101500", SOURCE),
        config,
        session=session,
        limiter=limiter_for(config),
    )

    assert replay.status == 200
    assert replay.is_memento
    assert replay.memento_datetime == datetime(2015, 3, 1, 10, 15, tzinfo=UTC)
    assert replay.original_url == SOURCE
    assert replay.body == GOOD_HTML
    assert not replay.truncated
    assert replay.redirects == ()


def test_nearest_capture_redirect_is_followed_and_not_archived(
    fake_archive: FakeArchive,
    config_for: MakeConfig,
    limiter_for: MakeLimiter,
    session: requests.Session,
) -> None:
    fake_archive.add(SOURCE, "20150301101500", body=GOOD_HTML)
    config = config_for(fake_archive)
    asked = config.replay_url("2015", SOURCE)

    replay = fetch_replay(asked, config, session=session, limiter=limiter_for(config))

    assert replay.redirects == (asked,)
    assert not replay.archived_redirect
    assert replay.final_url == config.replay_url("20150301101500", SOURCE)


def test_redirect_chain_is_capped(
    fake_archive: FakeArchive,
    config_for: MakeConfig,
    limiter_for: MakeLimiter,
    session: requests.Session,
) -> None:
    loop = f"{fake_archive.base_url}/web/20150101000000id_/{SOURCE}"
    fake_archive.script("/web/", *[Canned(302, {"Location": loop}) for _ in range(10)])
    config = config_for(fake_archive, max_replay_redirects=3)

    replay = fetch_replay(loop, config, session=session, limiter=limiter_for(config))

    assert replay.status == 302
    assert len(replay.redirects) == 3
    assert len(fake_archive.requests) == 4


def test_redirect_out_of_the_archive_is_not_followed(
    fake_archive: FakeArchive,
    config_for: MakeConfig,
    limiter_for: MakeLimiter,
    session: requests.Session,
) -> None:
    config = config_for(fake_archive)
    # An archive that did not rewrite the archived Location header.
    fake_archive.script(
        "/web/",
        Canned(
            301,
            {
                "Location": "https://elsewhere.example/",
                "Memento-Datetime": "Thu, 01 Jan 2015 00:00:00 GMT",
            },
        ),
    )

    replay = fetch_replay(
        config.replay_url("20150101000000", SOURCE),
        config,
        session=session,
        limiter=limiter_for(config),
    )

    assert replay.status == 301
    assert replay.is_memento
    assert len(fake_archive.requests) == 1


def test_bodies_are_capped(
    fake_archive: FakeArchive,
    config_for: MakeConfig,
    limiter_for: MakeLimiter,
    session: requests.Session,
) -> None:
    big = b"<html>" + b"x" * 300_000
    fake_archive.add(SOURCE, "20150101000000", body=big)
    pdf_url = "https://www.example.org/r.pdf"
    fake_archive.add(
        pdf_url, "20150101000000", body=b"%PDF-" + b"0" * 300_000, content_type="application/pdf"
    )
    config = config_for(fake_archive, max_bytes_other=1000, max_bytes_pdf=100_000)
    limiter = limiter_for(config)

    page = fetch_replay(
        config.replay_url("20150101000000", SOURCE), config, session=session, limiter=limiter
    )
    pdf = fetch_replay(
        config.replay_url("20150101000000", pdf_url), config, session=session, limiter=limiter
    )

    assert (len(page.body), page.truncated) == (1000, True)
    assert (len(pdf.body), pdf.truncated) == (100_000, True)
