"""A URL the monitor has seen serve a PDF is expected to go on serving one.

When no source citing a URL names a content type, the newest check that read a
document at that URL sets the expectation: a PDF, then a login page at the same URL,
is a ``type_mismatch`` that says where the expectation came from. What the body was
read as counts, not its label; the source's row keeps it, so that planning reads no
results, and migration 0006 adds its columns empty. On SQLite and
PostgreSQL (the ``store`` and ``database_url`` fixtures), through the store, the plan,
the migration and real runs against a loopback server.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, insert, inspect

from checks.model import CheckResult, ExpectOrigin, Verdict
from monitor.registry import load_registry
from monitor.registry.model import Claim, Registry, Source
from monitor.run import plan, run_sources
from monitor.settings import check_settings
from monitor.state import Health
from monitor.store import Store
from monitor.store import db as database
from monitor.store.codec import result_data, result_from_dict
from monitor.store.schema import ResultRow
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


def cite(store: Store, urls: dict[str, str], days: float = 0) -> None:
    """The registry citing ``urls`` (source id to URL), as every run syncs it."""
    store.sync_sources(((sid, url, None, None) for sid, url in urls.items()), at(days))


def result_of(
    days: float,
    verdict: Verdict,
    *,
    document_type: str | None = "application/pdf",
    content_type: str | None = None,
    url: str = URL,
    source_id: str = "report",
    bytes_read: int = 2048,
    not_modified: bool = False,
    etag: str | None = None,
) -> CheckResult:
    """A result as a check of ``url`` gives it: served ``content_type`` (by default the
    type the body was read as), read as ``document_type``."""
    return CheckResult(
        url=url,
        verdict=verdict,
        reason=verdict.value,
        checked_at=at(days),
        source_id=source_id,
        status=304 if not_modified else 200,
        content_type=content_type or document_type,
        document_type=document_type,
        bytes_read=bytes_read,
        not_modified=not_modified,
        etag=etag,
    )


def stored(store: Store, days: float, verdict: Verdict, **given: Any) -> None:
    """One result of its own run, written as a run writes its results."""
    result = result_of(days, verdict, **given)
    store.save_results(store.start_run(at(days), 1), [(result, None)])


def served(store: Store, source_id: str = "report") -> tuple[str | None, datetime | None]:
    """The type the source's row says it was served, and when."""
    kept = store.memories_of([source_id])[source_id]
    return kept.served_type, kept.served_type_at


def test_the_newest_read_document_gives_the_type_and_when_it_was_served(store: Store) -> None:
    cite(store, {"report": URL})
    stored(store, 0, Verdict.OK, document_type="text/html")
    assert served(store) == ("text/html", at(0))
    stored(store, 1, Verdict.OK)
    stored(store, 2, Verdict.CLAIM_MISSING, document_type="application/x-pdf")
    assert served(store) == ("application/x-pdf", at(2))
    assert store.memories_of(["other"]) == {}, "a source the registry never cited"


def test_a_result_saved_alone_updates_the_row_as_a_batch_does(store: Store) -> None:
    cite(store, {"report": URL})
    store.save_result(None, result_of(0, Verdict.OK))
    assert served(store) == ("application/pdf", at(0))
    store.save_result(None, result_of(1, Verdict.BLOCKED, document_type="text/html"))
    assert served(store) == ("application/pdf", at(0))


def test_checks_that_read_no_document_leave_the_learned_type_as_it_was(store: Store) -> None:
    cite(store, {"report": URL})
    stored(store, 0, Verdict.OK)
    stored(store, 1, Verdict.BLOCKED, document_type="text/html")
    stored(store, 2, Verdict.TRANSIENT, document_type=None, bytes_read=0)
    stored(store, 3, Verdict.SOFT_404, document_type="text/html")
    stored(store, 4, Verdict.TYPE_MISMATCH, document_type="text/html")
    stored(store, 5, Verdict.BROKEN, document_type="text/html")
    # A HEAD answer (no body read) and a 304 that kept no type say nothing either, nor
    # does a body that could not be read as anything.
    stored(store, 6, Verdict.OK, document_type=None, content_type="text/html", bytes_read=0)
    stored(store, 7, Verdict.OK, document_type=None, bytes_read=0, not_modified=True)
    stored(store, 8, Verdict.OK, document_type=None, content_type="text/html")
    assert served(store) == ("application/pdf", at(0))


