"""A URL the monitor has seen serve a PDF is expected to go on serving one.

When no source citing a URL names a content type, the newest check that read a
document at that URL sets the expectation: a PDF, then a login page at the same URL,
is a ``type_mismatch`` that says where the expectation came from. On SQLite and
PostgreSQL (the ``store`` fixture), through the store, the plan and real runs against a
loopback server.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from checks.model import CheckResult, ExpectOrigin, Verdict
from monitor.registry import load_registry
from monitor.registry.model import Registry, Source
from monitor.run import plan, run_sources
from monitor.settings import check_settings
from monitor.state import Health
from monitor.store import Store
from tests.checks.server import LoopbackServer, Reply, Seen
from tests.cli.conftest import write_project
from tests.content.pdfs import text_pdf

T = datetime(2026, 3, 1, 6, tzinfo=UTC)
URL = "https://www.example.gov/files/annual-report.pdf"
PDF = text_pdf("Annual report 2025. 100,000 children were counted.")
LOGIN = (
    b"<!doctype html><html><head><title>Sign in</title></head><body>"
    b'<form action="/login" method="post"><label>User <input name="user"></label>'
    b'<label>Password <input type="password" name="pw"></label>'
    b"<button>Sign in</button></form></body></html>"
)
LANDING = (
    b"<!doctype html><html><head><title>Annual report</title></head><body><main>"
    b"<h1>Annual report 2025</h1><p>The department publishes its annual report every "
    b"spring. Read the summary of this year's findings on children and families below, "
    b"or contact the library for the full document and for the reports of earlier "
    b"years.</p></main></body></html>"
)


def at(days: float) -> datetime:
    return T + timedelta(days=days)


# --- the store: which checks say what a URL serves ------------------------------------


def stored(
    store: Store,
    days: float,
    verdict: Verdict,
    *,
    content_type: str | None = "application/pdf",
    url: str = URL,
    source_id: str = "report",
    bytes_read: int = 2048,
    not_modified: bool = False,
) -> None:
    """One result of its own run, as a check of ``url`` would have stored it."""
    result = CheckResult(
        url=url,
        verdict=verdict,
        reason=verdict.value,
        checked_at=at(days),
        source_id=source_id,
        status=304 if not_modified else 200,
        content_type=content_type,
        bytes_read=bytes_read,
        not_modified=not_modified,
    )
    store.save_results(store.start_run(at(days), 1), [(result, None)])


def test_the_newest_read_document_gives_the_type_and_when_it_was_served(store: Store) -> None:
    stored(store, 0, Verdict.OK, content_type="text/html; charset=utf-8")
    stored(store, 1, Verdict.OK)
    stored(store, 2, Verdict.CLAIM_MISSING, content_type="application/x-pdf")
    assert store.served_types_of([("report", URL)]) == {"report": ("application/x-pdf", at(2))}
    assert store.served_types_of([("other", URL)]) == {}, "a source never checked"


def test_checks_that_read_no_document_leave_the_learned_type_as_it_was(store: Store) -> None:
    stored(store, 0, Verdict.OK)
    stored(store, 1, Verdict.BLOCKED, content_type="text/html")
    stored(store, 2, Verdict.TRANSIENT, content_type=None, bytes_read=0)
    stored(store, 3, Verdict.SOFT_404, content_type="text/html")
    stored(store, 4, Verdict.TYPE_MISMATCH, content_type="text/html")
    stored(store, 5, Verdict.BROKEN, content_type="text/html")
    # A HEAD answer (no body read) and a 304 that kept no type say nothing either.
    stored(store, 6, Verdict.OK, content_type="text/html", bytes_read=0)
    stored(store, 7, Verdict.OK, content_type=None, bytes_read=0, not_modified=True)
    assert store.served_types_of([("report", URL)]) == {"report": ("application/pdf", at(0))}


def test_a_304_that_kept_the_pdf_moves_the_time_it_was_last_served(store: Store) -> None:
    stored(store, 0, Verdict.OK)
    stored(store, 1, Verdict.OK, bytes_read=0, not_modified=True)
    assert store.served_types_of([("report", URL)]) == {"report": ("application/pdf", at(1))}


def test_checks_of_the_url_before_the_source_was_readdressed_do_not_count(store: Store) -> None:
    moved = "https://www.example.gov/publications/annual-report-2025"
    stored(store, 0, Verdict.OK)
    stored(store, 1, Verdict.TRANSIENT, url=moved, content_type=None, bytes_read=0)
    assert store.served_types_of([("report", moved)]) == {}, "the new URL was never read"
    # Cited at the first URL again: what was read there before the move is stale too.
    assert store.served_types_of([("report", URL)]) == {}
    stored(store, 2, Verdict.OK, content_type="text/html")
    assert store.served_types_of([("report", URL)]) == {"report": ("text/html", at(2))}


def test_a_respelt_url_keeps_what_was_read_at_its_first_spelling(store: Store) -> None:
    # The same resource, as health counts it (monitor.store.health.same_resource).
    stored(store, 0, Verdict.OK, url=URL.replace("https://", "http://"))
    assert store.served_types_of([("report", URL)]) == {"report": ("application/pdf", at(0))}


# --- the plan: what each URL is expected to serve -------------------------------------


def test_the_plan_expects_a_pdf_where_one_was_served_and_none_is_cited(store: Store) -> None:
    stored(store, 0, Verdict.OK)
    [target] = plan([Source("report", URL)], store).targets
    assert target.expect_content_type == "application/pdf"
    assert target.expect_origin is ExpectOrigin.LEARNED
    assert target.expect_seen_at == at(0)


def test_the_registrys_expect_wins_over_what_was_served(store: Store) -> None:
    stored(store, 0, Verdict.OK)
    [target] = plan([Source("report", URL, expect_content_type="text/html")], store).targets
    assert target.expect_content_type == "text/html"
    assert target.expect_origin is ExpectOrigin.CITED
    assert target.expect_seen_at is None


def test_no_type_is_learned_from_a_page_after_the_pdf_or_from_another_url(store: Store) -> None:
    stored(store, 0, Verdict.OK)
    stored(store, 1, Verdict.OK, content_type="text/html")
    stored(store, 0, Verdict.OK, source_id="moved", url="https://www.example.gov/old.pdf")
    stored(store, 1, Verdict.OK, source_id="html", content_type="text/html")
    sources = [
        Source("report", URL),
        Source("moved", "https://www.example.gov/new.pdf"),
        # A page that later became a PDF of it is no loss: HTML is never learned.
        Source("html", "https://www.example.gov/summary"),
    ]
    for target in plan(sources, store).targets:
        assert target.expect_content_type is None, target.url
        assert target.expect_origin is ExpectOrigin.CITED


def test_sources_sharing_a_url_expect_what_any_of_them_was_served_or_cites(
    store: Store,
) -> None:
    stored(store, 0, Verdict.OK, source_id="old")
    stored(store, 1, Verdict.OK, source_id="older", content_type="application/acrobat")
    merged = plan([Source("new", URL), Source("old", URL), Source("older", URL)], store)
    [target] = merged.targets
    assert merged.sources_by_url[URL] == ("new", "old", "older")
    assert (target.expect_content_type, target.expect_origin) == (
        "application/acrobat",
        ExpectOrigin.LEARNED,
    ), "the newest time any of them was served a PDF"
    assert target.expect_seen_at == at(1)
    cited = plan([Source("old", URL), Source("new", URL, expect_content_type="text/html")], store)
    [target] = cited.targets
    assert (target.expect_content_type, target.expect_origin) == ("text/html", ExpectOrigin.CITED)


# --- real runs against a loopback server ----------------------------------------------


class Site:
    """The publisher's server: serves whatever ``page`` is now, with an ETag."""

    def __init__(self) -> None:
        self.page = Reply(body=PDF, content_type="application/pdf", headers={"ETag": '"pdf"'})
        self.server = LoopbackServer().start()
        self.server.route("/files/report.pdf", self.answer)

    def answer(self, seen: Seen) -> Reply:
        etag = self.page.headers.get("ETag")
        if etag is not None and seen.headers.get("if-none-match") == etag:
            return Reply(304, headers={"ETag": etag}, content_type=None)
        return self.page

    def serve(self, body: bytes, content_type: str, status: int = 200) -> None:
        self.page = Reply(status, body=body, content_type=content_type)


