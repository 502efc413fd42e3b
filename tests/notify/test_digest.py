"""Composing digests: who hears what after a run (pure, no store)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from checks.model import ArchiveFallback, ArchiveStatus, CheckResult, Verdict
from monitor.notify import ItemKind, NotifySettings, compose
from monitor.notify.digest import Composition
from monitor.registry.model import Registry, Source
from monitor.state import Health, HealthEvent, SourceHealth
from tests.notify.project import (
    ARCHIVE_URL,
    SOURCES,
    T0,
    at,
    event,
    registry,
    result,
    status_from,
    verified_archive,
)

HEALTH = {
    "fbi-stats": SourceHealth("fbi-stats", Health.DEAD, since=T0, failing_since=at(-3)),
    "upenn-study": SourceHealth("upenn-study", Health.DEAD, since=T0, failing_since=at(-2)),
    "ncadv-facts": SourceHealth("ncadv-facts", Health.SUSPECT, since=T0, failing_since=T0),
    "oag-page": SourceHealth("oag-page", Health.RECOVERED, since=T0),
    "ccwc-report": SourceHealth("ccwc-report", Health.HEALTHY, since=T0),
}
EVENTS = [
    event("fbi-stats", T0, Health.SUSPECT, Health.DEAD),
    event("upenn-study", T0, Health.HEALTHY, Health.DEAD),
    event("ncadv-facts", T0, Health.HEALTHY, Health.SUSPECT),
    event("oag-page", T0, Health.DEAD, Health.RECOVERED),
    event("ccwc-report", T0, Health.UNKNOWN, Health.HEALTHY),
]
# The two dead sources' owners were told just now (no reminders due).
TOLD = {("web", "fbi-stats"): T0, ("research", "upenn-study"): T0}


def latest(**overrides: CheckResult) -> dict[str, CheckResult]:
    results = {
        "fbi-stats": result("fbi-stats", Verdict.BROKEN, T0, archive=verified_archive()),
        "upenn-study": result("upenn-study", Verdict.BROKEN, T0),
        "ncadv-facts": result("ncadv-facts", Verdict.CLAIM_MISSING, T0, reason="not found"),
        "oag-page": result("oag-page", Verdict.OK, T0),
        "ccwc-report": result("ccwc-report", Verdict.OK, T0),
    }
    results.update(overrides)
    return results


def run_compose(
    reg: Registry,
    events: list[HealthEvent],
    *,
    results: dict[str, CheckResult] | None = None,
    health: dict[str, SourceHealth] | None = None,
    now: datetime = T0,
    notices: dict[tuple[str, str], datetime] | None = None,
    changed: tuple[str, ...] = (),
) -> Composition:
    status: dict[str, Any] = status_from(reg, results or latest(), health or HEALTH, now)
    told = notices or {}
    return compose(
        events,
        status,
        reg,
        run_id=7,
        now=now,
        settings=NotifySettings.from_mapping(reg.settings.notify),
        last_notice=lambda owner, source: told.get((owner, source)),
        changed=changed,
    )


def kinds(composition: Composition) -> dict[str, list[tuple[ItemKind, str]]]:
    return {d.owner_id: [(i.kind, i.source_id) for i in d.items] for d in composition.digests}


def test_one_digest_per_owner_with_the_news_in_kind_order(tmp_path: Path) -> None:
    composition = run_compose(registry(tmp_path), EVENTS)
    assert kinds(composition) == {
        "research": [
            (ItemKind.NEW_DEAD, "upenn-study"),
            (ItemKind.CLAIM_MISSING, "ncadv-facts"),
        ],
        "web": [(ItemKind.NEW_DEAD, "fbi-stats"), (ItemKind.RECOVERED, "oag-page")],
    }
    web = composition.digests[1]
    assert (web.owner_name, web.run_id, web.attention) == ("Web team", 7, 1)
    assert composition.unrouted == ()


def test_an_item_lists_its_citations_claims_failing_since_and_the_verified_archive(
    tmp_path: Path,
) -> None:
    composition = run_compose(registry(tmp_path), EVENTS)
    fbi = composition.digests[1].items[0]
    assert fbi.verdict == "broken" and fbi.reason == "404 Not Found"
    assert fbi.change == "suspect -> dead"
    assert fbi.failing_since == at(-3)
    assert [(c.document_title, c.line, c.statements) for c in fbi.citations] == [
        ("CSEC Fact Sheet", 12, ("100,000 children are sold for sex each year",)),
        ("CSEC Fact Sheet", 31, ("100,000 children are sold for sex each year",)),
    ]
    assert fbi.archive is not None
    assert fbi.archive.url == ARCHIVE_URL
    assert fbi.archive.captured_at is not None and fbi.archive.captured_at.year == 2014
    upenn = composition.digests[0].items[0]
    assert upenn.archive is None
    assert upenn.citations[0].statements == ("300,000 U.S. children are at risk",)


def test_only_a_verified_archive_copy_is_offered(tmp_path: Path) -> None:
    unverified = ArchiveFallback(ArchiveStatus.UNVERIFIED, url=ARCHIVE_URL, captured_at=T0)
    results = latest(**{"fbi-stats": result("fbi-stats", Verdict.BROKEN, T0, archive=unverified)})
    composition = run_compose(registry(tmp_path), EVENTS, results=results)
    assert composition.digests[1].items[0].archive is None


def test_health_changes_that_are_not_news_are_left_out(tmp_path: Path) -> None:
    events = [
        event("ccwc-report", T0, Health.UNKNOWN, Health.HEALTHY),  # first sight
        event("oag-page", T0, Health.SUSPECT, Health.HEALTHY),  # never reported
        event("upenn-study", T0, Health.HEALTHY, Health.SUSPECT),  # not confirmed yet
    ]
    health = {
        **HEALTH,
        "fbi-stats": SourceHealth("fbi-stats", Health.HEALTHY),
        "upenn-study": SourceHealth("upenn-study", Health.SUSPECT),
    }
    results = latest(**{"ncadv-facts": result("ncadv-facts", Verdict.OK, T0)})
    composition = run_compose(registry(tmp_path), events, results=results, health=health)
    assert composition.digests == ()


def test_a_missing_claim_is_news_only_when_it_changed_in_this_run(tmp_path: Path) -> None:
    reg = registry(tmp_path)
    unchanged = run_compose(reg, [], notices=TOLD)
    assert kinds(unchanged) == {}
    changed = run_compose(reg, [], notices=TOLD, changed=("ncadv-facts",))
    assert kinds(changed) == {"research": [(ItemKind.CLAIM_MISSING, "ncadv-facts")]}


def test_a_source_without_owner_goes_to_the_citing_documents_owner_else_the_fallback(
    tmp_path: Path,
) -> None:
    orphan = Source(id="orphan", url="https://orphan.example.org/", title="Orphan")
    sources = (*SOURCES, orphan)
    results = latest(orphan=result("fbi-stats", Verdict.BROKEN, T0).replace(source_id="orphan"))
    results["orphan"] = results["orphan"].replace(url=orphan.url)
    events = [event("orphan", T0, Health.SUSPECT, Health.DEAD)]
    health = {**HEALTH, "orphan": SourceHealth("orphan", Health.DEAD)}

    alone = run_compose(
        registry(tmp_path, sources=sources), events, results=results, health=health, notices=TOLD
    )
    assert alone.digests == ()
    assert [i.source_id for i in alone.unrouted] == ["orphan"]

    routed = run_compose(
        registry(tmp_path, sources=sources, notify={"fallback_owner": "research"}),
        events,
        results=results,
        health=health,
        notices=TOLD,
    )
    assert kinds(routed) == {"research": [(ItemKind.NEW_DEAD, "orphan")]}
    assert routed.unrouted == ()
    # Cited but not owned: the citing document's owner hears of it, not the fallback.
    cited = run_compose(
        registry(tmp_path, notify={"fallback_owner": "web"}),
        [event("ncadv-facts", T0, Health.SUSPECT, Health.DEAD)],
        notices=TOLD,
    )
    assert kinds(cited) == {"research": [(ItemKind.NEW_DEAD, "ncadv-facts")]}


def test_still_dead_sources_are_reminded_weekly(tmp_path: Path) -> None:
    reg = registry(tmp_path)
    now = at(10)
    # No event for fbi-stats in this run: it is simply still dead.
    never_told = run_compose(reg, [], now=now)
    assert kinds(never_told)["web"] == [(ItemKind.REMINDER, "fbi-stats")]
    told_recently = run_compose(
        reg, [], now=now, notices={("web", "fbi-stats"): now - timedelta(days=6, hours=23)}
    )
    assert "web" not in kinds(told_recently)
    told_a_week_ago = run_compose(
        reg, [], now=now, notices={("web", "fbi-stats"): now - timedelta(days=7)}
    )
    assert kinds(told_a_week_ago)["web"] == [(ItemKind.REMINDER, "fbi-stats")]
    reminder = told_a_week_ago.digests[1].items[0]
    assert reminder.change is None and reminder.archive is not None


def test_reminders_follow_the_configured_interval_and_can_be_turned_off(tmp_path: Path) -> None:
    now = at(10)
    notices = {("web", "fbi-stats"): now - timedelta(days=2)}
    every_day = registry(tmp_path, notify={"reminder_days": 1})
    assert kinds(run_compose(every_day, [], now=now, notices=notices))["web"] == [
        (ItemKind.REMINDER, "fbi-stats")
    ]
    never = registry(tmp_path, notify={"reminder_days": 0})
    assert run_compose(never, [], now=now).digests == ()
