"""The store: the one place that reads and writes the database."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    Subquery,
    Table,
    Update,
    bindparam,
    case,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import sessionmaker

from checks.model import CheckResult, Verdict
from monitor.heap import collection_paused
from monitor.state import HealthEvent, HealthPolicy, SourceHealth
from monitor.store import db, retention, stats
from monitor.store import health as health_module
from monitor.store.codec import result_data, result_from_dict
from monitor.store.outbox import OutboxStore
from monitor.store.owner import abandoned, this_process
from monitor.store.records import (
    CheckPoint,
    HealthFold,
    NoticeRecord,
    ResultBrief,
    Rollup,
    RunRecord,
    RunStatus,
    Snooze,
    SourceMemory,
    SourceSummary,
    StoredResult,
)
from monitor.store.schema import (
    ArchiveCacheRow,
    HealthEventRow,
    NoticeRow,
    OutboxRow,
    ResultRow,
    RunRow,
    SnoozeRow,
    SourceHealthRow,
    SourceRow,
    StoredText,
    UTCDateTime,
)

HealthUpdate = tuple[SourceHealth, HealthEvent | None]


class Store(OutboxStore):
    """Runs, results and per-source state. Thread-safe for one writer thread.

    The notification outbox methods come from :class:`~monitor.store.outbox.OutboxStore`.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._session = sessionmaker(engine, expire_on_commit=False)

    @classmethod
    def open(
        cls, configured: str | None = None, base_dir: Path | None = None, migrate: bool = True
    ) -> Store:
        """Open (and by default migrate) the database named by the settings."""
        engine = db.make_engine(db.database_url(configured, base_dir))
        if migrate:
            db.upgrade(engine)
        return cls(engine)

    def close(self) -> None:
        self.engine.dispose()

    @property
    def in_memory(self) -> bool:
        """Whether the database lives in this process alone (SQLite ``:memory:``), out
        of reach of other processes and, through the engine's pool, of other threads."""
        database = self.engine.url.database
        return self.engine.dialect.name == "sqlite" and database in (None, "", ":memory:")

    # --- runs -----------------------------------------------------------------------

    def start_run(self, now: datetime, planned: int) -> int:
        """A new run, owned by this process (:mod:`monitor.store.owner`) and alive now."""
        with self._session.begin() as s:
            row = RunRow(
                started_at=now,
                status=RunStatus.RUNNING.value,
                planned=planned,
                owner=this_process(),
                alive_at=now,
            )
            s.add(row)
            s.flush()
            return row.id

    def run_alive(self, run_id: int, now: datetime) -> None:
        """Record that the run is still going on, as of ``now`` (while it is running)."""
        with self._session.begin() as s:
            s.execute(
                update(RunRow)
                .where(RunRow.id == run_id, RunRow.status == RunStatus.RUNNING.value)
                .values(alive_at=now)
            )

    def finish_run(
        self,
        run_id: int,
        now: datetime,
        *,
        inconclusive: bool = False,
        note: str | None = None,
        summary: dict[str, Any] | None = None,
    ) -> None:
        with self._session.begin() as s:
            s.execute(
                update(RunRow)
                .where(RunRow.id == run_id)
                .values(
                    finished_at=now,
                    status=RunStatus.FINISHED.value,
                    inconclusive=inconclusive,
                    note=note,
                    summary=summary,
                )
            )

    def mark_interrupted(self, now: datetime) -> list[int]:
        """Runs left 'running' by a process that is gone become 'interrupted' (see
        :func:`monitor.store.owner.abandoned`); the ids of those marked. Runs that
        another process still has under way are left alone."""
        running = RunRow.status == RunStatus.RUNNING.value
        with self._session.begin() as s:
            rows = s.execute(
                select(RunRow.id, RunRow.owner, RunRow.alive_at, RunRow.started_at).where(running)
            ).all()
            left = [
                row.id
                for row in rows
                if abandoned(row.id, row.owner, row.alive_at or row.started_at, now)
            ]
            if not left:
                return []
            # Only those still 'running': one whose process was only slow may have
            # finished meanwhile.
            marked = s.scalars(
                update(RunRow)
                .where(RunRow.id.in_(left), running)
                .values(status=RunStatus.INTERRUPTED.value, finished_at=now)
                .returning(RunRow.id)
            )
            return sorted(marked)

    def run(self, run_id: int) -> RunRecord | None:
        with self._session() as s:
            row = s.get(RunRow, run_id)
            return _run_record(row) if row else None

    def last_run(self, *, finished_only: bool = False) -> RunRecord | None:
        with self._session() as s:
            query = select(RunRow).order_by(RunRow.id.desc()).limit(1)
            if finished_only:
                query = query.where(RunRow.status == RunStatus.FINISHED.value)
            row = s.scalars(query).first()
            return _run_record(row) if row else None

    def runs(self) -> list[RunRecord]:
        with self._session() as s:
            return [_run_record(r) for r in s.scalars(select(RunRow).order_by(RunRow.id))]

    # --- sources --------------------------------------------------------------------

    # Every source is read and compared: objects by the thousand, none kept.
    @collection_paused()
    def sync_sources(
        self, sources: Iterable[tuple[str, str, str | None, str | None]], now: datetime
    ) -> None:
        """Record the registry's sources (id, url, title, owner); mark vanished ones removed.

        Every run syncs the whole registry, so this reads the stored sources once and
        writes only what changed, a statement per kind of change."""
        table = SourceRow.__table__
        assert isinstance(table, Table)
        wanted: dict[str, tuple[str, str | None, str | None]] = {}
        for source_id, url, title, owner in sources:
            wanted.setdefault(source_id, (url, title, owner))  # the first, as the registry
        with self.engine.begin() as connection:
            existing = {
                row.id: row
                for row in connection.execute(
                    select(
                        table.c.id, table.c.url, table.c.title, table.c.owner, table.c.removed_at
                    )
                )
            }
            fresh: list[dict[str, Any]] = []
            moved: list[dict[str, Any]] = []
            readdressed: list[dict[str, Any]] = []
            changed: list[dict[str, Any]] = []
            for source_id, (url, title, owner) in wanted.items():
                row = existing.get(source_id)
                values = {"sid": source_id, "new_url": url, "new_title": title, "new_owner": owner}
                if row is None:
                    fresh.append(
                        {
                            "id": source_id,
                            "url": url,
                            "title": title,
                            "owner": owner,
                            "first_seen": now,
                        }
                    )
                elif row.url != url:
                    same = health_module.same_resource(row.url, url)
                    (moved if same else readdressed).append(values)
                elif (row.title, row.owner) != (title, owner) or row.removed_at is not None:
                    changed.append(values)
            gone = [
                {"sid": source_id, "gone_at": now}
                for source_id, row in existing.items()
                if source_id not in wanted and row.removed_at is None
            ]
            target = update(table).where(table.c.id == bindparam("sid"))
            described: dict[str, Any] = {
                "url": bindparam("new_url"),
                "title": bindparam("new_title"),
                "owner": bindparam("new_owner"),
                "removed_at": None,
            }
            if fresh:
                # Another process (a scheduled run, a second CI job) may add the same
                # new sources between the read above and this write.
                added = db.insert_for(self.engine)(table).on_conflict_do_nothing()
                connection.execute(added, fresh)
            # A new URL is a new source as far as validators are concerned.
            forgotten = {"etag": None, "last_modified": None, "next_due_at": None}
            if moved:
                connection.execute(target.values(**described, **forgotten), moved)
            if readdressed:
                # What another resource served says nothing of this one; a respelling
                # (http to https, a trailing slash) names the same document.
                unknown = {"served_type": None, "served_type_at": None}
                connection.execute(target.values(**described, **forgotten, **unknown), readdressed)
            if changed:
                connection.execute(target.values(**described), changed)
            if gone:
                removed_at = bindparam("gone_at", type_=UTCDateTime())
                connection.execute(target.values(removed_at=removed_at), gone)

    def due_sources(self, source_ids: Sequence[str], now: datetime) -> list[str]:
        """The given sources that have never been checked or whose due time has come."""
        not_due: set[str] = set()
        with self._session() as s:
            for chunk in _chunks(source_ids):
                query = select(SourceRow.id).where(
                    SourceRow.id.in_(chunk), SourceRow.next_due_at > now
                )
                not_due.update(s.scalars(query))
        return [sid for sid in source_ids if sid not in not_due]

    def save_result(
        self,
        run_id: int | None,
        result: CheckResult,
        next_due_at: datetime | None = None,
        *,
        health: HealthUpdate | None = None,
    ) -> int:
        """Write one result and the source's state in one transaction, committed now.

        ``health`` is the source's new health and the event (if any) from folding this
        result in (:func:`monitor.state.advance`); it is saved in the same transaction.
        """
        if health is not None and result.source_id is None:
            raise ValueError("health given for a result without a source")
        with self._session.begin() as s:
            row = ResultRow(**_result_row(run_id, result))
            s.add(row)
            s.flush()
            if result.source_id is not None:
                statement, params = _source_state(result, row.id, next_due_at)
                # The statement a batch uses, on the transaction's connection: no ORM
                # objects to keep in step.
                s.connection().execute(statement, params)
                if health is not None:
                    state, event = health
                    health_module.write_state(
                        s, result.source_id, state, event, result_id=row.id, run_id=run_id
                    )
            return row.id

    def save_results(
        self, run_id: int | None, items: Sequence[tuple[CheckResult, datetime | None]]
    ) -> list[int]:
        """Write several results (each with its source's next due time) in one
        transaction: what a run does as checks finish, so that a killed run loses at
        most the batch in flight. Returns the new result ids in order."""
        if not items:
            return []
        rows = [_result_row(run_id, result) for result, _due in items]
        with self.engine.begin() as connection:
            ids = _insert_results(connection, rows)
            # One statement per result on its source's row, sent together with the
            # others of the same shape.
            updates: dict[Update, list[dict[str, Any]]] = {}
            for result_id, (result, due) in zip(ids, items, strict=True):
                if result.source_id is None:
                    continue
                statement, params = _source_state(result, result_id, due)
                updates.setdefault(statement, []).append(params)
            for statement, many in updates.items():
                connection.execute(statement, many)
        return ids

    def healths(self, source_ids: Sequence[str]) -> dict[str, SourceHealth]:
        """The health of many sources in one query (``unknown`` for the unchecked)."""
        found: dict[str, Row[Any]] = {}
        table = SourceHealthRow.__table__
        assert isinstance(table, Table)
        # Rows as columns, not ORM objects: every run and every status read all of them.
        with self.engine.connect() as connection:
            for chunk in _chunks(source_ids):
                query = select(table).where(table.c.source_id.in_(chunk))
                found.update((row.source_id, row) for row in connection.execute(query))
        return {sid: health_module.to_state(sid, found.get(sid)) for sid in source_ids}

    def fingerprints_of(self, source_ids: Sequence[str]) -> dict[str, tuple[str, datetime]]:
        """The newest content fingerprint of many sources, with when it was taken."""
        found: dict[str, tuple[str, datetime]] = {}
        with self._session() as s:
            for chunk in _chunks(source_ids):
                newest = (
                    select(func.max(ResultRow.id))
                    .where(ResultRow.source_id.in_(chunk), ResultRow.fingerprint.is_not(None))
                    .group_by(ResultRow.source_id)
                )
                query = select(
                    ResultRow.source_id, ResultRow.fingerprint, ResultRow.checked_at
                ).where(ResultRow.id.in_(newest))
                for sid, fingerprint, at in s.execute(query):
                    if sid is not None and fingerprint is not None:
                        found[sid] = (fingerprint, at)
        return found

    def memories_of(self, source_ids: Sequence[str]) -> dict[str, SourceMemory]:
        """What the rows of many sources keep for their next check (validators, the
        type last served), in one query per 5,000 sources; unknown sources are left out.
        Planning a run reads this, and no results."""
        table = SourceRow.__table__
        assert isinstance(table, Table)
        columns = (table.c.url, table.c.etag, table.c.last_modified)
        served = (table.c.served_type, table.c.served_type_at)
        found: dict[str, SourceMemory] = {}
        with self.engine.connect() as connection:
            for chunk in _chunks(source_ids):
                query = select(table.c.id, *columns, *served).where(table.c.id.in_(chunk))
                found.update((row[0], SourceMemory(*row[1:])) for row in connection.execute(query))
        return found

    def results_for_run(self, run_id: int) -> list[StoredResult]:
        with self._session() as s:
            rows = s.scalars(
                select(ResultRow).where(ResultRow.run_id == run_id).order_by(ResultRow.id)
            )
            return [_stored(r) for r in rows]

    def latest_results(
        self, source_ids: Sequence[str] | None = None, *, answered: bool = False
    ) -> dict[str, StoredResult]:
        """The newest result of each source (of the given ones, or all). ``answered``:
        the newest with an HTTP status, the one whose validators a 304 refers to (a
        timeout or a DNS failure since leaves the validators as they were)."""
        sub = _newest_ids(source_ids, answered=answered)
        # Only the columns a stored result is made of, without building ORM objects:
        # the status document reads every source's newest result on every run.
        query = select(ResultRow.id, ResultRow.run_id, ResultRow.source_id, ResultRow.data).join(
            sub, ResultRow.id == sub.c.id
        )
        with self.engine.connect() as connection:
            return {
                row.source_id: StoredResult(
                    id=row.id, run_id=row.run_id, result=result_from_dict(row.data)
                )
                for row in connection.execute(query)
                if row.source_id is not None
            }

    def latest_result_data(
        self, source_ids: Sequence[str] | None = None
    ) -> dict[str, dict[str, Any]]:
        """The newest result of each source (of the given ones, or all) as plain data,
        as :meth:`CheckResult.to_dict` gives it, for the status document."""
        found: dict[str, dict[str, Any]] = {}
        chunks: Iterable[list[str] | None] = [None] if source_ids is None else _chunks(source_ids)
        with self.engine.connect() as connection:
            for chunk in chunks:
                sub = _newest_ids(chunk)
                query = select(ResultRow.source_id, ResultRow.data).join(
                    sub, ResultRow.id == sub.c.id
                )
                found.update(
                    (row.source_id, result_data(row.data))
                    for row in connection.execute(query)
                    if row.source_id is not None
                )
        return found

    def previous_result(self, source_id: str, before_id: int | None = None) -> StoredResult | None:
        with self._session() as s:
            query = select(ResultRow).where(ResultRow.source_id == source_id)
            if before_id is not None:
                query = query.where(ResultRow.id < before_id)
            row = s.scalars(query.order_by(ResultRow.id.desc()).limit(1)).first()
            return _stored(row) if row else None

    def history(self, source_id: str, limit: int | None = None) -> Iterator[StoredResult]:
        """A source's results, oldest first (streamed)."""
        with self._session() as s:
            query = select(ResultRow).where(ResultRow.source_id == source_id).order_by(ResultRow.id)
            if limit is not None:
                query = query.limit(limit)
            for row in s.scalars(query).yield_per(500):
                yield _stored(row)

    def result_briefs(self, source_ids: Sequence[str]) -> Iterator[ResultBrief]:
        """The results of many sources, streamed: each source's together, oldest first.
        Only the columns a timeline needs are read."""
        for chunk in _chunks(source_ids):
            query = (
                select(*_brief_columns())
                .where(ResultRow.source_id.in_(chunk))
                .order_by(ResultRow.source_id, ResultRow.id)
                .execution_options(yield_per=1000)
            )
            with self.engine.connect() as connection:
                for row in connection.execute(query):
                    yield _brief(row)

    def newest_briefs(
        self, source_ids: Sequence[str] | None, count: int = 2
    ) -> dict[str, list[ResultBrief]]:
        """The ``count`` newest results of each of many sources (of every source when
        ``source_ids`` is None), newest first."""
        rank = (
            func.row_number()
            .over(partition_by=ResultRow.source_id, order_by=ResultRow.id.desc())
            .label("rank")
        )
        found: dict[str, list[ResultBrief]] = {}
        # Every source in one query, rather than thousands of ids in lists.
        chunks: Iterable[list[str] | None] = [None] if source_ids is None else _chunks(source_ids)
        for chunk in chunks:
            briefs = select(*_brief_columns(), rank).where(ResultRow.source_id.is_not(None))
            if chunk is not None:
                briefs = briefs.where(ResultRow.source_id.in_(chunk))
            ranked = briefs.subquery()
            query = (
                select(*[c for c in ranked.c if c.name != "rank"])
                .where(ranked.c.rank <= count)
                .order_by(ranked.c.source_id, ranked.c.rank)
            )
            with self.engine.connect() as connection:
                for row in connection.execute(query):
                    brief = _brief(row)
                    found.setdefault(brief.source_id, []).append(brief)
        return found

    def count_results(self) -> int:
        with self._session() as s:
            return int(s.scalar(select(func.count()).select_from(ResultRow)) or 0)

    # --- health -------------------------------------------------------------------

    def health(self, source_id: str) -> SourceHealth:
        """The source's health; ``unknown`` with empty counters if never folded in."""
        with self._session() as s:
            return health_module.to_state(source_id, s.get(SourceHealthRow, source_id))

    def save_health(
        self,
        source_id: str,
        state: SourceHealth,
        event: HealthEvent | None = None,
        *,
        result_id: int | None = None,
        run_id: int | None = None,
    ) -> None:
        """Store a source's new health and, if the health changed, the event."""
        with self._session.begin() as s:
            health_module.write_state(
                s, source_id, state, event, result_id=result_id, run_id=run_id
            )

    def update_health(
        self,
        run_id: int,
        policy: HealthPolicy,
        *,
        inconclusive: bool,
        batch: int = 500,
        after_id: int = 0,
    ) -> int:
        """Fold a finished run's results into health; the number of events recorded.

        An inconclusive run changes nothing. Snoozed sources keep their health. Each
        batch commits on its own and results already folded in are skipped, so an
        interrupted call can simply be repeated. Read the events with
        ``events(run_id=run_id)``. ``after_id``: results up to this id are known to be
        folded in already (see :meth:`fold_health`).
        """
        if inconclusive:
            return 0
        return self.fold_health(run_id, policy, batch=batch, after_id=after_id).events

    def fold_health(
        self, run_id: int, policy: HealthPolicy, *, batch: int = 500, after_id: int = 0
    ) -> HealthFold:
        """Fold the run's stored results after result ``after_id`` into health, for a
        run known to be conclusive, possibly while it goes on: the next call passes
        the returned ``last_result_id`` and folds only what was stored since. The
        result names the sources of the results it read."""
        with self._session() as s:
            snoozes = health_module.load_snoozes(s)
        recorded = 0
        sources: list[str] = []
        while True:
            with self.engine.begin() as connection:
                after_id, read, events = health_module.apply_run(
                    connection, run_id, policy, snoozes, after_id=after_id, limit=batch
                )
            recorded += len(events)
            sources.extend(read)
            if len(read) < batch:
                return HealthFold(after_id, recorded, tuple(sources))

    def events(
        self,
        source_id: str | None = None,
        since: datetime | None = None,
        *,
        run_id: int | None = None,
        first_sights: bool = True,
    ) -> list[HealthEvent]:
        """Health changes, oldest first, of one source or all, from ``since`` on;
        without ``first_sights``, leaving out each source's first, working check
        (:attr:`HealthEvent.first_sight`), which every source of a new registry has."""
        return list(self.iter_events(source_id, since, run_id=run_id, first_sights=first_sights))

    def iter_events(
        self,
        source_id: str | None = None,
        since: datetime | None = None,
        *,
        run_id: int | None = None,
        first_sights: bool = True,
        batch: int = 500,
    ) -> Iterator[HealthEvent]:
        """Like :meth:`events`, streamed."""
        query = health_module.events_query(source_id, since, run_id, first_sights=first_sights)
        with self._session() as s:
            for row in s.scalars(query.execution_options(yield_per=batch)):
                yield health_module.to_event(row)

    def events_of(self, source_ids: Sequence[str]) -> dict[str, list[HealthEvent]]:
        """The health changes of many sources, oldest first for each."""
        found: dict[str, list[HealthEvent]] = {}
        with self._session() as s:
            for chunk in _chunks(source_ids):
                query = (
                    select(HealthEventRow)
                    .where(HealthEventRow.source_id.in_(chunk))
                    .order_by(HealthEventRow.at, HealthEventRow.id)
                )
                for row in s.scalars(query):
                    found.setdefault(row.source_id, []).append(health_module.to_event(row))
        return found

    def notices_of(self, source_ids: Sequence[str]) -> dict[str, list[NoticeRecord]]:
        """The last message each owner was sent about each of the given sources."""
        found: dict[str, list[NoticeRecord]] = {}
        for chunk in _chunks(source_ids):
            query = (
                select(
                    NoticeRow.source_id,
                    NoticeRow.owner,
                    NoticeRow.sent_at,
                    OutboxRow.channel,
                    OutboxRow.recipient,
                    OutboxRow.subject,
                )
                .outerjoin(OutboxRow, OutboxRow.key == NoticeRow.key)
                .where(NoticeRow.source_id.in_(chunk))
                .order_by(NoticeRow.source_id, NoticeRow.sent_at, NoticeRow.owner)
            )
            with self.engine.connect() as connection:
                for row in connection.execute(query):
                    found.setdefault(row.source_id, []).append(NoticeRecord(*row))
        return found

    # --- snoozes --------------------------------------------------------------------

    def snooze(self, target: str, until: datetime, note: str | None = None) -> None:
        """Hold health for a source id, or for ``host:example.org`` and its subdomains.

        Snoozing a target again replaces its time and note.
        """
        key = health_module.normalise_target(target)
        with self._session.begin() as s:
            row = s.get(SnoozeRow, key)
            if row is None:
                s.add(SnoozeRow(target=key, until=until, note=note))
            else:
                row.until, row.note = until, note

    def unsnooze(self, target: str) -> bool:
        """Lift a snooze; False if there was none."""
        key = health_module.normalise_target(target)
        with self._session.begin() as s:
            deleted = s.execute(delete(SnoozeRow).where(SnoozeRow.target == key))
            return bool(getattr(deleted, "rowcount", 0))

    def snoozes(self, now: datetime | None = None) -> list[Snooze]:
        """Every snooze, or only those still running at ``now``, by target."""
        with self._session() as s:
            query = select(SnoozeRow).order_by(SnoozeRow.target)
            if now is not None:
                query = query.where(SnoozeRow.until > now)
            return [Snooze(r.target, r.until, r.note) for r in s.scalars(query)]

    def snoozed(self, source_id: str, url: str, now: datetime) -> bool:
        """Whether the source, its host or a parent domain is snoozed at ``now``."""
        targets = health_module.snooze_targets(source_id, url)
        with self._session() as s:
            found = s.scalar(
                select(func.count())
                .select_from(SnoozeRow)
                .where(SnoozeRow.target.in_(targets), SnoozeRow.until > now)
            )
            return bool(found)

    # --- retention and history -----------------------------------------------------

    def apply_retention(self, now: datetime, keep_days: float) -> int:
        """Roll results older than ``keep_days`` into daily rows and delete them.

        Each source's newest result is kept whatever its age. Returns how many results
        were deleted.
        """
        with self._session.begin() as s:
            return retention.apply(s, now, keep_days)

    def rollups(
        self, source_id: str, since: date | None = None, *, batch: int = 500
    ) -> Iterator[Rollup]:
        """A source's daily rollups from ``since`` on, oldest first (streamed)."""
        with self._session() as s:
            yield from stats.rollups(s, source_id, since, batch)

    def checks(
        self, source_id: str, since: datetime | None = None, *, batch: int = 1000
    ) -> Iterator[CheckPoint]:
        """A source's stored results from ``since`` on as light chart points (streamed)."""
        with self._session() as s:
            yield from stats.checks(s, source_id, since, batch)

    def outcome_counts(self, source_id: str, start: datetime, end: datetime) -> tuple[int, int]:
        """Good and failing checks of conclusive runs in ``[start, end]``, rollups included."""
        with self._session() as s:
            return stats.outcome_counts(s, source_id, start, end)

    def last_success_at(self, source_id: str) -> datetime | None:
        """The newest good check (a day's start when only a rollup remembers it)."""
        with self._session() as s:
            return stats.last_success_at(s, source_id)

    def first_failure_after(self, source_id: str, after: datetime | None) -> datetime | None:
        """The oldest failing check of a conclusive run after ``after`` (or ever)."""
        with self._session() as s:
            return stats.first_failure_after(s, source_id, after)

    def summaries(
        self,
        now: datetime,
        start: datetime,
        *,
        batch: int = 1000,
        source_ids: Sequence[str] | None = None,
    ) -> Iterator[SourceSummary]:
        """Every known source (or those of ``source_ids``) by id, with uptime over
        ``[start, now]`` (streamed)."""
        with self._session() as s:
            if source_ids is None:
                yield from stats.summaries(s, start, now, batch)
                return
            for chunk in _chunks(sorted(set(source_ids)), 1000):
                yield from stats.summaries(s, start, now, batch, chunk)

    # --- archive lookups cache ------------------------------------------------------

    def cache_get(self, key: str, now: datetime) -> str | None:
        with self._session() as s:
            row = s.get(ArchiveCacheRow, key)
            if row is None or row.expires_at <= now:
                return None
            return row.value

    def cache_put(self, key: str, value: str, expires_at: datetime) -> None:
        table = ArchiveCacheRow.__table__
        assert isinstance(table, Table)
        stmt = db.insert_for(self.engine)(table).values(key=key, value=value, expires_at=expires_at)
        stmt = stmt.on_conflict_do_update(
            index_elements=["key"], set_={"value": value, "expires_at": expires_at}
        )
        with self._session.begin() as s:
            s.execute(stmt)

    def cache_purge(self, now: datetime) -> None:
        with self._session.begin() as s:
            s.execute(delete(ArchiveCacheRow).where(ArchiveCacheRow.expires_at <= now))