def test_a_304_that_kept_the_pdf_moves_the_time_it_was_last_served(store: Store) -> None:
    cite(store, {"report": URL})
    stored(store, 0, Verdict.OK)
    stored(store, 1, Verdict.OK, bytes_read=0, not_modified=True)
    assert served(store) == ("application/pdf", at(1))


def test_each_stored_result_changes_its_source_row_in_one_statement(store: Store) -> None:
    urls = {sid: f"https://www.example.gov/{sid}.pdf" for sid in ("read", "kept", "stub", "down")}
    cite(store, urls)
    results = [
        result_of(0, Verdict.OK, source_id="read", url=urls["read"], etag='"r"'),
        result_of(
            0, Verdict.OK, source_id="kept", url=urls["kept"], bytes_read=0, not_modified=True
        ),
        result_of(
            0, Verdict.BLOCKED, source_id="stub", url=urls["stub"], document_type="text/html"
        ),
        result_of(0, Verdict.TRANSIENT, source_id="down", url=urls["down"], document_type=None),
    ]
    changed: list[int] = []

    def seen(_c: Any, _cur: Any, statement: str, params: Any, _ctx: Any, many: bool) -> None:
        if statement.lstrip().upper().startswith("UPDATE SOURCES"):
            changed.append(len(params) if many else 1)

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        store.save_results(store.start_run(at(0), 4), [(r, at(1)) for r in results])
        store.save_result(None, result_of(2, Verdict.OK, source_id="down", url=urls["down"]))
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
    assert sum(changed) == 5, "one row change per result, the type learned included"
    memories = store.memories_of(list(urls))
    learned = {sid: (m.served_type, m.served_type_at) for sid, m in memories.items()}
    assert learned == {
        "read": ("application/pdf", at(0)),
        "kept": ("application/pdf", at(0)),
        "stub": (None, None),
        "down": ("application/pdf", at(2)),
    }
    assert memories["read"].etag == '"r"'
    assert store.due_sources(list(urls), at(0.5)) == [], "each one's next due time was kept"


def test_what_the_body_was_read_as_is_learned_not_its_label(store: Store) -> None:
    cite(store, {"report": URL, "octets": "https://www.example.gov/files/data"})
    stored(store, 0, Verdict.OK, document_type="text/html", content_type="application/pdf")
    octets = {"source_id": "octets", "url": "https://www.example.gov/files/data"}
    stored(store, 0, Verdict.OK, content_type="application/octet-stream", **octets)
    assert served(store) == ("text/html", at(0))
    assert served(store, "octets") == ("application/pdf", at(0))


def test_a_source_readdressed_to_another_resource_forgets_what_was_served(
    store: Store,
) -> None:
    moved = "https://www.example.gov/publications/annual-report-2025"
    cite(store, {"report": URL})
    stored(store, 0, Verdict.OK, etag='"v1"')
    cite(store, {"report": moved}, 1)
    assert served(store) == (None, None), "the new URL was never read"
    stored(store, 1, Verdict.TRANSIENT, url=moved, document_type=None, bytes_read=0)
    # Cited at the first URL again: what was read there before the move is stale too.
    cite(store, {"report": URL}, 2)
    assert served(store) == (None, None)
    stored(store, 2, Verdict.OK, document_type="text/html")
    assert served(store) == ("text/html", at(2))


