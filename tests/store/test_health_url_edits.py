"""Health when a dead source's registry URL is edited: respelt, or moved to an address
that does not work either."""

from __future__ import annotations

import pytest

from checks.model import Verdict
from monitor.state import Health, HealthPolicy, SourceHealth, advance
from monitor.store import Store
from monitor.store.health import same_resource
from tests.store.helpers import T0, at, result, run

CITED = "http://www.example.gov/reports/annual.pdf"
MOVED = "https://www.example.gov/sites/default/files/annual-report.pdf"


def cite(store: Store, url: str, days: float) -> None:
    store.sync_sources([("report", url, "Annual report", "owner")], at(days))


def dead_at(store: Store, url: str) -> None:
    """The source cited at ``url``: fine on day 0, gone on days 1 and 2 (dead)."""
    cite(store, url, 0)
    run(store, 0, [result("report", Verdict.OK, 0, url=url)])
    for day in (1, 2):
        run(store, day, [result("report", Verdict.BROKEN, day, url=url, status=404)])
    assert store.health("report").health is Health.DEAD


@pytest.mark.parametrize(
    ("cited", "edited"),
    [
        (CITED, "https://www.example.gov/reports/annual.pdf"),
        (CITED, "http://WWW.Example.GOV/reports/annual.pdf"),
        (CITED, "http://www.example.gov:80/reports/annual.pdf"),
        ("https://www.example.gov/reports/", "https://www.example.gov/reports"),
        ("https://www.example.gov", "https://www.example.gov/"),
        ("http://www.example.gov/", "https://www.example.gov:443"),
    ],
)
def test_a_dead_source_respelt_keeps_its_evidence(store: Store, cited: str, edited: str) -> None:
    dead_at(store, cited)
    before = store.health("report")
    cite(store, edited, 2.5)
    run(store, 3, [result("report", Verdict.BROKEN, 3, url=edited, status=404)])
    health = store.health("report")
    assert health.health is Health.DEAD and health.since == before.since
    assert health.failing_since == at(1) and health.failures == 3
    assert store.events("report", at(3)) == []


def test_a_dead_source_moved_to_a_url_that_fails_too_stays_dead(store: Store) -> None:
    dead_at(store, CITED)
    before = store.health("report")
    cite(store, MOVED, 2.5)
    for day in (3, 4, 5):
        run(store, day, [result("report", Verdict.BROKEN, day, url=MOVED, status=404)])
    health = store.health("report")
    assert health.health is Health.DEAD and health.since == before.since
    assert health.failing_since == at(1), "the trouble began at the old URL"
    assert (health.failures, health.first_failure_at) == (3, at(3)), "evidence afresh"
    # No 'dead -> suspect' and then a second 'suspect -> dead' for the owner to hear.
    assert store.events("report", at(3)) == []


def test_a_dead_source_moved_to_a_working_url_still_recovers_at_once(store: Store) -> None:
    dead_at(store, CITED)
    cite(store, MOVED, 2.5)
    run(store, 3, [result("report", Verdict.OK, 3, url=MOVED)])
    [event] = store.events("report", at(3))
    assert (event.previous, event.health) == (Health.DEAD, Health.HEALTHY)
    assert store.health("report").failing_since is None


def test_a_suspect_source_moved_to_a_failing_url_is_confirmed_by_the_new_url_alone() -> None:
    policy = HealthPolicy()
    suspect = SourceHealth(
        "s",
        Health.SUSPECT,
        since=at(1),
        failing_since=at(1),
        failures=2,
        hard_failures=2,
        first_failure_at=at(1),
        last_checked_at=at(1.5),
    )
    state, event = advance(suspect, Verdict.BROKEN, at(2), policy, hard=True, new_url=True)
    assert event is None and state.health is Health.SUSPECT
    assert (state.failures, state.first_failure_at, state.failing_since) == (1, at(2), at(1))
    state, event = advance(state, Verdict.BROKEN, at(3), policy, hard=True)
    assert event is not None and (event.previous, event.health) == (Health.SUSPECT, Health.DEAD)


def test_a_healthy_source_moved_to_a_failing_url_is_suspect() -> None:
    healthy = SourceHealth("s", Health.HEALTHY, since=T0, last_checked_at=T0)
    state, event = advance(healthy, Verdict.BROKEN, at(1), HealthPolicy(), hard=True, new_url=True)
    assert state.health is Health.SUSPECT and state.failing_since == at(1)
    assert event is not None and event.reason.startswith("URL changed")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (
            "https://www.example.gov/Reports/annual.pdf",
            "https://www.example.gov/reports/annual.pdf",
        ),
        ("https://www.example.gov/annual.pdf", "https://example.gov/annual.pdf"),
        ("https://www.example.gov/annual.pdf", "https://www.example.gov:8443/annual.pdf"),
        ("https://www.example.gov/list?year=2019", "https://www.example.gov/list?year=2020"),
    ],
)
def test_other_resources_are_not_the_same(old: str, new: str) -> None:
    assert not same_resource(old, new)
