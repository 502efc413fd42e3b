"""The store as real operation uses it, on SQLite and PostgreSQL: text from pages and
servers that one backend refuses, long URLs, databases named by hand, databases made
by other versions, and two processes using one database at once."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine, event, select, text

from checks.model import ClaimFinding, Verdict
from monitor.cli import cli
from monitor.store import Store
from monitor.store import db as database
from monitor.store.schema import ResultRow, SourceRow
from tests.checks.server import LoopbackServer, Raw, Reply
from tests.cli.conftest import write_project
from tests.store.helpers import at, result, run, sync


def source_rows(store: Store) -> dict[str, Any]:
    with store.engine.connect() as connection:
        return {row.id: row for row in connection.execute(select(SourceRow.__table__))}


# --- text that PostgreSQL refuses -----------------------------------------------------


def test_a_nul_in_a_result_is_stored_as_a_replacement_and_the_batch_is_kept(
    store: Store,
) -> None:
    sync(store, "a", "b", "c")
    run_id = store.start_run(at(0), 3)
    bad = result("b", Verdict.SOFT_404, 0).replace(
        reason='soft 404: page reads as "not found" (text: "Not found\x00")',
        final_url="https://b.example.org/gone\x00",
        fingerprint="f\x00",
    )
    ids = store.save_results(
        run_id,
        [(result("a", Verdict.OK, 0), None), (bad, None), (result("c", Verdict.OK, 0), None)],
    )
    assert len(ids) == 3
    [a, b, c] = store.results_for_run(run_id)
    assert (a.result.source_id, c.result.source_id) == ("a", "c")
    assert b.result.reason == 'soft 404: page reads as "not found" (text: "Not found\ufffd")'
    with store.engine.connect() as connection:
        row = connection.execute(select(ResultRow.__table__).where(ResultRow.id == ids[1])).one()
    assert (row.reason, row.final_url, row.fingerprint) == (
        b.result.reason,
        "https://b.example.org/gone\ufffd",
        "f\ufffd",
    )


def test_nul_in_notes_titles_and_single_writes_is_stored(store: Store) -> None:
    store.sync_sources([("a", "https://a.example.org/", "Annual\x00report", "web")], at(0))
    run_id = store.start_run(at(0), 1)
    store.save_result(run_id, result("a", Verdict.OK, 0).replace(reason="200 OK\x00"))
    store.finish_run(run_id, at(0.01), note="note\x00", summary={"reason\x00": "x\x00"})
    assert source_rows(store)["a"].title == "Annual\ufffdreport"
    [stored] = store.results_for_run(run_id)
    assert stored.result.reason == "200 OK\ufffd"
    finished = store.run(run_id)
    assert finished is not None
    assert (finished.note, finished.summary) == ("note\ufffd", {"reason\ufffd": "x\ufffd"})


def test_a_validator_the_database_cannot_hold_is_forgotten(store: Store) -> None:
    sync(store, "a", "b")
    run_id = store.start_run(at(0), 2)
    store.save_results(
        run_id,
        [
            (result("a", Verdict.OK, 0).replace(etag='"v\x001"', last_modified="Mon\x00"), None),
            (result("b", Verdict.OK, 0).replace(etag='"v2"', last_modified="Tue"), None),
        ],
    )
    # Sent back altered it would be a wrong validator: the next request is unconditional.
    memories = store.memories_of(["a", "b"])
    assert (memories["a"].etag, memories["a"].last_modified) == (None, None)
    assert (memories["b"].etag, memories["b"].last_modified) == ('"v2"', "Tue")
    # The result itself still says what the server sent.
    assert store.latest_results(["a"])["a"].result.etag == '"v\ufffd1"'


def test_a_nul_in_a_claim_sentence_leaves_timelines_readable(store: Store) -> None:
    sync(store, "a")
    found = ClaimFinding("c", True, sentence="100,000 chil\x00dren are sold", method="number")
    run(
        store,
        0,
        [result("a", Verdict.OK, 0).replace(claims=(found,), extra={"similarity": 0.5})],
    )
    [brief] = list(store.result_briefs(["a"]))
    assert (brief.verdict, brief.similarity) == (Verdict.OK, 0.5)
    assert [b.id for b in store.newest_briefs(["a"])["a"]] == [brief.id]
    [claim] = store.latest_results(["a"])["a"].result.claims
    assert claim.sentence == "100,000 chil\ufffddren are sold"


def test_json_keeps_an_escaped_backslash_before_u0000() -> None:
    assert database.json_text(["\\u0000", "\\\x00", "\x00"]) == (
        '["\\\\u0000", "\\\\\\ufffd", "\\ufffd"]'
    )


def test_a_run_on_postgresql_survives_a_server_sending_a_nul_in_its_etag(
    postgres_store_url: str, tmp_path: Path
) -> None:
    server = LoopbackServer()
    page = b"<html><body><p>The annual report on services.</p></body></html>"

    def nul_etag(handler: Any) -> None:
        handler.wfile.write(
            b'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nETag: "a\x00b"\r\n'
            + f"Content-Length: {len(page)}\r\n\r\n".encode()
            + page
        )

    server.routes["/bad"] = lambda seen: Raw(nul_etag)
    for i in range(3):
        server.routes[f"/ok{i}"] = lambda seen: Reply(body=page)
    server.start()
    try:
        urls = {f"s{i}": f"http://127.0.0.1:{server.port}/ok{i}" for i in range(3)}
        urls["bad"] = f"http://127.0.0.1:{server.port}/bad"
        registry = write_project(tmp_path, urls)
        checked = CliRunner().invoke(
            cli,
            ["check", "--registry", str(registry), "--database", postgres_store_url],
            catch_exceptions=False,
        )
    finally:
        server.stop()
    assert checked.exit_code in (0, 2), checked.output
    store = Store.open(postgres_store_url)
    try:
        [finished] = store.runs()
        assert finished.status.value == "finished"
        assert {s.result.source_id for s in store.results_for_run(finished.id)} == set(urls)
        memory = store.memories_of(["bad"])["bad"]
        assert (memory.etag, memory.last_modified) == (None, None)
    finally:
        store.close()


# --- long values ------------------------------------------------------------------------


def test_archive_lookups_of_a_url_of_several_kilobytes_are_cached(store: Store) -> None:
    url = "https://example.org/report.pdf?" + "&".join(f"p{i}=value{i}" for i in range(400))
    key = "cdx:" + url
    other = key + "&one=more"
    store.cache_put(key, '{"captures": 1}', at(10))
    store.cache_put(other, '{"captures": 2}', at(10))
    store.cache_put(key, '{"captures": 3}', at(10))  # a second answer replaces the first
    assert store.cache_get(key, at(1)) == '{"captures": 3}'
    assert store.cache_get(other, at(1)) == '{"captures": 2}'
    store.cache_purge(at(11))
    assert store.cache_get(key, at(1)) is None


# --- database URLs ----------------------------------------------------------------------


def test_a_sqlite_path_under_home_is_in_the_home_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    registry_dir = tmp_path / "project"
    url = database.database_url("sqlite:///~/monitor/monitor.db", registry_dir)
    store = Store.open(url)
    store.close()
    assert (home / "monitor" / "monitor.db").is_file()
    assert not (registry_dir / "~").exists()


# --- databases made by other versions ---------------------------------------------------


def test_a_database_from_a_newer_version_is_refused_with_a_clear_message(
    database_url: str,
) -> None:
    store = Store.open(database_url)
    sync(store, "a")
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    store.close()
    with pytest.raises(database.SchemaTooNew, match=r"revision 0099.*newer version"):
        Store.open(database_url)
    engine = database.make_engine(database_url)
    try:
        # Left as it was found.
        with engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")).all() == [
                ("0099",)
            ]
            assert connection.execute(text("SELECT id FROM sources")).all() == [("a",)]
    finally:
        engine.dispose()


def test_the_command_line_names_the_newer_version(tmp_path: Path) -> None:
    registry = write_project(tmp_path, {"a": "http://127.0.0.1:1/a"})
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    store = Store.open(url)
    with store.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    store.close()
    upgraded = CliRunner().invoke(cli, ["db", "upgrade", "--registry", str(registry)])
    assert upgraded.exit_code == 1
    assert "revision 0099" in upgraded.output
    assert "a newer version has upgraded it" in " ".join(upgraded.output.split())


# --- two processes at once --------------------------------------------------------------


@contextmanager
def paused_after(
    engine: Engine, starts: str
) -> Iterator[tuple[threading.Event, Callable[[], None]]]:
    """Stops the first statement on ``engine`` that begins with ``starts`` right after
    it ran, until released; yields the event set when it stops, and the release."""
    stopped, go = threading.Event(), threading.Event()

    def pause(_conn: Any, _cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().startswith(starts) and not stopped.is_set():
            stopped.set()
            go.wait(60)

    event.listen(engine, "after_cursor_execute", pause)
    try:
        yield stopped, go.set
    finally:
        go.set()
        event.remove(engine, "after_cursor_execute", pause)


def in_thread(work: Callable[[], object]) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def target() -> None:
        try:
            work()
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    return thread, errors


def test_two_processes_adding_the_same_new_sources_at_once_both_succeed(store: Store) -> None:
    other = Store.open(str(store.engine.url.render_as_string(hide_password=False)))
    sources = [(f"s{i}", f"https://s{i}.example.org/", None, "web") for i in range(5)]
    try:
        with paused_after(store.engine, "SELECT sources.id") as (read, release):
            first, errors = in_thread(lambda: store.sync_sources(sources, at(0)))
            assert read.wait(60)
            # The other process adds them while the first one has read but not written.
            other.sync_sources(sources, at(0))
            release()
            first.join(60)
        assert errors == []
        assert sorted(source_rows(store)) == [f"s{i}" for i in range(5)]
    finally:
        other.close()


def test_two_retention_passes_at_once_roll_each_result_up_once(store: Store) -> None:
    sync(store, "a")
    for day in range(4):
        run(store, day, [result("a", Verdict.OK, day)])
    other = Store.open(str(store.engine.url.render_as_string(hide_password=False)))
    try:
        with paused_after(store.engine, "SELECT results.source_id") as (read, release):
            first, first_errors = in_thread(lambda: store.apply_retention(at(4), keep_days=2))
            assert read.wait(60)
            # Another process starting a run passes at the same moment; it waits for the
            # first pass if it can, and would otherwise finish before the first one.
            second, second_errors = in_thread(lambda: other.apply_retention(at(4), 2))
            second.join(3)
            release()
            first.join(60)
            second.join(60)
        assert first_errors == second_errors == []
        [day0, day1] = store.rollups("a")
        assert (day0.checks, day1.checks) == (1, 1)
        assert store.count_results() == 2
    finally:
        other.close()