def test_a_respelt_url_keeps_what_was_read_at_its_first_spelling(store: Store) -> None:
    # The same resource, as health counts it (monitor.store.health.same_resource).
    first = URL.replace("https://", "http://")
    cite(store, {"report": first})
    stored(store, 0, Verdict.OK, url=first, etag='"v1"')
    cite(store, {"report": URL}, 1)
    assert served(store) == ("application/pdf", at(0))
    kept = store.memories_of(["report"])["report"]
    assert (kept.url, kept.etag) == (URL, None), "validators are forgotten all the same"


def test_a_check_of_a_url_the_source_no_longer_cites_teaches_nothing(store: Store) -> None:
    # A run planned before the registry was edited stores its check of the old URL.
    cite(store, {"report": "https://www.example.gov/publications/annual-report-2025"})
    stored(store, 0, Verdict.OK)
    assert served(store) == (None, None)


# --- the plan: what each URL is expected to serve -------------------------------------


def test_the_plan_expects_a_pdf_where_one_was_served_and_none_is_cited(store: Store) -> None:
    cite(store, {"report": URL})
    stored(store, 0, Verdict.OK)
    [target] = plan([Source("report", URL)], store).targets
    assert target.expect_content_type == "application/pdf"
    assert target.expect_origin is ExpectOrigin.LEARNED
    assert target.expect_seen_at == at(0)


def test_the_plan_reads_the_sources_rows_in_one_query_and_no_results(store: Store) -> None:
    ids = [f"s{n}" for n in range(10)]
    cite(store, {sid: f"https://www.example.gov/{sid}.pdf" for sid in ids})
    for sid in ids:
        url = f"https://www.example.gov/{sid}.pdf"
        stored(store, 0, Verdict.OK, source_id=sid, url=url, etag=f'"{sid}"')
        blocked = {"document_type": "text/html", "etag": f'"{sid}"'}
        stored(store, 1, Verdict.BLOCKED, source_id=sid, url=url, **blocked)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        targets = plan([Source(sid, f"https://www.example.gov/{sid}.pdf") for sid in ids], store)
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)
    assert len(statements) == 1, statements
    assert "results" not in statements[0].lower()
    for sid, target in zip(ids, targets.targets, strict=True):
        assert (target.etag, target.expect_content_type) == (f'"{sid}"', "application/pdf")
        assert target.expect_seen_at == at(0)


def test_a_registry_entry_naming_another_resource_than_the_row_expects_nothing(
    store: Store,
) -> None:
    # Planned before the sources were synced: the row still has the old URL.
    cite(store, {"report": URL})
    stored(store, 0, Verdict.OK)
    [target] = plan([Source("report", "https://www.example.gov/summary")], store).targets
    assert (target.expect_content_type, target.expect_origin) == (None, ExpectOrigin.CITED)
    [respelt] = plan([Source("report", URL.replace("https://", "http://"))], store).targets
    assert respelt.expect_content_type == "application/pdf"


def test_the_registrys_expect_wins_over_what_was_served(store: Store) -> None:
    cite(store, {"report": URL})
    stored(store, 0, Verdict.OK)
    [target] = plan([Source("report", URL, expect_content_type="text/html")], store).targets
    assert target.expect_content_type == "text/html"
    assert target.expect_origin is ExpectOrigin.CITED
    assert target.expect_seen_at is None


def test_no_type_is_learned_from_a_page_after_the_pdf_or_from_another_url(store: Store) -> None:
    summary = "https://www.example.gov/summary"
    cite(store, {"report": URL, "moved": "https://www.example.gov/old.pdf", "html": summary})
    stored(store, 0, Verdict.OK)
    stored(store, 1, Verdict.OK, document_type="text/html")
    stored(store, 0, Verdict.OK, source_id="moved", url="https://www.example.gov/old.pdf")
    stored(store, 1, Verdict.OK, source_id="html", url=summary, document_type="text/html")
    sources = [
        Source("report", URL),
        Source("moved", "https://www.example.gov/new.pdf"),
        # A page that later became a PDF of it is no loss: HTML is never learned.
        Source("html", summary),
    ]
    cite(store, {s.id: s.url for s in sources}, 2)
    for target in plan(sources, store).targets:
        assert target.expect_content_type is None, target.url
        assert target.expect_origin is ExpectOrigin.CITED


