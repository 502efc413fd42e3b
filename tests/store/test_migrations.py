"""Schema migrations on both backends: from nothing, and from 0001 with data in it."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from checks.model import Verdict
from monitor.state import Health, HealthPolicy
from monitor.store import Store
from monitor.store import db as database
from monitor.store.schema import Base
from tests.store.helpers import at, result, run, sync

NEW_TABLES = {"source_health", "health_events", "snoozes", "result_rollups"}


def test_an_empty_database_migrates_to_head(database_url: str) -> None:
    engine = database.make_engine(database_url)
    try:
        assert database.current_revision(engine) is None
        database.upgrade(engine)
        assert database.current_revision(engine) == database.head_revision() == "0003"
        assert set(inspect(engine).get_table_names()) >= NEW_TABLES
    finally:
        engine.dispose()


def test_the_models_match_the_migrations(database_url: str) -> None:
    engine = database.make_engine(database_url)
    try:
        database.upgrade(engine)
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
    run_id = old.start_run(at(0), 2)
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


def test_the_known_head_is_alembics_head() -> None:
    # Starting skips alembic when the database is at HEAD_REVISION: it must be the head.
    assert database.head_revision() == database.HEAD_REVISION