def _newest_ids(source_ids: Sequence[str] | None, *, answered: bool = False) -> Subquery:
    """The id of each source's newest result (of the given sources, or all); with
    ``answered``, of its newest result with an HTTP status."""
    newest = (
        select(ResultRow.source_id, func.max(ResultRow.id).label("id"))
        .where(ResultRow.source_id.is_not(None))
        .group_by(ResultRow.source_id)
    )
    if answered:
        newest = newest.where(ResultRow.status.is_not(None))
    if source_ids is not None:
        newest = newest.where(ResultRow.source_id.in_(list(source_ids)))
    return newest.subquery()


# Verdicts given to a document that was served and read: evidence of what it is. A
# blocked, transient or failing check may have read a stand-in page instead.
_READ_VERDICTS = (Verdict.OK, Verdict.MOVED, Verdict.CLAIM_MISSING, Verdict.ANCHOR_MISSING)


def _read_a_document(result: CheckResult) -> bool:
    """Whether ``result`` says what its source serves.

    A check read a document when the type its body was read as is known (a body was
    read, or a 304 kept the previous one) and its verdict judged that body
    (:data:`_READ_VERDICTS`); a HEAD answer, or a blocked, transient or failing check
    (which may have read a stand-in page) teaches nothing and leaves the type as it was."""
    return result.document_type is not None and result.verdict in _READ_VERDICTS