def test_sources_sharing_a_url_expect_what_any_of_them_was_served_or_cites(
    store: Store,
) -> None:
    cite(store, {"new": URL, "old": URL, "older": URL})
    stored(store, 0, Verdict.OK, source_id="old")
    stored(store, 1, Verdict.OK, source_id="older", document_type="application/acrobat")
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


# --- the schema: the columns start empty, whatever results were stored before ---------


def stored_at_0005(
    engine: Engine,
    days: float,
    verdict: Verdict,
    *,
    content_type: str | None = "application/pdf",
    **given: Any,
) -> None:
    """A result row as a database at revision 0005 holds it, as the store wrote it
    before the type the body was read as was kept: the Content-Type served is all it
    says of the document."""
    result = result_of(days, verdict, document_type=None, content_type=content_type, **given)
    data = result.to_dict()
    del data["document_type"]
    with engine.begin() as connection:
        connection.execute(
            insert(ResultRow).values(
                source_id=result.source_id,
                url=result.url,
                checked_at=result.checked_at,
                verdict=result.verdict.value,
                reason=result.reason,
                status=result.status,
                bytes_read=result.bytes_read,
                data=data,
            )
        )


def source_columns(engine: Engine) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns("sources")}


def test_the_upgrade_learns_no_type_from_the_labels_of_the_results_before_it(
    database_url: str,
) -> None:
    engine = database.make_engine(database_url)
    try:
        database.upgrade(engine, "0005")
        old = Store(engine)
        urls = {
            "report": URL,
            "page": "https://www.example.gov/summary",
            "kept": "https://www.example.gov/kept.pdf",
            "unchecked": "https://www.example.gov/unchecked.pdf",
        }
        cite(old, urls)
        # A PDF label may sit on an HTML page: the label alone teaches nothing.
        stored_at_0005(engine, 0, Verdict.OK)
        page = {"source_id": "page", "url": urls["page"]}
        stored_at_0005(engine, 0, Verdict.OK, content_type="text/html", **page)
        kept = {"source_id": "kept", "url": urls["kept"]}
        stored_at_0005(engine, 0, Verdict.OK, **kept)
        stored_at_0005(engine, 1, Verdict.OK, bytes_read=0, not_modified=True, **kept)
        assert {"served_type", "served_type_at"}.isdisjoint(source_columns(engine))
        database.upgrade(engine)
        assert database.current_revision(engine) == database.HEAD_REVISION
        store = Store(engine)
        memories = store.memories_of(list(urls))
        learned = {sid: (m.served_type, m.served_type_at) for sid, m in memories.items()}
        assert learned == dict.fromkeys(urls, (None, None))
        # Results stored before still load, without the type their body was read as.
        assert store.latest_results(["report"])["report"].result.document_type is None
        [target] = plan([Source("report", URL)], store).targets
        assert (target.expect_content_type, target.expect_origin) == (None, ExpectOrigin.CITED)
        # The next check that reads a document teaches the type, from its body.
        stored(store, 2, Verdict.OK)
        assert served(store) == ("application/pdf", at(2))
    finally:
        engine.dispose()


def test_a_downgrade_drops_the_columns_and_the_upgrade_brings_them_back_empty(
    database_url: str,
) -> None:
    store = Store.open(database_url)
    try:
        cite(store, {"report": URL})
        stored(store, 0, Verdict.OK)
        assert served(store) == ("application/pdf", at(0))
        database.downgrade(store.engine, "0005")
        assert database.current_revision(store.engine) == "0005"
        assert {"served_type", "served_type_at"}.isdisjoint(source_columns(store.engine))
        database.upgrade(store.engine)
        assert {"served_type", "served_type_at"} <= source_columns(store.engine)
        # The result kept says what its body was read as; the next check learns anew.
        assert store.latest_results(["report"])["report"].result.document_type == (
            "application/pdf"
        )
        assert served(store) == (None, None)
        stored(store, 1, Verdict.OK)
        assert served(store) == ("application/pdf", at(1))
    finally:
        store.close()


