"""The run's archive step (monitor.archiving): saving live sources never costs dead ones
their fallback, nor aborts the run; the last healthy check guides undated lookups."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest
import requests

from checks.archive import ArchiveConfig
from checks.archive.wayback import parse_cdx
from checks.model import ArchiveStatus, CheckResult, CheckTarget, Verdict
from monitor.archiving import ArchiveLookups, with_overrides
from monitor.registry.model import ArchiveEndpoints
from tests.archive.conftest import GOOD_HTML, PREVIOUS_OWNER_HTML, SOURCE
from tests.archive.fake_archive import FakeArchive

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def config(archive: FakeArchive, **changes: object) -> ArchiveConfig:
    base = ArchiveConfig(
        wayback=archive.base_url,
        timeout_s=5.0,
        requests_per_minute=60000.0,
        replay_requests_per_minute=60000.0,
        save_requests_per_minute=60000.0,
        save_status_requests_per_minute=60000.0,
        spn_access_key="access",
        spn_secret_key="secret",
    )
    return dataclasses.replace(base, **changes)


def result(url: str, verdict: Verdict) -> CheckResult:
    return CheckResult(url=url, verdict=verdict, reason="r", checked_at=NOW)


def test_saving_healthy_sources_leaves_the_budget_of_dead_ones(
    fake_archive: FakeArchive,
) -> None:
    fake_archive.spn_pending_polls = 0
    fake_archive.add(SOURCE, "20140101000000", body=GOOD_HTML)
    lookups = ArchiveLookups(config(fake_archive, run_budget=20), now=lambda: NOW, spn_wait_s=0)

    for n in range(30):
        url = f"https://healthy{n}.example.org/page"
        lookups(CheckTarget(url=url), result(url, Verdict.OK), requests.Session())
    dead = lookups(
        CheckTarget(url=SOURCE, accessed=date(2014, 2, 1), claims=()),
        result(SOURCE, Verdict.BROKEN),
        requests.Session(),
    )

    assert dead.archive is not None
    assert dead.archive.status is ArchiveStatus.VERIFIED
    # Freshness is one question per source: the index matches every variant anyway.
    freshness = [r for r in fake_archive.seen("/cdx/") if "healthy0." in r.query["url"][0]]
    assert len(freshness) == 1


def test_a_failure_while_saving_is_recorded_not_raised(
    fake_archive: FakeArchive, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("invalid literal for int() with base 10: '²'")

    monkeypatch.setattr("monitor.archiving.newest_capture", broken)
    lookups = ArchiveLookups(config(fake_archive), now=lambda: NOW)

    out = lookups(CheckTarget(url=SOURCE), result(SOURCE, Verdict.OK), requests.Session())

    assert out.extra["saved_capture"]["status"] == "error"
    assert "²" in str(out.extra["saved_capture"]["message"])


def test_non_ascii_digits_in_an_index_status_are_an_unknown_status() -> None:
    rows = [
        ["timestamp", "original", "statuscode"],
        ["20140101000000", SOURCE, "200"],
        ["20140102000000", SOURCE, "\u00b2\u00b2\u00b2"],
        ["20140103000000", SOURCE, "\uff12\uff10\uff10"],
    ]

    captures = parse_cdx(rows, ArchiveConfig(wayback="https://wb.example"))

    assert [c.status for c in captures] == [200, None, None]


def test_the_last_healthy_check_guides_a_lookup_without_access_date(
    fake_archive: FakeArchive,
) -> None:
    fake_archive.add(SOURCE, "20180101000000", body=GOOD_HTML)
    fake_archive.add(SOURCE, "20210101000000", body=PREVIOUS_OWNER_HTML)
    asked: list[str] = []

    def last_healthy(source_id: str) -> datetime:
        asked.append(source_id)
        return datetime(2019, 3, 1, tzinfo=UTC)

    lookups = ArchiveLookups(
        config(fake_archive, spn_access_key=None), now=lambda: NOW, last_healthy=last_healthy
    )

    out = lookups(
        CheckTarget(url=SOURCE, source_id="report"),
        result(SOURCE, Verdict.BROKEN),
        requests.Session(),
    )

    assert asked == ["report"]
    assert out.archive is not None
    assert out.archive.captured_at == datetime(2018, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "option", ["memento=https://x.example/ nmae=typo", "wayback=web.archive.org", "memento=x/"]
)
def test_archive_option_typos_fail_the_command(option: str) -> None:
    with pytest.raises(ValueError):
        with_overrides(ArchiveEndpoints(), (option,))


def test_a_mistyped_memento_entry_does_not_hide_the_other_archives(
    fake_archive: FakeArchive,
) -> None:
    fake_archive.add(SOURCE, "20140101000000", body=GOOD_HTML)
    lookups = ArchiveLookups(
        config(fake_archive, memento=("https://x.example/ nmae=typo",), spn_access_key=None)
    )

    out = lookups(
        CheckTarget(url=SOURCE, accessed=date(2014, 2, 1)),
        result(SOURCE, Verdict.BROKEN),
        requests.Session(),
    )

    assert out.archive is not None
    assert out.archive.status is ArchiveStatus.VERIFIED
