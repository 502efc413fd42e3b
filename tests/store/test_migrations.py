"""Schema migrations on both backends: from nothing, and from 0001 with data in it."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import make_url

from checks.model import Verdict
from monitor.state import Health, HealthPolicy
from monitor.store import Store
from monitor.store import db as database
from monitor.store.schema import Base
from tests.store.helpers import at, result, run, start_run_before_0005, sync

NEW_TABLES = {"source_health", "health_events", "snoozes", "result_rollups"}
ROOT = Path(__file__).resolve().parents[2]


def test_an_empty_database_migrates_to_head(database_url: str) -> None:
    engine = database.make_engine(database_url)
    try:
        assert database.current_revision(engine) is None
        database.migrate(engine)
        assert database.current_revision(engine) == database.head_revision() == "0006"
        assert set(inspect(engine).get_table_names()) >= NEW_TABLES
    finally:
        engine.dispose()


def test_the_models_match_the_migrations(database_url: str) -> None:
    engine = database.make_engine(database_url)
    try:
        database.migrate(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection)
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_results_written_at_0001_survive_the_upgrade(database_url: str) -> None:
    engine = database.make_engine(database_url)
    database.upgrade(engine, "0001")
    assert NEW_TABLES.isdisjoint(inspect(engine).get_table_names())
    # What 0001 knew how to store: sources, runs, results, the archive cache.
    old = Store(engine)
    sync(old, "s1", "s2")
    run_id = start_run_before_0005(engine, at(0), 2)
    old.save_result(run_id, result("s1", Verdict.OK, 0))
    old.save_result(run_id, result("s2", Verdict.BROKEN, 0, status=404))
    old.finish_run(run_id, at(0.01), summary={"ok": 1, "broken": 1})
    old.cache_put("k", "v", at(10))
    old.close()

    store = Store.open(database_url)
    try:
        assert database.current_revision(store.engine) == database.head_revision()
        assert store.count_results() == 2
        [first, second] = store.results_for_run(run_id)
        assert (first.result.verdict, second.result.status) == (Verdict.OK, 404)
        assert store.cache_get("k", at(1)) == "v"
        # Health starts from nothing and is built by the next runs.
        assert store.health("s2").health is Health.UNKNOWN
        run(store, 1, [result("s2", Verdict.BROKEN, 1, status=404)], policy=HealthPolicy())
        assert store.health("s2").health is Health.SUSPECT
    finally:
        store.close()


def test_downgrade_to_0001_keeps_results_and_upgrades_again(database_url: str) -> None:
    store = Store.open(database_url)
    sync(store, "s1")
    run(store, 0, [result("s1", Verdict.OK, 0)])
    store.snooze("s1", at(3))
    database.downgrade(store.engine, "0001")
    assert database.current_revision(store.engine) == "0001"
    assert NEW_TABLES.isdisjoint(inspect(store.engine).get_table_names())
    assert store.count_results() == 1
    database.upgrade(store.engine)
    assert store.health("s1").health is Health.UNKNOWN
    assert store.count_results() == 1
    store.close()


def test_an_empty_database_is_made_at_once_as_the_migrations_make_it(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = database.make_engine(database_url)
    try:
        database.migrate(engine)
        migrated = _schema(engine)
        database.downgrade(engine, "base")  # an empty alembic_version table stays
        assert not set(inspect(engine).get_table_names()) & set(Base.metadata.tables)
        with monkeypatch.context() as patched:
            # Made at once: alembic's migrations are not run.
            patched.setattr(database, "migrate", _no_migrations)
            database.upgrade(engine)
        assert _schema(engine) == migrated
        assert database.current_revision(engine) == database.HEAD_REVISION
        # Alembic takes it from there.
        database.downgrade(engine, "0001")
        database.upgrade(engine)
        assert _schema(engine) == migrated
    finally:
        engine.dispose()


def test_a_database_holding_some_tables_is_left_to_the_migrations(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = database.make_engine(database_url)
    try:
        database.migrate(engine, "0001")
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM alembic_version"))
        # 0001's tables without a revision: not made again at once, which would leave
        # 0002's and 0003's changes to them out.
        monkeypatch.setattr(database, "migrate", _no_migrations)
        with pytest.raises(RuntimeError, match="migrations"):
            database.upgrade(engine)
    finally:
        engine.dispose()


def _no_migrations(engine: Engine, revision: str = "head") -> None:
    raise RuntimeError("the migrations were run")


def _schema(engine: Engine) -> dict[str, Any]:
    """Every table's columns, keys, indexes and constraints, as the database has them."""
    found = inspect(engine)
    return {
        table: {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                for c in found.get_columns(table)
            ],
            "primary": (
                found.get_pk_constraint(table)["name"],
                found.get_pk_constraint(table)["constrained_columns"],
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in found.get_indexes(table)
            ),
            "unique": sorted(
                (u["name"] or "", tuple(u["column_names"]))
                for u in found.get_unique_constraints(table)
            ),
            "foreign": sorted(
                (
                    f["name"] or "",
                    tuple(f["constrained_columns"]),
                    f["referred_table"],
                    str(f.get("options")),
                )
                for f in found.get_foreign_keys(table)
            ),
            "checks": sorted(
                (c["name"] or "", c["sqltext"]) for c in found.get_check_constraints(table)
            ),
        }
        for table in sorted(found.get_table_names())
    }


