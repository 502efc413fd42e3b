"""Archives that misbehave while answering: dripping bytes, decompression bombs, and
replies cut off by the network."""

from __future__ import annotations

import gzip
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
import requests

from checks.archive import ArchiveConfig, ArchiveLimiter, find_fallback
from checks.archive.cache import KeyedLocks
from checks.archive.config import MementoEndpoint
from checks.archive.memento import fetch_timemap, memento_captures
from checks.archive.ratelimit import ArchiveUnavailable
from checks.archive.replay import fetch_replay
from checks.archive.wayback import cdx_captures
from checks.model import ArchiveStatus
from tests.archive.conftest import SOURCE, target
from tests.archive.fake_archive import Canned, FakeArchive

MakeConfig = Callable[..., ArchiveConfig]
MakeLimiter = Callable[[ArchiveConfig], ArchiveLimiter]
MEMENTO = "Thu, 01 Jan 2015 00:00:00 GMT"
PDF = "https://www.example.org/reports/final.pdf"


def test_dripping_replay_is_given_up_at_the_deadline(
    fake_archive: FakeArchive,
    config_for: MakeConfig,
    limiter_for: MakeLimiter,
    session: requests.Session,
) -> None:
    fake_archive.script(
        "/web/",
        Canned(
            200,
            {"Content-Type": "text/html", "Memento-Datetime": MEMENTO},
            b"<html>" + b"x" * 60,
            drip_s=0.05,
        ),
    )
    config = config_for(fake_archive, replay_deadline_s=0.5)
    started = time.monotonic()

    with pytest.raises(ArchiveUnavailable, match="too slow"):
        fetch_replay(
            config.replay_url("20150101000000", SOURCE),
            config,
            session=session,
            limiter=limiter_for(config),
        )

    # The whole body would take 3.3 s.
    assert time.monotonic() - started < 1.5


def _bomb(size: int) -> bytes:
    return gzip.compress(b'[["timestamp","original","statuscode"],' + b" " * size + b"[]]", 6)


def test_cdx_decompression_bomb_is_cut_at_the_cap(
    fake_archive: FakeArchive,
    config_for: MakeConfig,
    limiter_for: MakeLimiter,
    session: requests.Session,
) -> None:
    bomb = _bomb(64 * 1024 * 1024)
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    fake_archive.script("/cdx/", Canned(200, headers, bomb))
    config = config_for(fake_archive, cdx_variants=1, max_retries=0)

    tracemalloc.start()
    try:
        answer = cdx_captures(
            SOURCE,
            config,
            session=session,
            limiter=limiter_for(config),
            cache=None,
            locks=KeyedLocks(),
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert len(bomb) < 100_000
    assert answer.captures == ()
    assert answer.errors and "larger than" in answer.errors[0]
    assert peak < 40 * 1024 * 1024  # 64 MiB read whole


def test_oversized_timemap_is_read_up_to_the_cap(
    fake_archive: FakeArchive,
    config_for: MakeConfig,
    limiter_for: MakeLimiter,
    session: requests.Session,
) -> None:
    entry = (
        f'<{fake_archive.base_url}/web/2015{{:010d}}/{SOURCE}>; rel="memento"; '
        f'datetime="{MEMENTO}",\n'
    )
    text = f'<{SOURCE}>; rel="original",\n' + "".join(entry.format(n) for n in range(5000))
    fake_archive.script(
        "/web/timemap/", Canned(200, {"Content-Type": "application/link-format"}, text.encode())
    )
    config = config_for(fake_archive, max_lookup_bytes=10_000)
    endpoint = MementoEndpoint.parse(f"{fake_archive.base_url}/web/")

    timemap = fetch_timemap(
        SOURCE,
        endpoint,
        config,
        session=session,
        limiter=limiter_for(config),
        cache=None,
        locks=KeyedLocks(),
    )

    assert timemap is not None and not timemap.complete
    assert 0 < len(timemap.mementos) < 100
    assert all(m.datetime is not None for m in timemap.mementos)


def test_a_timemap_cut_at_the_cap_still_yields_the_memento_nearest_the_date(
    fake_archive: FakeArchive,
    config_for: MakeConfig,
    limiter_for: MakeLimiter,
    session: requests.Session,
) -> None:
    # Oldest first, a TimeMap cut at the cap lacks the recent mementos: the TimeGate
    # still names the one nearest the date.
    fake_archive.add(SOURCE, "20200101000000")
    entry = f'<{fake_archive.base_url}/web/2010{{:010d}}/{SOURCE}>; rel="memento",\n'
    text = f'<{SOURCE}>; rel="original",\n' + "".join(entry.format(n) for n in range(5000))
    fake_archive.script(
        "/web/timemap/", Canned(200, {"Content-Type": "application/link-format"}, text.encode())
    )
    config = config_for(fake_archive, max_lookup_bytes=10_000)
    endpoint = MementoEndpoint.parse(f"{fake_archive.base_url}/web/")

    captures = memento_captures(
        SOURCE,
        endpoint,
        datetime(2020, 1, 2, tzinfo=UTC),
        config,
        session=session,
        limiter=limiter_for(config),
        cache=None,
        locks=KeyedLocks(),
    )

    assert datetime(2020, 1, 1, tzinfo=UTC) in {c.captured_at for c in captures}
    assert len(captures) > 50  # the TimeMap's part still counts


def test_replay_cut_by_the_network_is_unavailable_not_too_large(
    fake_archive: FakeArchive,
    config_for: MakeConfig,
    limiter_for: MakeLimiter,
    session: requests.Session,
) -> None:
    headers = {"Content-Type": "application/pdf", "Memento-Datetime": MEMENTO}
    fake_archive.script(
        "/web/", Canned(200, headers, b"%PDF-1.4\n" + b"0" * 1024, declared_length=100_000)
    )
    config = config_for(fake_archive)

    with pytest.raises(ArchiveUnavailable, match="cut short"):
        fetch_replay(
            config.replay_url("20150101000000", PDF),
            config,
            session=session,
            limiter=limiter_for(config),
            expect_pdf=True,
        )


def test_cut_pdf_capture_is_not_verified(
    fake_archive: FakeArchive,
    config_for: MakeConfig,
    limiter_for: MakeLimiter,
    session: requests.Session,
) -> None:
    fake_archive.add(PDF, "20140101000000", content_type="application/pdf")
    headers = {"Content-Type": "application/pdf", "Memento-Datetime": MEMENTO}
    fake_archive.script(
        "/web/2014", Canned(200, headers, b"%PDF-1.4\n" + b"0" * 1024, declared_length=100_000)
    )
    config = config_for(fake_archive)

    result = find_fallback(
        target(PDF, accessed=date(2014, 2, 1), claims=(), expect="application/pdf"),
        config,
        session=session,
        limiter=limiter_for(config),
    )

    assert result.status is ArchiveStatus.UNKNOWN
    assert "cut short" in (result.reason or "")
