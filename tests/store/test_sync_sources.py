"""The registry's sources recorded run after run, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from monitor.store import Store
from monitor.store.schema import SourceRow

T = datetime(2026, 3, 1, 6, tzinfo=UTC)


def rows(store: Store) -> dict[str, dict[str, Any]]:
    table = SourceRow.__table__
    with store.engine.connect() as connection:
        return {row.id: dict(row._mapping) for row in connection.execute(select(table))}


def test_sync_records_new_changed_moved_vanished_and_returning_sources(store: Store) -> None:
    store.sync_sources(
        [
            ("same", "http://same.example/", "Same", "web"),
            ("retitled", "http://retitled.example/", "Old title", "web"),
            ("moved", "http://old.example/report", None, None),
            ("gone", "http://gone.example/", None, None),
        ],
        T,
    )
    with store.engine.begin() as connection:  # as checked sources have them
        connection.execute(
            update(SourceRow.__table__).values(
                etag='"v1"', last_modified="Wed, 01 Jan 2025", next_due_at=T
            )
        )
    later = T + timedelta(days=2)
    store.sync_sources(
        [
            ("same", "http://same.example/", "Same", "web"),
            ("retitled", "http://retitled.example/", "New title", "data"),
            ("moved", "http://new.example/report", None, None),
            ("new", "http://new.example/", "New", None),
        ],
        later,
    )
    first = rows(store)
    assert set(first) == {"same", "retitled", "moved", "gone", "new"}
    assert first["same"]["first_seen"] == T and first["same"]["removed_at"] is None
    assert (first["retitled"]["title"], first["retitled"]["owner"]) == ("New title", "data")
    for kept in ("same", "retitled"):  # same URL: the validators still hold
        assert (first[kept]["etag"], first[kept]["next_due_at"]) == ('"v1"', T)
    moved = first["moved"]
    assert moved["url"] == "http://new.example/report"
    assert (moved["etag"], moved["last_modified"], moved["next_due_at"]) == (None, None, None)
    assert first["gone"]["removed_at"] == later
    assert first["new"]["first_seen"] == later and first["new"]["title"] == "New"

    # A vanished source that comes back is no longer removed; one still gone keeps
    # the time it went.
    store.sync_sources([("gone", "http://gone.example/", None, None)], later + timedelta(days=1))
    back = rows(store)
    assert back["gone"]["removed_at"] is None
    assert back["same"]["removed_at"] == later + timedelta(days=1)
    store.sync_sources([("gone", "http://gone.example/", None, None)], later + timedelta(days=2))
    assert rows(store)["same"]["removed_at"] == later + timedelta(days=1)

    # Back at another URL: no longer removed, and a new source as far as validators go.
    store.sync_sources([("same", "http://same.example/moved", "Same", "web")], later)
    returned = rows(store)["same"]
    assert returned["removed_at"] is None and returned["url"] == "http://same.example/moved"
    assert (returned["etag"], returned["next_due_at"]) == (None, None)


def test_the_first_of_two_entries_with_one_id_is_recorded(store: Store) -> None:
    store.sync_sources(
        [("s", "http://first.example/", "First", None), ("s", "http://second.example/", "", None)],
        T,
    )
    assert rows(store)["s"]["url"] == "http://first.example/"