def test_the_known_head_is_alembics_head() -> None:
    # Starting skips alembic when the database is at HEAD_REVISION: it must be the head.
    assert database.head_revision() == database.HEAD_REVISION


# Runs one of the store's schema changes on the database named, and kills the process
# (exit 9) right after the given number of statements beginning with the given words.
_KILLED_DURING = """
import os, sys
from sqlalchemy import event
from sqlalchemy.engine import Engine
from monitor.store import Store, db

url, action, words, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
seen = []

@event.listens_for(Engine, "after_cursor_execute")
def killed(conn, cursor, statement, *args):
    if statement.lstrip().upper().startswith(words):
        seen.append(statement)
        if len(seen) == count:
            os._exit(9)

if action == "open":
    Store.open(url)
else:
    getattr(db, action)(db.make_engine(url), *(["0001"] if action == "downgrade" else []))
"""


def _killed_during(database_url: str, action: str, words: str, count: int) -> None:
    """``action`` (``open``, ``upgrade`` or ``downgrade`` to 0001) in another process,
    killed after ``count`` statements beginning with ``words``."""
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_DURING, database_url, action, words, str(count)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == 9, killed.stderr


def test_a_first_start_killed_while_making_the_tables_leaves_nothing_half_made(
    database_url: str,
) -> None:
    _killed_during(database_url, "open", "CREATE TABLE", 3)
    engine = database.make_engine(database_url)
    try:
        # The schema was made whole or not at all: the next start makes it.
        assert not set(inspect(engine).get_table_names()) & set(Base.metadata.tables)
        store = Store.open(database_url)
        store.close()
        assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)
        assert database.current_revision(engine) == database.HEAD_REVISION
    finally:
        engine.dispose()


def test_an_upgrade_killed_half_way_is_taken_up_again(database_url: str) -> None:
    engine = database.make_engine(database_url)
    database.upgrade(engine, "0001")
    old = Store(engine)
    sync(old, "s1")
    run_id = start_run_before_0005(engine, at(0), 1)
    old.save_result(run_id, result("s1", Verdict.OK, 0))
    old.close()
    _killed_during(database_url, "upgrade", "CREATE TABLE", 2)
    store = Store.open(database_url)
    try:
        assert database.current_revision(store.engine) == database.HEAD_REVISION
        assert store.count_results() == 1
    finally:
        store.close()


# Opens the store at the moment given, so that several processes start together.
_OPEN_AT = """
import sys, time
from monitor.store import Store
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))
Store.open(sys.argv[1]).close()
"""