def _source_state(
    result: CheckResult, result_id: int, due: datetime | None
) -> tuple[Update, dict[str, Any]]:
    """The statement that records ``result``, stored as ``result_id``, on its source's
    row (one of :data:`_SOURCE_UPDATES`), and its parameters."""
    params: dict[str, Any] = {"sid": result.source_id, "rid": result_id, "due": due}
    answered = not result.not_modified and result.status is not None
    if answered:
        params |= {"etag": result.etag, "lm": result.last_modified}
    learned = _read_a_document(result)
    if learned:
        params |= {
            "checked_url": result.url,
            "kind": result.document_type,
            "seen": result.checked_at,
        }
    return _SOURCE_UPDATES[answered, learned], params


def _while_cited(column: Any, value: Any) -> Any:
    """``value`` for ``column`` while the source still cites the URL checked: a registry
    edited during the run has made it another source as far as its type is concerned
    (see ``sync_sources``)."""
    return case((SourceRow.url == bindparam("checked_url"), value), else_=column)


def _source_update(*, answered: bool, learned: bool) -> Update:
    """What one stored result changes on its source's row, in one statement: the newest
    result and the next due time (a null keeps the one set); the validators to send
    next when the server answered with its own; the type served when the result read a
    document. A column a result does not set is not named, and keeps what it holds."""
    statement = (
        update(SourceRow)
        .where(SourceRow.id == bindparam("sid"))
        .values(
            last_result_id=bindparam("rid"),
            next_due_at=func.coalesce(bindparam("due", type_=UTCDateTime()), SourceRow.next_due_at),
        )
    )
    if answered:
        statement = statement.values(etag=bindparam("etag"), last_modified=bindparam("lm"))
    if learned:
        statement = statement.values(
            served_type=_while_cited(SourceRow.served_type, bindparam("kind", type_=StoredText())),
            served_type_at=_while_cited(
                SourceRow.served_type_at, bindparam("seen", type_=UTCDateTime())
            ),
        )
    return statement