def test_a_result_stored_without_the_type_its_body_was_read_as_loads() -> None:
    old = result_of(0, Verdict.OK).to_dict()
    del old["document_type"]
    assert result_from_dict(old).document_type is None
    assert result_data(old)["document_type"] is None


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


def test_an_html_page_labelled_as_a_pdf_is_not_learned_as_one(
    store: Store, registry: Registry, site: Site
) -> None:
    site.serve(LANDING, "application/pdf")
    first = check_on(0, store, registry)
    assert (first.verdict, first.content_type) == (Verdict.OK, "application/pdf")
    assert first.document_type == "text/html"
    assert store.latest_results(["report"])["report"].result.document_type == "text/html"
    assert served(store) == ("text/html", at(0))
    # Nothing changed: the page is judged as it was, not against the PDF its label named.
    again = check_on(1, store, registry)
    assert (again.verdict, again.reason) == (Verdict.OK, first.reason)


def test_a_pdf_served_as_octet_stream_is_learned(
    store: Store, registry: Registry, site: Site
) -> None:
    site.serve(PDF, "application/octet-stream")
    first = check_on(0, store, registry)
    assert (first.verdict, first.document_type) == (Verdict.OK, "application/pdf")
    assert served(store) == ("application/pdf", at(0))
    site.serve(LOGIN, "text/html; charset=utf-8")
    replaced = check_on(1, store, registry)
    assert replaced.verdict is Verdict.TYPE_MISMATCH
    assert replaced.reason == "served a PDF until 2026-03-01, now text/html (login page?)"


def test_an_unchanged_page_labelled_as_a_pdf_stays_ok_across_the_upgrade(
    database_url: str, registry: Registry, site: Site
) -> None:
    site.serve(LANDING, "application/pdf")
    url = site.server.url("/files/report.pdf")
    engine = database.make_engine(database_url)
    try:
        database.upgrade(engine, "0005")
        cite(Store(engine), {"report": url})
        # What the checks of 0005 stored for it: the page read, its label kept.
        for day in (0, 1):
            stored_at_0005(engine, day, Verdict.OK, url=url, content_type="application/pdf")
        database.upgrade(engine)
        store = Store(engine)
        [target] = plan(list(registry.sources), store).targets
        assert target.expect_content_type is None
        for day in (2, 3, 5):
            result = check_on(day, store, registry)
            assert (result.verdict, result.document_type) == (Verdict.OK, "text/html")
        assert store.health("report").health is Health.HEALTHY
        assert served(store) == ("text/html", at(5))
    finally:
        engine.dispose()


HTML_REPORT = (
    b"<!doctype html><html><head><title>Annual report 2025</title></head><body><main>"
    b"<h1>Annual report 2025</h1><p>This year 100,000 children were counted in the "
    b"county. The department publishes its annual report every spring, with tables for "
    b"each district and the methods used.</p></main></body></html>"
)


def test_a_pdf_republished_as_a_page_holding_the_claim_stays_ok(
    store: Store, registry: Registry, site: Site
) -> None:
    counted = Claim(id="counted", statement="100,000 children were counted", evidence="100,000")
    claimed = [replace(s, claims=(counted,)) for s in registry.sources]
    first = check_on(0, store, registry, claimed)
    assert (first.verdict, first.document_type) == (Verdict.OK, "application/pdf")
    site.serve(HTML_REPORT, "text/html; charset=utf-8")
    for day in (1, 2, 4):
        page = check_on(day, store, registry, claimed)
        assert (page.verdict, page.reason) == (Verdict.OK, "200 OK"), page.reason
        assert [finding.found for finding in page.claims] == [True]
    assert store.health("report").health is Health.HEALTHY
    # The page is now what the URL serves; a login page later is judged as any page.
    assert served(store) == ("text/html", at(4))