def test_first_starts_at_the_same_moment_take_turns(database_url: str) -> None:
    # Time enough for each process to import the store before the moment.
    moment = str(time.time() + 3.0)
    starts = [
        subprocess.Popen(
            [sys.executable, "-c", _OPEN_AT, database_url, moment],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    errors = [start.communicate(timeout=120)[1] for start in starts]
    assert [start.returncode for start in starts] == [0, 0, 0], errors
    engine = database.make_engine(database_url)
    try:
        assert database.current_revision(engine) == database.HEAD_REVISION
        assert set(inspect(engine).get_table_names()) >= set(Base.metadata.tables)
    finally:
        engine.dispose()


@contextmanager
def _schema_change_under_way(database_url: str) -> Iterator[Callable[[], None]]:
    """Hold what another process changing the schema would hold; yields its release."""
    if database_url.startswith("sqlite"):
        # A new file, as a first start sees it while the one before it makes the tables.
        holder = sqlite3.connect(
            str(make_url(database_url).database), isolation_level=None, check_same_thread=False
        )
        holder.execute("BEGIN IMMEDIATE")

        def rollback() -> None:
            holder.execute("ROLLBACK")

        try:
            yield rollback
        finally:
            holder.close()
        return
    engine = database.make_engine(database_url)
    try:
        with engine.connect() as connection:
            lock = {"key": database.SCHEMA_LOCK}
            connection.execute(text("SELECT pg_advisory_lock(:key)"), lock)

            def unlock() -> None:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), lock)

            yield unlock
    finally:
        engine.dispose()


def test_a_first_start_waits_for_a_schema_change_under_way(database_url: str) -> None:
    opened = threading.Event()
    errors: list[BaseException] = []

    def first_start() -> None:
        try:
            Store.open(database_url).close()
        except BaseException as exc:
            errors.append(exc)
        finally:
            opened.set()

    with _schema_change_under_way(database_url) as release:
        starting = threading.Thread(target=first_start)
        starting.start()
        assert not opened.wait(0.5), errors  # neither failed nor went ahead
        release()
        starting.join(timeout=30)
    assert opened.is_set() and not errors
    engine = database.make_engine(database_url)
    try:
        assert database.current_revision(engine) == database.HEAD_REVISION
    finally:
        engine.dispose()


def test_a_downgrade_killed_half_way_changes_nothing(database_url: str) -> None:
    store = Store.open(database_url)
    sync(store, "s1")
    run_id = store.start_run(at(0), 1)
    store.save_result(run_id, result("s1", Verdict.OK, 0))
    before = _schema(store.engine)
    store.close()
    _killed_during(database_url, "downgrade", "DROP TABLE", 1)
    engine = database.make_engine(database_url)
    try:
        assert database.current_revision(engine) == database.HEAD_REVISION
        assert _schema(engine) == before
        database.downgrade(engine, "0001")
        assert database.current_revision(engine) == "0001"
        assert NEW_TABLES.isdisjoint(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_health_stored_at_0003_keeps_its_streak_through_0004(database_url: str) -> None:
    """A suspect source with a hard failure, stored before the first hard failure was
    kept, is confirmed dead from its streak's start, as it would have been."""
    engine = database.make_engine(database_url)
    try:
        database.upgrade(engine, "0003")
        old = Store(engine)
        sync(old, "s1")
        first = at(0)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO source_health (source_id, health, since, failing_since,"
                    " failures, hard_failures, first_failure_at, last_checked_at,"
                    " good_streak, uncertain_streak) VALUES ('s1', 'suspect', :t, :t, 1, 1,"
                    " :t, :t, 0, 0)"
                ),
                {"t": first},
            )
        database.upgrade(engine)
        store = Store(engine)
        state = store.healths(["s1"])["s1"]
        assert state.health is Health.SUSPECT and state.hard_failures == 1
        assert state.first_hard_failure_at is None
        run(store, 1.5, [result("s1", Verdict.BROKEN, 1.5, status=404)])
        assert store.healths(["s1"])["s1"].health is Health.DEAD
    finally:
        engine.dispose()
