"""Which captures are seen and tried: the index rows around the access date, the
newest capture, slots for captures after the access date, sources without claims."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
import requests

from checks.archive import ArchiveConfig, ArchiveLimiter, find_fallback
from checks.archive.cache import KeyedLocks
from checks.archive.choose import accessed_instant, plan_replays, rank_captures
from checks.archive.records import Capture
from checks.archive.wayback import newest_capture
from checks.model import ArchiveFallback, ArchiveStatus, CheckTarget, ClaimSpec
from tests.archive.conftest import DRIFTED_HTML, GOOD_HTML, PREVIOUS_OWNER_HTML, SOURCE, target
from tests.archive.fake_archive import FakeArchive

MakeConfig = Callable[..., ArchiveConfig]
MakeLimiter = Callable[[ArchiveConfig], ArchiveLimiter]
Find = Callable[..., ArchiveFallback]

PARKED_HTML = (
    b"<html><head><title>example.org</title></head><body><h1>example.org</h1>"
    b"<p>This domain is for sale! Buy this domain today.</p>"
    b"<p>Related searches: Child Care, Reports</p></body></html>"
)


@pytest.fixture
def find(
    config_for: MakeConfig, limiter_for: MakeLimiter, session: requests.Session
) -> Callable[..., ArchiveFallback]:
    def run(
        fake: FakeArchive,
        source: CheckTarget | None = None,
        *,
        last_healthy: datetime | None = None,
        **changes: object,
    ) -> ArchiveFallback:
        config = config_for(fake, **changes)
        extra = {} if last_healthy is None else {"last_healthy": last_healthy}
        return find_fallback(
            source or target(),
            config,
            session=session,
            limiter=limiter_for(config),
            **extra,  # type: ignore[arg-type]
        )

    return run


def replayed(archive: FakeArchive) -> list[str]:
    return [r.path.split("/")[2] for r in archive.requests if "id_/" in r.path]


def monthly(fake: FakeArchive, start: date, months: int, body: bytes) -> None:
    for n in range(months):
        year, month = divmod(start.month - 1 + n, 12)
        stamp = f"{start.year + year}{month + 1:02d}01000000"
        fake.add(SOURCE, stamp, body=body + stamp.encode())


def test_rows_near_the_access_date_are_asked_for_not_the_oldest(
    fake_archive: FakeArchive, find: Find
) -> None:
    # Monthly captures 2010-2019; the claim appeared in May 2015; cited June 2015.
    monthly(fake_archive, date(2010, 1, 1), 65, DRIFTED_HTML)
    monthly(fake_archive, date(2015, 5, 1), 55, GOOD_HTML)

    result = find(fake_archive, cdx_limit=40)

    assert result.status is ArchiveStatus.VERIFIED
    assert result.captured_at == datetime(2015, 6, 1, tzinfo=UTC)
    (asked,) = fake_archive.seen("/cdx/")
    assert asked.query["limit"] == ["-40"]
    assert asked.query["to"][0] > "20150601"


def test_page_captured_more_often_than_one_answer_holds_is_asked_each_side(
    fake_archive: FakeArchive, find: Find
) -> None:
    fake_archive.add(SOURCE, "20150301000000", body=GOOD_HTML)
    for day in range(1, 29):
        fake_archive.add(SOURCE, f"201507{day:02d}000000", body=DRIFTED_HTML + bytes([day]))

    result = find(fake_archive, cdx_limit=10)

    assert result.captured_at == datetime(2015, 3, 1, tzinfo=UTC)
    assert result.status is ArchiveStatus.VERIFIED
    before, after = fake_archive.seen("/cdx/")[1:]
    assert (before.query["to"], before.query["limit"]) == (["20150601235959"], ["-10"])
    assert (after.query["from"], after.query["limit"]) == (["20150602000000"], ["10"])


def test_a_page_first_archived_years_after_its_citation_is_still_found(
    fake_archive: FakeArchive, find: Find
) -> None:
    # Cited June 2015; the first captures are from 2019, past the three years the
    # window looks ahead.
    fake_archive.add(SOURCE, "20190301000000", body=GOOD_HTML)
    fake_archive.add(SOURCE, "20200301000000", body=GOOD_HTML + b"later")

    result = find(fake_archive)

    assert result.status is ArchiveStatus.VERIFIED
    assert result.captured_at == datetime(2019, 3, 1, tzinfo=UTC)
    later = [r for r in fake_archive.seen("/cdx/") if "from" in r.query]
    assert [(r.query["from"], r.query["limit"]) for r in later] == [(["20180601000000"], ["1000"])]


def test_no_query_is_spent_past_the_present(fake_archive: FakeArchive, find: Find) -> None:
    # Cited last month: the first query already reaches today; a dead page with no
    # capture costs no query about the future.
    recent = (datetime.now(UTC) - timedelta(days=30)).date()

    result = find(fake_archive, target(accessed=recent))

    assert result.status is ArchiveStatus.NONE
    assert not [r for r in fake_archive.seen("/cdx/") if "from" in r.query]


def test_without_any_date_the_newest_rows_are_asked_for(
    fake_archive: FakeArchive, find: Find
) -> None:
    monthly(fake_archive, date(2010, 1, 1), 30, DRIFTED_HTML)
    fake_archive.add(SOURCE, "20200101000000", body=GOOD_HTML)

    result = find(fake_archive, target(accessed=None), cdx_limit=5)

    assert result.captured_at == datetime(2020, 1, 1, tzinfo=UTC)
    assert fake_archive.seen("/cdx/")[0].query["limit"] == ["-5"]


def test_newest_capture_is_the_newest_good_one(
    fake_archive: FakeArchive,
    config_for: MakeConfig,
    limiter_for: MakeLimiter,
    session: requests.Session,
) -> None:
    monthly(fake_archive, date(2010, 1, 1), 40, DRIFTED_HTML)
    fake_archive.add(SOURCE, "20200101000000", body=GOOD_HTML)
    fake_archive.add(SOURCE, "20210101000000", status=404, body=b"gone")
    config = config_for(fake_archive, cdx_limit=10)

    newest = newest_capture(
        SOURCE, config, session=session, limiter=limiter_for(config), locks=KeyedLocks()
    )

    assert newest == datetime(2020, 1, 1, tzinfo=UTC)
    (asked,) = fake_archive.seen("/cdx/")
    assert asked.query["limit"] == ["-1"]


def test_the_nearest_capture_after_the_access_date_gets_a_slot(
    fake_archive: FakeArchive, find: Find
) -> None:
    # Revised 2014-01-10, cited 2014-01-15, first captured after that on 2014-01-20.
    monthly(fake_archive, date(2013, 3, 1), 10, DRIFTED_HTML)
    fake_archive.add(SOURCE, "20140120000000", body=GOOD_HTML)

    result = find(fake_archive, target(accessed=date(2014, 1, 15)))

    assert result.status is ArchiveStatus.VERIFIED
    assert result.captured_at == datetime(2014, 1, 20, tzinfo=UTC)
    assert len(replayed(fake_archive)) == 6
    assert replayed(fake_archive)[:2] == ["20131201000000id_", "20131101000000id_"]


def capture(stamp: str) -> Capture:
    return Capture(
        archive="a",
        captured_at=datetime.strptime(stamp, "%Y%m%d").replace(tzinfo=UTC),
        url=stamp,
        replay_url=stamp,
        original=SOURCE,
    )


def test_plan_keeps_slots_for_the_nearest_after() -> None:
    accessed = accessed_instant(date(2015, 6, 1))
    stamps = ["20150501", "20150401", "20150301", "20150201", "20150701", "20150801", "20150901"]
    ranked = rank_captures([capture(s) for s in stamps], accessed)

    assert [c.url for c in plan_replays(ranked, accessed, 4, 2)] == [
        "20150501",
        "20150401",
        "20150701",
        "20150801",
    ]
    assert [c.url for c in plan_replays(ranked, accessed, 1, 2)] == ["20150501"]
    assert [c.url for c in plan_replays(ranked[:2], accessed, 4, 2)] == ["20150501", "20150401"]


def test_without_claims_a_capture_near_the_access_date_beats_one_years_before(
    fake_archive: FakeArchive, find: Find
) -> None:
    # The URL belonged to someone else in 2004; the report went up in 2014.
    fake_archive.add(SOURCE, "20040301000000", body=PREVIOUS_OWNER_HTML)
    fake_archive.add(SOURCE, "20140117000000", body=GOOD_HTML)

    result = find(fake_archive, target(accessed=date(2014, 1, 15), claims=()))

    assert result.status is ArchiveStatus.VERIFIED
    assert result.captured_at == datetime(2014, 1, 17, tzinfo=UTC)


def test_window_ranking_for_sources_without_claims() -> None:
    accessed = accessed_instant(date(2014, 1, 15))
    stamps = ["20040301", "20131001", "20140117", "20160101", "20120601"]

    ranked = rank_captures([capture(s) for s in stamps], accessed, timedelta(days=365))

    # Within a year: before, then after; beyond it: by distance either side.
    assert [c.url for c in ranked] == ["20131001", "20140117", "20120601", "20160101", "20040301"]


def test_archived_parked_domain_is_rejected(fake_archive: FakeArchive, find: Find) -> None:
    fake_archive.add(SOURCE, "20210510000000", body=PARKED_HTML)

    result = find(fake_archive, target(accessed=date(2021, 6, 1), claims=()))

    assert result.status is ArchiveStatus.NONE
    assert result.candidates[0].reason.startswith("archived parked or for-sale domain")


def test_without_access_date_captures_before_the_last_healthy_check_come_first(
    fake_archive: FakeArchive, find: Find
) -> None:
    # Healthy until 2019; the URL then served another site's page.
    fake_archive.add(SOURCE, "20180101000000", body=DRIFTED_HTML)
    fake_archive.add(SOURCE, "20210101000000", body=PREVIOUS_OWNER_HTML)
    last_healthy = datetime(2019, 3, 1, tzinfo=UTC)

    result = find(fake_archive, target(accessed=None, claims=()), last_healthy=last_healthy)

    assert result.status is ArchiveStatus.VERIFIED
    assert result.captured_at == datetime(2018, 1, 1, tzinfo=UTC)
    assert fake_archive.seen("/cdx/")[0].query["to"][0].startswith("2022")


def test_archived_redirects_are_replayed_after_real_captures_when_configured(
    fake_archive: FakeArchive, find: Find
) -> None:
    cited = "http://www.example.org/files/report.pdf"
    moved = "https://example.org/assets/2497/report.pdf"
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    for stamp in ("20130501000000", "20140301000000"):
        fake_archive.add(cited, stamp, status=301, location=moved, body=b"moved")
        fake_archive.add(moved, stamp, body=pdf, content_type="application/pdf")
    source = target(cited, accessed=date(2014, 1, 15), claims=(), expect="application/pdf")

    result = find(fake_archive, source, replay_archived_redirects=True)

    assert result.status is ArchiveStatus.VERIFIED
    assert result.url == f"{fake_archive.base_url}/web/20130501000000/{moved}"
    assert find(fake_archive, source).status is ArchiveStatus.NONE


def test_claims_still_decide_whatever_the_order(fake_archive: FakeArchive, find: Find) -> None:
    fake_archive.add(SOURCE, "20040301000000", body=GOOD_HTML)
    fake_archive.add(SOURCE, "20140117000000", body=DRIFTED_HTML)
    source = target(accessed=date(2014, 1, 15), claims=(ClaimSpec("n", "100,000"),))

    result = find(fake_archive, source)

    assert result.status is ArchiveStatus.VERIFIED
    assert result.captured_at == datetime(2004, 3, 1, tzinfo=UTC)