# By (answered with validators, read a document).
_SOURCE_UPDATES = {
    (answered, learned): _source_update(answered=answered, learned=learned)
    for answered in (False, True)
    for learned in (False, True)
}


def _chunks(ids: Sequence[str], size: int = 5000) -> Iterator[list[str]]:
    """Id lists small enough for every backend's limit on bound parameters."""
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def _result_row(run_id: int | None, result: CheckResult) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "source_id": result.source_id,
        "url": result.url,
        "checked_at": result.checked_at,
        "verdict": result.verdict.value,
        "reason": result.reason,
        "status": result.status,
        "final_url": result.final_url,
        "elapsed_ms": result.elapsed_ms,
        "bytes_read": result.bytes_read,
        "fingerprint": result.fingerprint,
        "error_kind": result.error_kind.value if result.error_kind else None,
        "archive_status": result.archive.status.value if result.archive else None,
        "data": result.to_dict(),
    }


def _run_record(row: RunRow) -> RunRecord:
    return RunRecord(
        id=row.id,
        started_at=row.started_at,
        finished_at=row.finished_at,
        status=RunStatus(row.status),
        inconclusive=row.inconclusive,
        note=row.note,
        planned=row.planned,
        summary=row.summary,
    )


def _brief_columns() -> tuple[Any, ...]:
    """What :func:`_brief` reads, in its order."""
    return (
        ResultRow.id,
        ResultRow.source_id,
        ResultRow.run_id,
        ResultRow.checked_at,
        ResultRow.verdict,
        ResultRow.status,
        ResultRow.elapsed_ms,
        ResultRow.reason,
        ResultRow.fingerprint,
        # The similarity the check recorded, read without decoding the whole result.
        ResultRow.data["extra"]["similarity"].as_float(),
    )


