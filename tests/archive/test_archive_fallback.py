"""find_fallback end to end against the fake archive on loopback."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
import requests
from fpdf import FPDF

from checks.archive import ArchiveConfig, ArchiveLimiter, InMemoryLookupCache, find_fallback
from checks.archive.ratelimit import BUDGET_EXHAUSTED
from checks.model import ArchiveFallback, ArchiveStatus, CheckTarget
from tests.archive.conftest import (
    DRIFTED_HTML,
    GOOD_HTML,
    NOT_FOUND_HTML,
    SOURCE,
    FakeClock,
    closed_port_url,
    target,
)
from tests.archive.fake_archive import Canned, FakeArchive

MakeConfig = Callable[..., ArchiveConfig]
MakeLimiter = Callable[[ArchiveConfig], ArchiveLimiter]


def pdf_bytes(text: str | None) -> bytes:
    """A one-page PDF holding ``text``, or only a filled box (like a scan) when None."""
    pdf = FPDF()
    pdf.add_page()
    if text is None:
        pdf.rect(20, 20, 100, 60, style="F")
    else:
        pdf.set_font("Helvetica", size=12)
        pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def replayed(archive: FakeArchive) -> list[str]:
    """Paths of the captures fetched for reading (``id_`` replays)."""
    return [r.path for r in archive.requests if "id_/" in r.path]


class Lookup:
    """Runs find_fallback with a config and limiter pointed at a fake archive."""

    def __init__(self, config_for: MakeConfig, limiter_for: MakeLimiter, session: requests.Session):
        self.config_for = config_for
        self.limiter_for = limiter_for
        self.session = session
        self.limiter: ArchiveLimiter | None = None

    def __call__(
        self,
        fake: FakeArchive | None,
        source: CheckTarget | None = None,
        *,
        cache: InMemoryLookupCache | None = None,
        limiter: ArchiveLimiter | None = None,
        **changes: object,
    ) -> ArchiveFallback:
        config = self.config_for(fake, **changes)
        self.limiter = limiter or self.limiter_for(config)
        return find_fallback(
            source or target(),
            config,
            session=self.session,
            limiter=self.limiter,
            cache=cache,
            now=lambda: datetime(2026, 1, 1, tzinfo=UTC),
        )


@pytest.fixture
def lookup(config_for: MakeConfig, limiter_for: MakeLimiter, session: requests.Session) -> Lookup:
    return Lookup(config_for, limiter_for, session)


def test_good_capture_holding_the_claim_is_verified(
    fake_archive: FakeArchive, lookup: Lookup
) -> None:
    fake_archive.add(SOURCE, "20150301101500", body=GOOD_HTML)

    result = lookup(fake_archive)

    assert result.status is ArchiveStatus.VERIFIED
    assert result.url == f"{fake_archive.base_url}/web/20150301101500/{SOURCE}"
    assert result.captured_at == datetime(2015, 3, 1, 10, 15, tzinfo=UTC)
    assert result.claims_found == ("sold-per-year",)
    assert replayed(fake_archive) == [f"/web/20150301101500id_/{SOURCE}"]
    assert [c.accepted for c in result.candidates] == [True]


def test_closest_capture_is_an_archived_404_so_the_older_good_one_is_taken(
    fake_archive: FakeArchive, lookup: Lookup
) -> None:
    fake_archive.add(SOURCE, "20140110000000", body=GOOD_HTML)
    fake_archive.add(SOURCE, "20150520000000", status=404, body=NOT_FOUND_HTML)

    result = lookup(fake_archive)

    assert result.status is ArchiveStatus.VERIFIED
    assert result.captured_at == datetime(2014, 1, 10, tzinfo=UTC)
    first, second = result.candidates
    assert not first.accepted and "404" in first.reason
    assert first.captured_at == datetime(2015, 5, 20, tzinfo=UTC)
    assert second.accepted
    # The index already said 404, so that capture was never fetched.
    assert replayed(fake_archive) == [f"/web/20140110000000id_/{SOURCE}"]


def test_index_says_unknown_status_but_replay_is_an_archived_404(
    fake_archive: FakeArchive, lookup: Lookup
) -> None:
    fake_archive.add(SOURCE, "20140110000000", body=GOOD_HTML)
    fake_archive.add(SOURCE, "20150520000000", status=404, cdx_status="-", body=NOT_FOUND_HTML)

    result = lookup(fake_archive)

    assert result.status is ArchiveStatus.VERIFIED
    assert result.captured_at == datetime(2014, 1, 10, tzinfo=UTC)
    assert result.candidates[0].reason == "archived HTTP 404"
    assert len(replayed(fake_archive)) == 2


def test_archived_redirect_ending_at_an_error_is_rejected(
    fake_archive: FakeArchive, lookup: Lookup
) -> None:
    moved = "https://www.example.org/moved/children.html"
    fake_archive.add(SOURCE, "20150401000000", status=301, cdx_status="-", location=moved)
    fake_archive.add(moved, "20150401000000", status=404, body=NOT_FOUND_HTML)

    result = lookup(fake_archive)

    assert result.status is ArchiveStatus.NONE
    assert result.candidates[0].reason == "archived HTTP 404 after an archived redirect"


def test_archived_soft_404_is_rejected(fake_archive: FakeArchive, lookup: Lookup) -> None:
    fake_archive.add(SOURCE, "20150401000000", body=NOT_FOUND_HTML)

    result = lookup(fake_archive)

    assert result.status is ArchiveStatus.NONE
    assert result.candidates[0].reason.startswith("archived soft 404")


def test_capture_without_the_claim_is_unverified(fake_archive: FakeArchive, lookup: Lookup) -> None:
    fake_archive.add(SOURCE, "20150101000000", body=DRIFTED_HTML)
    fake_archive.add(SOURCE, "20160101000000", body=DRIFTED_HTML + b"<!-- v2 -->")

    result = lookup(fake_archive)

    assert result.status is ArchiveStatus.UNVERIFIED
    # The closest real copy before the access date is the one offered.
    assert result.url == f"{fake_archive.base_url}/web/20150101000000/{SOURCE}"
    assert result.captured_at == datetime(2015, 1, 1, tzinfo=UTC)
    assert result.claims_found == ()
    assert "sold-per-year" in (result.reason or "")
    assert [c.accepted for c in result.candidates] == [False, False]


def test_replays_stop_at_max_candidates(fake_archive: FakeArchive, lookup: Lookup) -> None:
    for year in (2011, 2012, 2013, 2014):
        fake_archive.add(SOURCE, f"{year}0101000000", body=DRIFTED_HTML + str(year).encode())

    result = lookup(fake_archive, max_candidates=2)

    assert result.status is ArchiveStatus.UNVERIFIED
    assert replayed(fake_archive) == [
        f"/web/20140101000000id_/{SOURCE}",
        f"/web/20130101000000id_/{SOURCE}",
    ]


def test_without_access_date_the_newest_capture_is_tried_first(
    fake_archive: FakeArchive, lookup: Lookup
) -> None:
    fake_archive.add(SOURCE, "20120101000000", body=GOOD_HTML)
    fake_archive.add(SOURCE, "20200101000000", body=GOOD_HTML + b"<!-- new -->")

    result = lookup(fake_archive, target(accessed=None))

    assert result.status is ArchiveStatus.VERIFIED
    assert result.captured_at == datetime(2020, 1, 1, tzinfo=UTC)


def test_capture_after_the_access_date_is_used_when_none_before(
    fake_archive: FakeArchive, lookup: Lookup
) -> None:
    fake_archive.add(SOURCE, "20190101000000", body=GOOD_HTML)
    fake_archive.add(SOURCE, "20170101000000", body=GOOD_HTML + b"<!-- older -->")

    result = lookup(fake_archive, target(accessed=date(2016, 1, 1)))

    assert result.captured_at == datetime(2017, 1, 1, tzinfo=UTC)


def test_only_error_captures_means_none(fake_archive: FakeArchive, lookup: Lookup) -> None:
    fake_archive.add(SOURCE, "20150101000000", status=404, body=NOT_FOUND_HTML)
    fake_archive.add(SOURCE, "20160101000000", status=302, location="https://www.example.org/")

    result = lookup(fake_archive)

    assert result.status is ArchiveStatus.NONE
    assert result.url is None
    assert {c.reason for c in result.candidates} == {
        "archived error page (HTTP 404)",
        "archived redirect (HTTP 302)",
    }
    assert replayed(fake_archive) == []
    # The Availability API was asked for a second opinion before concluding.
    assert fake_archive.seen("/wayback/available")


def test_nothing_archived_means_none(fake_archive: FakeArchive, lookup: Lookup) -> None:
    result = lookup(fake_archive)

    assert result.status is ArchiveStatus.NONE
    assert result.candidates == ()


@pytest.mark.parametrize("retry_after", ["0", "1"])
def test_429_is_backed_off_and_retried(
    fake_archive: FakeArchive, lookup: Lookup, clock: FakeClock, retry_after: str
) -> None:
    fake_archive.add(SOURCE, "20150301000000", body=GOOD_HTML)
    fake_archive.script("/cdx/", Canned(429, {"Retry-After": retry_after}, b"slow down"))

    result = lookup(fake_archive)

    assert result.status is ArchiveStatus.VERIFIED
    assert [r.status for r in fake_archive.seen("/cdx/")] == [429, 200]
    assert lookup.limiter is not None and lookup.limiter.rate_limited == 1
    assert sum(clock.sleeps) >= float(retry_after)


def test_429_beyond_the_retries_is_unknown(fake_archive: FakeArchive, lookup: Lookup) -> None:
    fake_archive.add(SOURCE, "20150301000000", body=GOOD_HTML)
    fake_archive.down("/cdx/", status=429)
    fake_archive.down("/wayback/", status=429)

    result = lookup(fake_archive, max_retries=1)

    assert result.status is ArchiveStatus.UNKNOWN
    assert "429" in (result.reason or "")


def test_archive_answering_503_is_unknown_never_none(
    fake_archive: FakeArchive, lookup: Lookup
) -> None:
    fake_archive.down("/", status=503)

    result = lookup(fake_archive)

    assert result.status is ArchiveStatus.UNKNOWN
    assert "503" in (result.reason or "")


def test_archive_refusing_connections_is_unknown(lookup: Lookup, config_for: MakeConfig) -> None:
    config = config_for(None, wayback=closed_port_url(), max_retries=0)
    fallback = find_fallback(
        target(), config, session=lookup.session, limiter=lookup.limiter_for(config)
    )

    assert fallback.status is ArchiveStatus.UNKNOWN
    assert "unreachable" in (fallback.reason or "")


def test_replay_outage_is_unknown(fake_archive: FakeArchive, lookup: Lookup) -> None:
    fake_archive.add(SOURCE, "20150301000000", body=GOOD_HTML)
    fake_archive.down("/web/", status=502)

    result = lookup(fake_archive)

    assert result.status is ArchiveStatus.UNKNOWN
    assert result.candidates[0].reason == "archive answered HTTP 502"


def test_cdx_empty_but_availability_knows_a_capture(
    fake_archive: FakeArchive, lookup: Lookup
) -> None:
    fake_archive.add(SOURCE, "20150301000000", body=GOOD_HTML, in_cdx=False)

    result = lookup(fake_archive)

    assert result.status is ArchiveStatus.VERIFIED
    assert result.url == f"{fake_archive.base_url}/web/20150301000000/{SOURCE}"
    (asked,) = fake_archive.seen("/wayback/available")
    assert asked.query["timestamp"] == ["20150601235959"]


def test_cdx_failing_and_availability_empty_is_unknown(
    fake_archive: FakeArchive, lookup: Lookup
) -> None:
    fake_archive.add(SOURCE, "20150301000000", body=GOOD_HTML)
    fake_archive.down("/cdx/", status=500)
    fake_archive.availability_empty = True

    result = lookup(fake_archive, max_retries=0)

    assert result.status is ArchiveStatus.UNKNOWN


def test_scheme_variant_is_found(lookup: Lookup) -> None:
    stored = "http://example.org/reports/children.html"
    with FakeArchive(cdx_match="exact") as fake:
        fake.add(stored, "20150301000000", body=GOOD_HTML)

        result = lookup(fake)

        asked = [r.query["url"][0] for r in fake.seen("/cdx/")]
    assert result.status is ArchiveStatus.VERIFIED
    assert result.url == f"{fake.base_url}/web/20150301000000/{stored}"
    assert asked[0] == SOURCE
    assert asked[-1] == stored
    assert len(asked) == len(set(asked))


def test_pdf_capture_holding_the_claim_is_verified(
    fake_archive: FakeArchive, lookup: Lookup
) -> None:
    url = "https://www.example.org/reports/final.pdf"
    body = pdf_bytes("Each year 100,000 children are sold for sex within the United States.")
    fake_archive.add(url, "20150301000000", body=body, content_type="application/pdf")

    result = lookup(fake_archive, target(url, expect="application/pdf"))

    assert result.status is ArchiveStatus.VERIFIED
    assert result.claims_found == ("sold-per-year",)


def test_html_capture_of_a_cited_pdf_is_rejected(fake_archive: FakeArchive, lookup: Lookup) -> None:
    url = "https://www.example.org/reports/final.pdf"
    fake_archive.add(url, "20150301000000", body=GOOD_HTML)

    result = lookup(fake_archive, target(url, expect="application/pdf"))

    assert result.status is ArchiveStatus.NONE
    assert result.candidates[0].reason == "expected a PDF, archived text/html"


def test_pdf_served_as_octet_stream_counts_as_pdf(
    fake_archive: FakeArchive, lookup: Lookup
) -> None:
    url = "https://www.example.org/reports/final.pdf"
    body = pdf_bytes("Each year 100,000 children are sold for sex within the United States.")
    fake_archive.add(url, "20150301000000", body=body, content_type="application/octet-stream")

    result = lookup(fake_archive, target(url, expect="application/pdf"))

    assert result.status is ArchiveStatus.VERIFIED


def test_scanned_pdf_is_unverified(fake_archive: FakeArchive, lookup: Lookup) -> None:
    url = "https://www.example.org/reports/final.pdf"
    fake_archive.add(url, "20150301000000", body=pdf_bytes(None), content_type="application/pdf")

    result = lookup(fake_archive, target(url, expect="application/pdf"))

    assert result.status is ArchiveStatus.UNVERIFIED
    assert result.url == f"{fake_archive.base_url}/web/20150301000000/{url}"


def test_budget_exhausted_mid_lookup_is_unknown(fake_archive: FakeArchive, lookup: Lookup) -> None:
    fake_archive.add(SOURCE, "20150301000000", body=GOOD_HTML)

    result = lookup(fake_archive, run_budget=1)

    assert result.status is ArchiveStatus.UNKNOWN
    assert result.reason == BUDGET_EXHAUSTED
    assert len(fake_archive.requests) == 1


def test_spent_budget_asks_nothing(fake_archive: FakeArchive, lookup: Lookup) -> None:
    fake_archive.add(SOURCE, "20150301000000", body=GOOD_HTML)

    result = lookup(fake_archive, run_budget=0)

    assert result.status is ArchiveStatus.UNKNOWN
    assert result.reason == BUDGET_EXHAUSTED
    assert fake_archive.requests == []


def test_cached_lookup_is_not_asked_again(
    fake_archive: FakeArchive, lookup: Lookup, cache: InMemoryLookupCache
) -> None:
    fake_archive.add(SOURCE, "20150301000000", body=GOOD_HTML)

    first = lookup(fake_archive, cache=cache)
    second = lookup(fake_archive, cache=cache)

    assert first == second
    assert len(fake_archive.seen("/cdx/")) == 1
    assert len(replayed(fake_archive)) == 2


def test_memento_timemap_flow(fake_archive: FakeArchive, lookup: Lookup) -> None:
    fake_archive.add(SOURCE, "20100101000000", body=DRIFTED_HTML)
    fake_archive.add(SOURCE, "20150301000000", body=GOOD_HTML)
    fake_archive.add(SOURCE, "20180101000000", body=DRIFTED_HTML + b"new")
    memento = (f"{fake_archive.base_url}/web/ name=fake",)

    result = lookup(None, wayback=None, memento=memento)

    assert result.status is ArchiveStatus.VERIFIED
    assert result.url == f"{fake_archive.base_url}/web/20150301000000/{SOURCE}"
    assert result.captured_at == datetime(2015, 3, 1, tzinfo=UTC)
    assert result.candidates[0].archive == "fake"
    assert [r.path for r in fake_archive.requests] == [
        f"/web/timemap/link/{SOURCE}",
        f"/web/20150301000000id_/{SOURCE}",
    ]


def test_memento_timegate_flow_when_no_timemap(fake_archive: FakeArchive, lookup: Lookup) -> None:
    fake_archive.timemap_enabled = False
    fake_archive.add(SOURCE, "20100101000000", body=DRIFTED_HTML)
    fake_archive.add(SOURCE, "20150301000000", body=GOOD_HTML)
    fake_archive.add(SOURCE, "20180101000000", body=DRIFTED_HTML + b"new")

    result = lookup(None, wayback=None, memento=(f"{fake_archive.base_url}/web/",))

    assert result.status is ArchiveStatus.VERIFIED
    assert result.captured_at == datetime(2015, 3, 1, tzinfo=UTC)
    (gate,) = [r for r in fake_archive.seen("/web/") if r.path == f"/web/{SOURCE}"]
    assert gate.headers["accept-datetime"] == "Mon, 01 Jun 2015 23:59:59 GMT"
    # The TimeGate's choice is dated from its URI and tried first.
    assert replayed(fake_archive) == [f"/web/20150301000000id_/{SOURCE}"]


def test_wayback_none_and_memento_archive_down_is_unknown(
    fake_archive: FakeArchive, lookup: Lookup
) -> None:
    with FakeArchive() as other:
        other.down("/", status=503)

        result = lookup(fake_archive, memento=(f"{other.base_url}/web/",), max_retries=0)

    assert result.status is ArchiveStatus.UNKNOWN
    assert "503" in (result.reason or "")


def test_second_archive_verifies_when_the_first_has_nothing(
    fake_archive: FakeArchive, lookup: Lookup
) -> None:
    with FakeArchive() as other:
        other.add(SOURCE, "20150301000000", body=GOOD_HTML)

        result = lookup(fake_archive, memento=(f"{other.base_url}/web/ name=other",))

    assert result.status is ArchiveStatus.VERIFIED
    assert result.url is not None and result.url.startswith(other.base_url)


def test_a_far_verified_copy_asks_the_next_archive_and_the_closest_wins(
    fake_archive: FakeArchive, lookup: Lookup
) -> None:
    # Cited 2015-06-01: a copy from six years later holds the claim too, but another
    # archive has one from the days before the citation.
    fake_archive.add(SOURCE, "20210601000000", body=GOOD_HTML)
    with FakeArchive() as other:
        other.add(SOURCE, "20150530000000", body=GOOD_HTML)

        result = lookup(fake_archive, memento=(f"{other.base_url}/web/ name=other",))

    assert result.status is ArchiveStatus.VERIFIED
    assert result.captured_at == datetime(2015, 5, 30, tzinfo=UTC)
    assert result.url is not None and result.url.startswith(other.base_url)


def test_between_archives_the_nearest_verified_copy_wins_either_side(
    fake_archive: FakeArchive, lookup: Lookup
) -> None:
    # Cited 2015-06-01: four years before it, or a day after it.
    fake_archive.add(SOURCE, "20110601000000", body=GOOD_HTML)
    with FakeArchive() as other:
        other.add(SOURCE, "20150602000000", body=GOOD_HTML)

        result = lookup(fake_archive, memento=(f"{other.base_url}/web/ name=other",))

    assert result.captured_at == datetime(2015, 6, 2, tzinfo=UTC)


def test_a_near_verified_copy_ends_the_search(fake_archive: FakeArchive, lookup: Lookup) -> None:
    fake_archive.add(SOURCE, "20150520000000", body=GOOD_HTML)
    with FakeArchive() as other:
        other.add(SOURCE, "20150531000000", body=GOOD_HTML)

        result = lookup(fake_archive, memento=(f"{other.base_url}/web/ name=other",))

        assert other.requests == []
    assert result.captured_at == datetime(2015, 5, 20, tzinfo=UTC)


def test_unverified_copy_beats_an_unknown_archive(
    fake_archive: FakeArchive, lookup: Lookup
) -> None:
    fake_archive.add(SOURCE, "20150101000000", body=DRIFTED_HTML)
    with FakeArchive() as other:
        other.down("/", status=503)

        result = lookup(fake_archive, memento=(f"{other.base_url}/web/",), max_retries=0)

    assert result.status is ArchiveStatus.UNVERIFIED
    assert "also unknown" in (result.reason or "")


def test_source_without_claims_is_verified_by_a_real_capture(
    fake_archive: FakeArchive, lookup: Lookup
) -> None:
    fake_archive.add(SOURCE, "20150101000000", body=DRIFTED_HTML)

    result = lookup(fake_archive, target(claims=()))

    assert result.status is ArchiveStatus.VERIFIED
    assert result.claims_found == ()