@pytest.fixture
def site() -> Iterator[Site]:
    served = Site()
    yield served
    served.server.stop()


@pytest.fixture
def registry(tmp_path: Path, site: Site) -> Registry:
    return load_registry(write_project(tmp_path, {"report": site.server.url("/files/report.pdf")}))


def check_on(
    days: float, store: Store, registry: Registry, sources: list[Source] | None = None
) -> CheckResult:
    """A run on day ``days`` as the scheduled job makes it; the source's result."""
    cited = sources or list(registry.sources)
    store.sync_sources(((s.id, s.url, s.title, s.owner) for s in cited), at(days))
    settings = check_settings(registry.settings)
    run_sources(registry, store, cited, settings=settings, now=lambda: at(days))
    return store.latest_results(["report"])["report"].result


def test_a_pdf_replaced_by_a_login_page_is_a_type_mismatch_saying_so(
    store: Store, registry: Registry, site: Site
) -> None:
    first = check_on(0, store, registry)
    assert (first.verdict, first.content_type) == (Verdict.OK, "application/pdf")
    unchanged = check_on(1, store, registry)
    assert (unchanged.verdict, unchanged.not_modified) == (Verdict.OK, True)
    site.serve(LOGIN, "text/html; charset=utf-8")
    replaced = check_on(2, store, registry)
    assert replaced.verdict is Verdict.TYPE_MISMATCH
    assert replaced.reason == "served a PDF until 2026-03-02, now text/html (login page?)"
    # The mismatch read no PDF, so the expectation stands until the source is dead.
    for day in (3, 5):
        again = check_on(day, store, registry)
        assert again.reason == "served a PDF until 2026-03-02, now text/html (login page?)"
    assert store.health("report").health is Health.DEAD