def _brief(row: Any) -> ResultBrief:
    return ResultBrief(
        id=row[0],
        source_id=row[1],
        run_id=row[2],
        checked_at=row[3],
        verdict=Verdict(row[4]),
        status=row[5],
        elapsed_ms=row[6],
        reason=row[7],
        fingerprint=row[8],
        similarity=row[9],
    )


def _stored(row: ResultRow) -> StoredResult:
    return StoredResult(id=row.id, run_id=row.run_id, result=result_from_dict(row.data))


def _insert_results(connection: Connection, rows: list[dict[str, Any]]) -> list[int]:
    """Insert result rows (``rows`` gain their ids); the new ids in the rows' order."""
    if connection.dialect.name == "postgresql":
        # Taking the ids from the sequence first lets the rows go as one pipelined
        # executemany, several times cheaper than INSERT ... RETURNING in batches, whose
        # long statements the driver parses afresh each time. Sorted, the ids rise in
        # the rows' order as RETURNING's would.
        taken = connection.execute(_NEXT_RESULT_IDS, {"n": len(rows)}).scalars()
        ids = sorted(int(i) for i in taken)
        for row, result_id in zip(rows, ids, strict=True):
            row["id"] = result_id
        connection.execute(insert(ResultRow), rows)
        return ids
    # SQLite has no batched form that ties new ids to parameter order, so this is one
    # statement per row; each is cheap in process.
    inserted = connection.execute(
        insert(ResultRow).returning(ResultRow.id, sort_by_parameter_order=True), rows
    )
    return list(inserted.scalars())


_NEXT_RESULT_IDS = select(
    func.nextval(func.pg_get_serial_sequence(ResultRow.__tablename__, "id"))
).select_from(func.generate_series(1, bindparam("n")))
