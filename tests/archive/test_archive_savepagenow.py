"""Save Page Now 2 against the fake archive, and the pure capture policy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import requests

from checks.archive.config import ArchiveConfig
from checks.archive.ratelimit import ArchiveLimiter
from checks.archive.savepagenow import (
    SaveError,
    SaveStatus,
    needs_capture,
    parse_status,
    poll_capture,
    request_capture,
)
from tests.archive.conftest import FakeClock
from tests.archive.fake_archive import FakeArchive

PAGE = "https://www.example.org/reports/children.html"
ENV = {"WAYBACK_ACCESS_KEY": "access", "WAYBACK_SECRET_KEY": "secret"}


@pytest.fixture
def config(fake_archive: FakeArchive, config_for: Callable[..., ArchiveConfig]) -> ArchiveConfig:
    return config_for(fake_archive).with_env_keys(ENV)


@pytest.fixture
def limiter(config: ArchiveConfig, clock: FakeClock) -> ArchiveLimiter:
    return ArchiveLimiter.from_config(config, clock=clock, sleep=clock.sleep)


def test_submission_then_pending_then_success(
    fake_archive: FakeArchive,
    config: ArchiveConfig,
    limiter: ArchiveLimiter,
    session: requests.Session,
) -> None:
    fake_archive.spn_pending_polls = 2
    slept: list[float] = []

    job_id = request_capture(PAGE, config, session, limiter)
    result = poll_capture(job_id, config, session, limiter, sleep=slept.append, interval=5.0)

    assert job_id == "job-1"
    assert result.status is SaveStatus.SUCCESS
    assert result.timestamp == "20260301120000"
    assert result.original_url == PAGE
    assert result.capture_url == f"{fake_archive.base_url}/web/20260301120000/{PAGE}"
    assert slept == [5.0, 5.0]
    (submitted,) = fake_archive.seen("/save")[:1]
    assert submitted.method == "POST"
    assert submitted.headers["authorization"] == "LOW access:secret"
    assert submitted.headers["accept"] == "application/json"
    assert fake_archive.spn_jobs["job-1"]["form"] == {
        "url": PAGE,
        "if_not_archived_within": "30d",
        "skip_first_archive": "1",
    }
    assert [r.status for r in fake_archive.seen("/save/status/")] == [200, 200, 200]


def test_polling_gives_up_after_max_wait(
    fake_archive: FakeArchive,
    config: ArchiveConfig,
    limiter: ArchiveLimiter,
    session: requests.Session,
) -> None:
    fake_archive.spn_pending_polls = 100
    slept: list[float] = []

    job_id = request_capture(PAGE, config, session, limiter)
    result = poll_capture(job_id, config, session, limiter, sleep=slept.append, max_wait=12.0)

    assert result.status is SaveStatus.PENDING
    assert sum(slept) <= 12.0
    assert len(fake_archive.seen("/save/status/")) == len(slept) + 1


def test_options_override_the_form(
    fake_archive: FakeArchive,
    config: ArchiveConfig,
    limiter: ArchiveLimiter,
    session: requests.Session,
) -> None:
    request_capture(PAGE, config, session, limiter, options={"force_get": "1"})

    assert fake_archive.spn_jobs["job-1"]["form"]["force_get"] == "1"


def test_refused_submission_says_whether_to_retry(
    fake_archive: FakeArchive,
    config: ArchiveConfig,
    limiter: ArchiveLimiter,
    session: requests.Session,
) -> None:
    fake_archive.spn_error = ("error:user-session-limit", "You have too many captures running")

    with pytest.raises(SaveError) as caught:
        request_capture(PAGE, config, session, limiter)

    assert caught.value.status_ext == "error:user-session-limit"
    assert caught.value.retry_later


def test_wrong_keys_are_refused(
    fake_archive: FakeArchive,
    config_for: Callable[..., ArchiveConfig],
    limiter: ArchiveLimiter,
    session: requests.Session,
) -> None:
    config = config_for(fake_archive, spn_access_key="access", spn_secret_key="wrong")

    with pytest.raises(SaveError) as caught:
        request_capture(PAGE, config, session, limiter)

    assert caught.value.status_ext == "error:unauthorized"
    assert not caught.value.retry_later


def test_missing_keys_send_nothing(
    fake_archive: FakeArchive,
    config_for: Callable[..., ArchiveConfig],
    limiter: ArchiveLimiter,
    session: requests.Session,
) -> None:
    with pytest.raises(SaveError):
        request_capture(PAGE, config_for(fake_archive), session, limiter)

    assert fake_archive.requests == []


def test_error_status_is_parsed() -> None:
    payload = {
        "status": "error",
        "exception": "[Errno -2] Name or service not known",
        "status_ext": "error:invalid-host-resolution",
        "job_id": "j",
        "message": "Couldn't resolve host for http://example5123.com.",
        "resources": [],
    }

    result = parse_status(payload, "j", ArchiveConfig())

    assert result.status is SaveStatus.ERROR
    assert result.status_ext == "error:invalid-host-resolution"
    assert result.message == "Couldn't resolve host for http://example5123.com."
    assert not result.retry_later
    assert result.capture_url is None


def test_unexpected_status_answer_is_an_error() -> None:
    result = parse_status({"weird": True}, "j", ArchiveConfig())

    assert result.status is SaveStatus.ERROR
    assert result.job_id == "j"


NOW = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        (None, True),
        (NOW - timedelta(days=31), True),
        (NOW - timedelta(days=30), True),
        (NOW - timedelta(days=29, hours=23), False),
        (NOW, False),
    ],
)
def test_needs_capture(last: datetime | None, expected: bool) -> None:
    assert needs_capture(last, NOW, 30) is expected
