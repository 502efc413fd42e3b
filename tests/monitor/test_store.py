"""The store keeps every result and hands them back intact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from checks.model import (
    ArchiveCandidate,
    ArchiveFallback,
    ArchiveStatus,
    CheckResult,
    ClaimFinding,
    ErrorKind,
    RedirectHop,
    Verdict,
)
from monitor.store import RunStatus, Store
from monitor.store import db as database

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store.open(f"sqlite:///{tmp_path / 'm.db'}")
    yield s
    s.close()


def rich_result(source_id: str = "s1", at: datetime = T0) -> CheckResult:
    return CheckResult(
        url="http://example.org/a",
        verdict=Verdict.MOVED,
        reason="permanently redirected",
        checked_at=at,
        source_id=source_id,
        status=200,
        final_url="https://example.org/a",
        suggested_url="https://example.org/a",
        hops=(RedirectHop("http://example.org/a", 301, "https://example.org/a", 12.5),),
        elapsed_ms=40.0,
        bytes_read=1234,
        content_type="text/html",
        fingerprint="abc:def",
        claims=(ClaimFinding("c1", True, "It was 100,000.", "number", None, False),),
        error_kind=None,
        attempts=2,
        tls_expires_at=at + timedelta(days=20),
        warnings=("certificate expires in 20 days",),
        etag='"v1"',
        archive=ArchiveFallback(
            ArchiveStatus.VERIFIED,
            url="https://web.archive.org/web/2014/http://example.org/a",
            captured_at=at - timedelta(days=3000),
            claims_found=("c1",),
            candidates=(ArchiveCandidate("u", at, "wayback", True, "holds every claim"),),
        ),
    )


def validators(store: Store, source_id: str) -> tuple[str | None, str | None]:
    """The ETag and Last-Modified the source's row keeps for its next check."""
    memory = store.memories_of([source_id])[source_id]
    return memory.etag, memory.last_modified


def test_result_round_trips_with_every_field(store: Store) -> None:
    store.sync_sources([("s1", "http://example.org/a", "A", "owner")], T0)
    run_id = store.start_run(T0, planned=1)
    original = rich_result()
    store.save_result(run_id, original)
    store.finish_run(run_id, T0 + timedelta(seconds=5), summary={"moved": 1})
    [stored] = store.results_for_run(run_id)
    assert stored.result == original
    assert store.latest_results()["s1"].result == original
    run = store.run(run_id)
    assert run is not None and run.status is RunStatus.FINISHED and run.summary == {"moved": 1}


def test_latest_and_previous_results_and_validators(store: Store) -> None:
    store.sync_sources([("s1", "http://example.org/a", None, None)], T0)
    first = store.start_run(T0, 1)
    store.save_result(first, rich_result(at=T0))
    second = store.start_run(T0 + timedelta(days=1), 1)
    later = rich_result(at=T0 + timedelta(days=1)).replace(
        verdict=Verdict.BROKEN, status=404, error_kind=ErrorKind.DNS, etag=None
    )
    new_id = store.save_result(second, later)
    assert store.latest_results()["s1"].result.verdict is Verdict.BROKEN
    previous = store.previous_result("s1", before_id=new_id)
    assert previous is not None and previous.result.verdict is Verdict.MOVED
    assert [r.result.verdict for r in store.history("s1")] == [Verdict.MOVED, Verdict.BROKEN]
    assert validators(store, "s1") == (None, None)


def test_one_result_per_source_per_run(store: Store) -> None:
    from sqlalchemy.exc import IntegrityError

    store.sync_sources([("s1", "http://example.org/a", None, None)], T0)
    run_id = store.start_run(T0, 1)
    store.save_result(run_id, rich_result())
    with pytest.raises(IntegrityError):
        store.save_result(run_id, rich_result())
    assert store.count_results() == 1


def test_due_sources_follow_next_due_time(store: Store) -> None:
    store.sync_sources(
        [("s1", "http://a.example/", None, None), ("s2", "http://b.example/", None, None)], T0
    )
    run_id = store.start_run(T0, 1)
    store.save_result(run_id, rich_result("s1"), next_due_at=T0 + timedelta(days=1))
    assert store.due_sources(["s1", "s2"], T0 + timedelta(hours=1)) == ["s2"]
    assert store.due_sources(["s1", "s2"], T0 + timedelta(days=2)) == ["s1", "s2"]
    many = [f"x{i}" for i in range(40_000)]  # more ids than one query may bind
    assert store.due_sources([*many, "s1"], T0 + timedelta(hours=1)) == many


def test_changed_url_forgets_validators_and_due_time(store: Store) -> None:
    store.sync_sources([("s1", "http://example.org/a", None, None)], T0)
    run_id = store.start_run(T0, 1)
    store.save_result(run_id, rich_result(), next_due_at=T0 + timedelta(days=1))
    assert validators(store, "s1") == ('"v1"', None)
    store.sync_sources([("s1", "http://example.org/b", None, None)], T0)
    assert validators(store, "s1") == (None, None)
    assert store.due_sources(["s1"], T0) == ["s1"]


def test_runs_left_running_are_marked_interrupted(store: Store) -> None:
    killed = store.start_run(T0, 5)
    assert store.mark_interrupted(T0 + timedelta(minutes=1)) == [killed]
    run = store.run(killed)
    assert run is not None and run.status is RunStatus.INTERRUPTED


def test_archive_cache_expires(store: Store) -> None:
    store.cache_put("k", "v1", T0 + timedelta(hours=1))
    store.cache_put("k", "v2", T0 + timedelta(hours=2))
    assert store.cache_get("k", T0) == "v2"
    assert store.cache_get("k", T0 + timedelta(hours=3)) is None
    store.cache_put("fresh", "v", T0 + timedelta(days=2))
    store.cache_purge(T0 + timedelta(hours=3))
    with store.engine.connect() as connection:
        keys = [row[0] for row in connection.exec_driver_sql("SELECT key FROM archive_cache")]
    assert keys == ["fresh"]


def test_migrations_reach_head(tmp_path: Path) -> None:
    engine = database.make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert database.current_revision(engine) is None
    database.migrate(engine)
    assert database.current_revision(engine) == database.head_revision()


def test_relative_sqlite_path_is_taken_against_the_registry_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
    url = database.database_url("sqlite:///.monitor/x.db", tmp_path)
    assert url == f"sqlite:///{tmp_path / '.monitor' / 'x.db'}"
    assert (tmp_path / ".monitor").is_dir()
    monkeypatch.setenv("MONITOR_DATABASE_URL", "sqlite:///:memory:")
    assert database.database_url("sqlite:///.monitor/x.db", tmp_path) == "sqlite:///:memory:"
