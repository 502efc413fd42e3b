"""Only captures of the cited resource itself: the index folds letter case (and more)
into one key, so it lists captures of other resources under the cited one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import requests

from checks.archive import ArchiveConfig, ArchiveLimiter, find_fallback
from checks.archive.choose import judge_replay
from checks.archive.records import Capture, Outcome, Replay
from checks.archive.urls import same_resource
from checks.model import ArchiveStatus, CheckTarget, ClaimSpec
from tests.archive.conftest import CLAIM, GOOD_HTML, target
from tests.archive.fake_archive import FakeArchive

CITED = "https://www.example.org/docs/Report?id=AbC"
OTHER = "https://www.example.org/docs/report?id=abc"


@pytest.mark.parametrize(
    ("archived", "same"),
    [
        ("http://example.org/docs/Report?id=AbC", True),
        ("https://WWW.Example.org:443/docs/Report?id=AbC", True),
        ("http://www.example.org:80/docs/Report/?id=AbC", True),
        ("www.example.org/docs/Report?id=AbC", True),
        ("https://www.example.org/docs/report?id=abc", False),
        ("https://www.example.org/docs/Report?id=abc", False),
        ("https://www.example.org/docs/Report?id=AbC&x=1", False),
        ("https://www.example.org/docs/Report", False),
        ("https://other.example/docs/Report?id=AbC", False),
    ],
)
def test_same_resource(archived: str, same: bool) -> None:
    assert same_resource(CITED, archived) is same


@pytest.mark.parametrize(
    ("cited", "archived", "same"),
    [
        ("https://x.example/a", "http://x.example/a/", True),
        ("https://x.example/", "http://www.x.example", True),
        ("https://x.example/a%7eb", "https://x.example/a~b", True),
        ("https://x.example/a%2fb", "https://x.example/a%2Fb", True),
        ("https://x.example/a%2Fb", "https://x.example/a/b", False),
        ("https://x.example/A", "https://x.example/a", False),
        ("https://x.example/a#part", "https://x.example/a", True),
        ("https://x.example:8443/a", "https://x.example/a", False),
        # The index stores what a browser sends: punycode and UTF-8 escapes.
        ("https://bücher.example/katalog", "http://xn--bcher-kva.example/katalog", True),
        ("https://x.example/café.pdf", "https://x.example/caf%C3%A9.pdf", True),
        ("https://x.example/a?q=über", "https://x.example/a?q=%c3%bcber", True),
        ("https://x.example/café.pdf", "https://x.example/cafe.pdf", False),
        # UTS 46, as browsers resolve it: "ß" stays, it is not "ss".
        ("https://faß.example/a", "https://xn--fa-hia.example/a", True),
        ("https://faß.example/a", "https://fass.example/a", False),
    ],
)
def test_same_resource_forgives_only_what_never_changes_the_resource(
    cited: str, archived: str, same: bool
) -> None:
    assert same_resource(cited, archived) is same


def test_captures_of_a_differently_cased_url_are_not_offered(
    config_for: Callable[..., ArchiveConfig],
    limiter_for: Callable[[ArchiveConfig], ArchiveLimiter],
    session: requests.Session,
) -> None:
    other_page = GOOD_HTML.replace(b"Report on child exploitation", b"Annual report")
    with FakeArchive(cdx_match="folded") as fake:
        fake.add(OTHER, "20150301000000", body=other_page)
        config = config_for(fake)
        for claims in ((), (CLAIM,)):
            result = find_fallback(
                target(CITED, claims=claims),
                config,
                session=session,
                limiter=limiter_for(config),
            )

            assert result.status is ArchiveStatus.NONE, result
            assert result.url is None
            # The index did answer with rows: the other variants were not asked.
            assert len(fake.seen("/cdx/")) == 1
            fake.requests.clear()


def test_capture_of_the_cited_url_among_case_variants_is_taken(
    config_for: Callable[..., ArchiveConfig],
    limiter_for: Callable[[ArchiveConfig], ArchiveLimiter],
    session: requests.Session,
) -> None:
    with FakeArchive(cdx_match="folded") as fake:
        fake.add(OTHER, "20150501000000", body=GOOD_HTML + b"<!-- other -->")
        fake.add(CITED, "20150101000000", body=GOOD_HTML)
        config = config_for(fake)

        result = find_fallback(target(CITED), config, session=session, limiter=limiter_for(config))

    assert result.status is ArchiveStatus.VERIFIED
    assert result.captured_at == datetime(2015, 1, 1, tzinfo=UTC)
    assert [c.url for c in result.candidates] == [f"{fake.base_url}/web/20150101000000/{CITED}"]


def _replay(original: str, *, archived_redirect: bool = False) -> Replay:
    return Replay(
        requested_url="https://arch.example/web/20150101000000id_/x",
        final_url="https://arch.example/web/20150101000000id_/x",
        status=200,
        is_memento=True,
        memento_datetime=datetime(2015, 1, 1, tzinfo=UTC),
        content_type="text/html",
        body=GOOD_HTML,
        original_url=original,
        archived_redirect=archived_redirect,
    )


CAPTURE = Capture(
    archive="memento",
    captured_at=datetime(2015, 1, 1, tzinfo=UTC),
    url="https://arch.example/web/20150101000000/x",
    replay_url="https://arch.example/web/20150101000000id_/x",
    original=CITED,
)


def test_replay_whose_original_is_another_url_is_rejected() -> None:
    source = CheckTarget(url=CITED, claims=(ClaimSpec("n", "100,000"),))

    result = judge_replay(CAPTURE, _replay(OTHER), source)

    assert (result.outcome, result.reason) == (
        Outcome.REJECTED,
        f"capture of another URL: {OTHER}",
    )


def test_replay_original_differing_only_by_scheme_and_www_is_the_same() -> None:
    source = CheckTarget(url=CITED, claims=(ClaimSpec("n", "100,000"),))

    result = judge_replay(CAPTURE, _replay("http://example.org/docs/Report?id=AbC"), source)

    assert result.outcome is Outcome.VERIFIED


def test_replay_reached_through_an_archived_redirect_may_have_another_original() -> None:
    source = CheckTarget(url=CITED, claims=(ClaimSpec("n", "100,000"),))
    moved = "https://www.example.org/library/annual-report-2015"

    result = judge_replay(CAPTURE, _replay(moved, archived_redirect=True), source)

    assert result.outcome is Outcome.VERIFIED
