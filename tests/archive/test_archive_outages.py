"""What one failure takes down for the rest of a run, and what is charged to the budget."""

from __future__ import annotations

import pytest
import requests
import responses

from checks.archive.ratelimit import ArchiveLimiter, ArchiveUnavailable, Family
from tests.archive.conftest import FakeClock

HOST = "https://archive.example"
CDX = f"{HOST}/cdx/search/cdx"
REPLAY = f"{HOST}/web/20150101000000id_/https://x.example/"


def limiter(clock: FakeClock, **changes: object) -> ArchiveLimiter:
    settings: dict[str, object] = {
        "requests_per_minute": 6000.0,
        "replay_requests_per_minute": 6000.0,
        "max_retries": 0,
        "default_retry_after_s": 30.0,
    }
    settings.update(changes)
    return ArchiveLimiter(clock=clock, sleep=clock.sleep, **settings)  # type: ignore[arg-type]


@responses.activate(assert_all_requests_are_fired=True)
def test_one_slow_query_does_not_take_the_archive_down(clock: FakeClock) -> None:
    responses.get(f"{CDX}?url=huge.example", body=requests.ReadTimeout("slow"))
    responses.get(f"{CDX}?url=small.example", json=[])
    responses.get(REPLAY, body=b"<html>", headers={"Memento-Datetime": "x"})
    gate = limiter(clock)

    with requests.Session() as session:
        with pytest.raises(ArchiveUnavailable, match="timed out"):
            gate.request(session, "GET", f"{CDX}?url=huge.example", family=Family.LOOKUP)
        assert gate.request(session, "GET", f"{CDX}?url=small.example", family=Family.LOOKUP)
        assert gate.request(session, "GET", REPLAY, family=Family.REPLAY)


@responses.activate(assert_all_requests_are_fired=True)
def test_timeouts_in_a_row_take_the_endpoint_then_the_host_down(clock: FakeClock) -> None:
    responses.get(CDX, body=requests.ReadTimeout("slow"))
    responses.get(CDX, body=requests.ReadTimeout("slow"))
    responses.get(REPLAY, body=requests.ReadTimeout("slow"))
    gate = limiter(clock, endpoint_timeouts_down=2, host_timeouts_down=3)

    with requests.Session() as session:
        for _ in range(2):
            with pytest.raises(ArchiveUnavailable, match="timed out"):
                gate.request(session, "GET", CDX, family=Family.LOOKUP)
        with pytest.raises(ArchiveUnavailable, match="not asked again"):
            gate.request(session, "GET", CDX, family=Family.LOOKUP)
        # Other endpoints are still asked, until a third timeout in a row.
        with pytest.raises(ArchiveUnavailable, match="timed out"):
            gate.request(session, "GET", REPLAY, family=Family.REPLAY)
        with pytest.raises(ArchiveUnavailable, match="not asked again"):
            gate.request(session, "GET", f"{HOST}/wayback/available", family=Family.LOOKUP)

    assert len(responses.calls) == 3


@responses.activate(assert_all_requests_are_fired=True)
def test_an_answer_between_timeouts_resets_the_count(clock: FakeClock) -> None:
    for answer in (requests.ReadTimeout("slow"), b"[]", requests.ReadTimeout("slow"), b"[]"):
        responses.get(CDX, body=answer)
    gate = limiter(clock)

    with requests.Session() as session:
        for expect_timeout in (True, False, True, False):
            if expect_timeout:
                with pytest.raises(ArchiveUnavailable, match="timed out"):
                    gate.request(session, "GET", CDX, family=Family.LOOKUP)
            else:
                gate.request(session, "GET", CDX, family=Family.LOOKUP)


@responses.activate(assert_all_requests_are_fired=True)
def test_requests_refused_by_the_rate_limiter_are_not_charged(clock: FakeClock) -> None:
    responses.get(CDX, json=[])
    gate = limiter(clock, requests_per_minute=1.0, max_wait_s=5.0, run_budget=3)

    with requests.Session() as session:
        gate.request(session, "GET", CDX, family=Family.LOOKUP)
        for _ in range(5):
            with pytest.raises(ArchiveUnavailable, match="rate limit"):
                gate.request(session, "GET", CDX, family=Family.LOOKUP)

    assert gate.requests_sent == 1
    assert gate.budget_left == 2


def test_a_budget_of_its_own_shares_rates_and_outages(clock: FakeClock) -> None:
    gate = limiter(clock, run_budget=5, requests_per_minute=60.0)
    saving = gate.with_budget(2)

    class Answering(requests.Session):
        def request(self, *args: object, **kwargs: object) -> requests.Response:  # type: ignore[override]
            response = requests.Response()
            response.status_code = 200
            return response

    with Answering() as session:
        saving.request(session, "GET", CDX, family=Family.LOOKUP)
        gate.request(session, "GET", CDX, family=Family.LOOKUP)

    assert (saving.requests_sent, saving.budget_left) == (1, 1)
    assert (gate.requests_sent, gate.budget_left) == (1, 4)
    # One bucket for the host: the second request waited its turn.
    assert clock.sleeps == [pytest.approx(1.0)]