def test_a_blocked_check_in_between_does_not_erase_the_pdf(
    store: Store, registry: Registry, site: Site
) -> None:
    check_on(0, store, registry)
    site.serve(b"<html><body><h1>Forbidden</h1></body></html>", "text/html", status=403)
    assert check_on(1, store, registry).verdict is Verdict.BLOCKED
    site.serve(LANDING, "text/html")
    landing = check_on(2, store, registry)
    assert landing.verdict is Verdict.TYPE_MISMATCH
    assert landing.reason == "served a PDF until 2026-03-01, now text/html"


def test_a_pdf_url_that_has_only_ever_served_a_login_page_stays_blocked(
    store: Store, registry: Registry, site: Site
) -> None:
    site.serve(LOGIN, "text/html")
    first = check_on(0, store, registry)
    assert first.verdict is Verdict.BLOCKED
    assert "login page" in first.reason


def test_an_owner_who_cites_the_page_ends_the_learned_expectation(
    store: Store, registry: Registry, site: Site
) -> None:
    check_on(0, store, registry)
    site.serve(LANDING, "text/html")
    assert check_on(1, store, registry).verdict is Verdict.TYPE_MISMATCH
    cited_page = [replace(s, expect_content_type="text/html") for s in registry.sources]
    assert check_on(2, store, registry, cited_page).verdict is Verdict.OK
    # The page is now the newest document read at the URL: nothing to expect of it.
    assert check_on(3, store, registry).verdict is Verdict.OK
