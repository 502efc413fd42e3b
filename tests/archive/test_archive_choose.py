"""Pure decisions: ranking, index rejections, type checks, judging a replay, combining."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest

from checks.archive.choose import (
    Analyser,
    Soft404,
    accessed_instant,
    combine,
    index_rejection,
    judge_replay,
    rank_captures,
    type_mismatch,
)
from checks.archive.records import ArchiveOutcome, Capture, Judgement, Outcome, Replay
from checks.model import ArchiveCandidate, ArchiveStatus, CheckTarget, ClaimFinding, ClaimSpec

BASE = "https://arch.example"
URL = "https://site.example/report"
ACCESSED = accessed_instant(date(2015, 6, 1))


def capture(stamp: str, status: int | None = 200) -> Capture:
    return Capture(
        archive="wayback",
        captured_at=datetime.strptime(stamp, "%Y%m%d").replace(tzinfo=UTC),
        url=f"{BASE}/web/{stamp}000000/{URL}",
        replay_url=f"{BASE}/web/{stamp}000000id_/{URL}",
        original=URL,
        status=status,
    )


def test_access_day_counts_as_before() -> None:
    assert accessed_instant(date(2015, 6, 1)) == datetime(2015, 6, 1, 23, 59, 59, tzinfo=UTC)
    assert accessed_instant(None) is None


def test_nearest_before_then_nearest_after() -> None:
    captures = [capture(s) for s in ("20100101", "20150601", "20150101", "20150602", "20200101")]

    ranked = [c.url[len(BASE) + 5 : len(BASE) + 13] for c in rank_captures(captures, ACCESSED)]

    assert ranked == ["20150601", "20150101", "20100101", "20150602", "20200101"]


def test_without_access_date_newest_first_and_undated_last() -> None:
    undated = Capture("m", None, "u", "u-raw", URL)
    captures = [capture("20100101"), undated, capture("20200101"), capture("20150101")]

    ranked = rank_captures(captures, None)

    assert [c.captured_at.year if c.captured_at else None for c in ranked] == [
        2020,
        2015,
        2010,
        None,
    ]


def test_duplicates_are_dropped() -> None:
    assert len(rank_captures([capture("20100101"), capture("20100101")], ACCESSED)) == 1


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (200, None),
        (203, None),
        (206, None),
        (None, None),
        (301, "archived redirect (HTTP 301)"),
        (404, "archived error page (HTTP 404)"),
        (503, "archived error page (HTTP 503)"),
        (204, "archived HTTP 204"),
    ],
)
def test_index_rejection(status: int | None, reason: str | None) -> None:
    assert index_rejection(capture("20150101", status)) == reason


@pytest.mark.parametrize(
    ("expected", "content_type", "body", "problem"),
    [
        (None, "image/png", b"", None),
        ("application/pdf", "application/pdf", b"", None),
        ("application/pdf", "application/octet-stream", b"%PDF-1.4 ...", None),
        ("application/pdf", None, b"\n%PDF-1.7", None),
        (
            "application/pdf",
            "text/html; charset=utf-8",
            b"<html>",
            "expected a PDF, archived text/html",
        ),
        ("text/html", "text/html; charset=utf-8", b"<html>", None),
        ("text/html", "application/xhtml+xml", b"<html>", None),
        ("text/html", None, b"<html>", None),
        (
            "text/html",
            "application/pdf",
            b"%PDF-",
            "expected an HTML page, archived application/pdf",
        ),
        ("text/csv", "text/csv", b"a,b", None),
        ("text/csv", "text/html", b"<html>", "expected text/csv, archived text/html"),
    ],
)
def test_type_mismatch(
    expected: str | None, content_type: str | None, body: bytes, problem: str | None
) -> None:
    assert type_mismatch(expected, content_type, body) == problem


@dataclass(frozen=True)
class _Extracted:
    text: str
    title: str | None
    unreadable: bool


@dataclass(frozen=True)
class _Analysis:
    extracted: _Extracted
    findings: tuple[ClaimFinding, ...]
    missing: tuple[str, ...]


def analyser(text: str, *, unreadable: bool = False) -> Analyser:
    """A stand-in for content analysis: evidence found iff it is a substring."""

    def analyse(body: bytes, ct: str | None, url: str, claims: Sequence[ClaimSpec]) -> Any:
        found = tuple(ClaimFinding(c.id, c.evidence in text) for c in claims)
        missing = tuple(f.claim_id for f in found if not f.found)
        return _Analysis(_Extracted(text, "Title", unreadable), found, missing)

    return analyse


def no_soft404(requested: str, final: str, status: int, title: str | None, text: str) -> str | None:
    return None


TARGET = CheckTarget(url=URL, claims=(ClaimSpec("n", "100,000"),), expect_content_type="text/html")


def replay(
    status: int = 200,
    *,
    memento: bool = True,
    body: bytes = b"<html>",
    content_type: str | None = "text/html",
    redirects: tuple[str, ...] = (),
    final_url: str | None = None,
    truncated: bool = False,
    runtime_error: str | None = None,
    archived_redirect: bool = False,
) -> Replay:
    return Replay(
        requested_url=f"{BASE}/web/20150101000000id_/{URL}",
        final_url=final_url or f"{BASE}/web/20150101000000id_/{URL}",
        status=status,
        is_memento=memento,
        memento_datetime=datetime(2015, 1, 1, 0, 0, 5, tzinfo=UTC) if memento else None,
        content_type=content_type,
        body=body,
        redirects=redirects,
        truncated=truncated,
        runtime_error=runtime_error,
        archived_redirect=archived_redirect,
    )


def judge(
    rep: Replay,
    *,
    text: str = "about 100,000 children",
    analyse: Analyser | None = None,
    soft404: Soft404 = no_soft404,
) -> Judgement:
    return judge_replay(
        capture("20150101"), rep, TARGET, analyser=analyse or analyser(text), soft404=soft404
    )


def test_verified_replay_takes_its_date_from_memento_datetime() -> None:
    result = judge(replay())

    assert result.outcome is Outcome.VERIFIED
    assert result.claims_found == ("n",)
    assert result.captured_at == datetime(2015, 1, 1, 0, 0, 5, tzinfo=UTC)
    assert result.url == f"{BASE}/web/20150101000000/{URL}"


def test_redirect_inside_the_archive_names_the_capture_reached() -> None:
    final = f"{BASE}/web/20150103000000id_/{URL}"
    result = judge(replay(redirects=(f"{BASE}/web/20150101000000id_/{URL}",), final_url=final))

    assert result.url == f"{BASE}/web/20150103000000/{URL}"


@pytest.mark.parametrize(
    ("rep", "reason"),
    [
        (replay(404), "archived HTTP 404"),
        (replay(503, archived_redirect=True), "archived HTTP 503 after an archived redirect"),
        (replay(404, redirects=("x",)), "archived HTTP 404"),
        (replay(404, memento=False), "not replayable (HTTP 404 without Memento-Datetime)"),
        (replay(302, memento=False), "replay kept redirecting inside the archive"),
        (replay(memento=False), "replay is not a memento (no Memento-Datetime)"),
        (
            replay(content_type="application/pdf", body=b"%PDF-"),
            "expected an HTML page, archived application/pdf",
        ),
        (
            replay(runtime_error="AdministrativeAccessControlException"),
            "playback refused by the archive: AdministrativeAccessControlException",
        ),
    ],
)
def test_rejections(rep: Replay, reason: str) -> None:
    result = judge(rep)

    assert (result.outcome, result.reason) == (Outcome.REJECTED, reason)


def test_memento_header_not_required_for_other_archives() -> None:
    result = judge_replay(
        capture("20150101"),
        replay(memento=False),
        TARGET,
        require_memento_header=False,
        analyser=analyser("100,000"),
        soft404=no_soft404,
    )

    assert result.outcome is Outcome.VERIFIED
    assert result.captured_at == datetime(2015, 1, 1, tzinfo=UTC)


def test_soft_404_is_rejected() -> None:
    result = judge(replay(), soft404=lambda *args: "page says not found")

    assert (result.outcome, result.reason) == (
        Outcome.REJECTED,
        "archived soft 404: page says not found",
    )


def test_missing_claim_is_unverified() -> None:
    result = judge(replay(), text="nothing here")

    assert (result.outcome, result.reason) == (Outcome.UNVERIFIED, "claims missing from capture: n")


def test_unreadable_capture_is_unverified() -> None:
    result = judge(replay(), analyse=analyser("", unreadable=True))

    assert result.outcome is Outcome.UNVERIFIED
    assert "unreadable" in result.reason


def test_truncated_pdf_is_unverified_without_parsing() -> None:
    pdf_target = CheckTarget(url=URL, claims=TARGET.claims, expect_content_type="application/pdf")

    def boom(body: bytes, ct: str | None, url: str, claims: Sequence[ClaimSpec]) -> Any:
        raise AssertionError("a cut PDF must not be parsed")

    result = judge_replay(
        capture("20150101"),
        replay(content_type="application/pdf", body=b"%PDF-1.4", truncated=True),
        pdf_target,
        analyser=boom,
        soft404=no_soft404,
    )

    assert result.outcome is Outcome.UNVERIFIED


def outcome(
    status: ArchiveStatus, archive: str = "a", rank: tuple[int, float] | None = None
) -> ArchiveOutcome:
    cand = ArchiveCandidate(f"{archive}-url", None, archive, status is ArchiveStatus.VERIFIED, "r")
    return ArchiveOutcome(
        archive, status, f"{status.value} reason", (cand,), url=f"{archive}-url", rank=rank
    )


def test_combine_verified_wins() -> None:
    result = combine([outcome(ArchiveStatus.UNKNOWN, "a"), outcome(ArchiveStatus.VERIFIED, "b")])

    assert result.status is ArchiveStatus.VERIFIED
    assert result.url == "b-url"
    assert len(result.candidates) == 2


def test_combine_closest_unverified() -> None:
    result = combine(
        [
            outcome(ArchiveStatus.UNVERIFIED, "far", (1, 500.0)),
            outcome(ArchiveStatus.UNVERIFIED, "near", (0, 900.0)),
        ]
    )

    assert (result.status, result.url) == (ArchiveStatus.UNVERIFIED, "near-url")


def test_combine_none_and_unknown_is_unknown() -> None:
    result = combine([outcome(ArchiveStatus.NONE, "a"), outcome(ArchiveStatus.UNKNOWN, "b")])

    assert result.status is ArchiveStatus.UNKNOWN
    assert result.reason == "b: unknown reason"


def test_combine_all_none() -> None:
    result = combine([outcome(ArchiveStatus.NONE, "a"), outcome(ArchiveStatus.NONE, "b")])

    assert result.status is ArchiveStatus.NONE
    assert result.url is None


def test_combine_without_archives_is_unknown() -> None:
    assert combine([]).status is ArchiveStatus.UNKNOWN


def test_analysis_failure_is_unverified_not_fatal() -> None:
    def broken(body: bytes, ct: str | None, url: str, claims: Sequence[ClaimSpec]) -> Any:
        raise ValueError("bad document")

    result = judge(replay(), analyse=broken)

    assert (result.outcome, result.reason) == (
        Outcome.UNVERIFIED,
        "capture could not be analysed: ValueError",
    )
