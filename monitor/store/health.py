"""Health rows, health events and snoozes, within a session or connection the store opens."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, Row, Select, String, Table, bindparam, insert, select, update
from sqlalchemy.orm import Session

from checks.model import ErrorKind, Verdict
from monitor.state import Health, HealthEvent, HealthPolicy, SourceHealth, advance, is_hard_failure
from monitor.store.schema import Base, HealthEventRow, ResultRow, SnoozeRow, SourceHealthRow

HOST_PREFIX = "host:"
_DEFAULT_PORTS = frozenset({80, 443})
# SourceHealth fields stored as columns of the same name.
_COLUMNS = tuple(f.name for f in fields(SourceHealth) if f.name not in ("source_id", "health"))


def to_state(source_id: str, row: SourceHealthRow | Row[Any] | None) -> SourceHealth:
    """The stored health (an ORM row or a row of the table's columns), or the initial
    one for a source never folded in."""
    if row is None:
        return SourceHealth(source_id)
    values = {name: getattr(row, name) for name in _COLUMNS}
    return SourceHealth(source_id, Health(row.health), **values)


def write_state(
    s: Session,
    source_id: str,
    state: SourceHealth,
    event: HealthEvent | None,
    *,
    row: SourceHealthRow | None = None,
    result_id: int | None = None,
    run_id: int | None = None,
) -> SourceHealthRow:
    """Upsert a source's health (``row`` if already loaded) and record the event."""
    if state.source_id != source_id:
        raise ValueError(f"health of {state.source_id!r} saved as {source_id!r}")
    if row is None:
        row = s.get(SourceHealthRow, source_id)
    if row is None:
        row = SourceHealthRow(source_id=source_id)
        s.add(row)
    row.health = state.health.value
    for name in _COLUMNS:
        setattr(row, name, getattr(state, name))
    if result_id is not None:
        row.result_id = result_id
    if event is not None:
        s.add(
            HealthEventRow(
                source_id=event.source_id,
                at=event.at,
                previous=event.previous.value,
                health=event.health.value,
                reason=event.reason,
                run_id=run_id,
                result_id=result_id,
            )
        )
    return row


def events_query(
    source_id: str | None, since: datetime | None, run_id: int | None, *, first_sights: bool = True
) -> Select[HealthEventRow]:
    query = select(HealthEventRow)
    if not first_sights:
        first = (HealthEventRow.previous == Health.UNKNOWN.value) & (
            HealthEventRow.health == Health.HEALTHY.value
        )
        query = query.where(~first)
    if source_id is not None:
        query = query.where(HealthEventRow.source_id == source_id)
    if since is not None:
        query = query.where(HealthEventRow.at >= since)
    if run_id is not None:
        query = query.where(HealthEventRow.run_id == run_id)
    return query.order_by(HealthEventRow.at, HealthEventRow.id)


def to_event(row: HealthEventRow) -> HealthEvent:
    return HealthEvent(
        source_id=row.source_id,
        at=row.at,
        previous=Health(row.previous),
        health=Health(row.health),
        reason=row.reason,
    )


# --- snoozes ------------------------------------------------------------------------


def normalise_target(target: str) -> str:
    """A source id as given; a host target lower-cased, without a trailing dot."""
    if not target.startswith(HOST_PREFIX):
        if not target:
            raise ValueError("an empty snooze target")
        return target
    host = target[len(HOST_PREFIX) :].strip().lower().rstrip(".")
    if not host or "/" in host:
        raise ValueError(f"not a host name: {target!r}")
    return HOST_PREFIX + host


def snooze_targets(source_id: str, url: str) -> list[str]:
    """The targets that would snooze this source: its id, its host and parent domains."""
    targets = [source_id]
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    labels = host.split(".") if host else []
    targets += [HOST_PREFIX + ".".join(labels[i:]) for i in range(len(labels))]
    return targets


def is_snoozed(active: Mapping[str, datetime], source_id: str, url: str, at: datetime) -> bool:
    """Whether any snooze of ``active`` (target -> until) covers the source at ``at``."""
    return any(
        (until := active.get(target)) is not None and at < until
        for target in snooze_targets(source_id, url)
    )


def load_snoozes(s: Session) -> dict[str, datetime]:
    # Snoozes are typed in by people: few enough to hold in memory.
    return {row.target: row.until for row in s.scalars(select(SnoozeRow))}


# --- folding a run's results into health ------------------------------------------


@dataclass(frozen=True)
class StoredCheck:
    """What health needs of one stored result."""

    result_id: int
    source_id: str
    url: str
    checked_at: datetime
    verdict: Verdict
    status: int | None
    error_kind: ErrorKind | None


@dataclass(frozen=True)
class Folded:
    """A source's health and the newest result folded into it (None: not known), with
    that result's URL (None: not known, or the result has expired)."""

    state: SourceHealth
    result_id: int | None
    # Not part of what was folded, only how the next check is told from a new URL.
    url: str | None = field(default=None, compare=False)


@dataclass(frozen=True)
class FoldedEvent:
    """A health change and the result that caused it."""

    event: HealthEvent
    result_id: int


def fold(
    checks: Iterable[StoredCheck],
    current: Mapping[str, Folded],
    policy: HealthPolicy,
    snoozes: Mapping[str, datetime],
) -> tuple[dict[str, Folded], list[FoldedEvent]]:
    """Fold stored checks, oldest result first, onto their sources' ``current`` health.

    Returns the new health of every source a check was folded into, and the events in
    the order of the checks. A check whose result is not newer than the one its source
    last folded in is skipped; a later check of the same source folds onto the state
    the earlier one produced. A snoozed source keeps its health but records the result.
    A check of another URL than the result folded in before it (another resource, not
    another spelling: :func:`same_resource`) starts the evidence afresh
    (:func:`monitor.state.advance`, rule 9).
    """
    folded: dict[str, Folded] = {}
    events: list[FoldedEvent] = []
    for check in checks:
        source_id = check.source_id
        before = folded[source_id] if source_id in folded else current.get(source_id)
        done = before.result_id if before is not None else None
        if done is not None and done >= check.result_id:
            continue
        if check.error_kind is ErrorKind.INTERNAL:
            continue  # the monitor's own check failed: no evidence either way
        last_url = before.url if before is not None else None
        state, event = advance(
            before.state if before is not None else SourceHealth(source_id),
            check.verdict,
            check.checked_at,
            policy,
            hard=is_hard_failure(check.verdict, check.status, check.error_kind),
            # Parsing the URL costs more than the rest of the fold; most runs have no snoozes.
            snoozed=bool(snoozes) and is_snoozed(snoozes, source_id, check.url, check.checked_at),
            new_url=last_url is not None and not same_resource(last_url, check.url),
        )
        folded[source_id] = Folded(state, check.result_id, check.url)
        if event is not None:
            events.append(FoldedEvent(event, check.result_id))
    return folded, events


def same_resource(old: str, new: str) -> bool:
    """Whether two registry URLs name the same resource, so that the evidence gathered at
    one holds for the other.

    Beyond two spellings of one URL (:func:`monitor.registry.urls.comparable`: letter
    case of the scheme and host, a default port, an empty path, escapes), an edit from
    http to https or a trailing slash added or taken off the path names the same
    document: the site redirects one to the other, or serves both.
    """
    return old == new or _resource_key(old) == _resource_key(new)


def _resource_key(url: str) -> tuple[str, int | None, str, str, str]:
    # Imported here: the registry loader reaches this package through the notifications.
    from monitor.registry.urls import comparable

    try:
        parts = urlsplit(comparable(url))
        port = parts.port
    except ValueError:
        return url, None, "", "", ""
    host = (parts.hostname or "").rstrip(".")
    userinfo = parts.netloc.rpartition("@")[0]
    # With the scheme set aside, either default port is the site's usual one.
    usual = port is None or port in _DEFAULT_PORTS
    return (
        f"{userinfo}@{host}" if userinfo else host,
        None if usual else port,
        parts.path.rstrip("/"),
        parts.query,
        parts.fragment,
    )


def apply_run(
    connection: Connection,
    run_id: int,
    policy: HealthPolicy,
    snoozes: Mapping[str, datetime],
    *,
    after_id: int,
    limit: int,
) -> tuple[int, list[str], list[HealthEvent]]:
    """Fold up to ``limit`` of the run's results after ``after_id`` into health.

    Returns the last result id seen (``after_id`` when there were none), the sources
    of the results read, and the events. Results already folded in are skipped, so
    calling this again for the same run changes nothing. Rows are read and written
    with plain statements, a few per call: the ORM's per-object bookkeeping cost
    more than the rest of the work.
    """
    checks = _checks_of_run(connection, run_id, after_id, limit)
    if not checks:
        return after_id, [], []
    current = _load_folded(connection, list({c.source_id for c in checks}))
    folded, events = fold(checks, current, policy, snoozes)
    _write_folded(connection, folded, current, events, run_id)
    return checks[-1].result_id, [c.source_id for c in checks], [e.event for e in events]


# Bound parameters per IN list, well under every backend's limit.
_CHUNK = 5000


def _table(entity: type[Base]) -> Table:
    table = entity.__table__
    assert isinstance(table, Table)
    return table


def _checks_of_run(
    connection: Connection, run_id: int, after_id: int, limit: int
) -> list[StoredCheck]:
    results = _table(ResultRow)
    rows = connection.execute(
        select(
            results.c.id,
            results.c.source_id,
            results.c.url,
            results.c.checked_at,
            results.c.verdict,
            results.c.status,
            results.c.error_kind,
        )
        .where(
            results.c.run_id == run_id,
            results.c.source_id.is_not(None),
            results.c.id > after_id,
        )
        .order_by(results.c.id)
        .limit(limit)
    )
    return [
        StoredCheck(
            result_id,
            source_id,
            url,
            checked_at,
            Verdict(verdict),
            status,
            ErrorKind(error_kind) if error_kind else None,
        )
        for result_id, source_id, url, checked_at, verdict, status, error_kind in rows
    ]


def _load_folded(connection: Connection, source_ids: list[str]) -> dict[str, Folded]:
    table = _table(SourceHealthRow)
    results = _table(ResultRow)
    columns = [table.c[name] for name in _COLUMNS]
    found: dict[str, Folded] = {}
    for start in range(0, len(source_ids), _CHUNK):
        chunk = source_ids[start : start + _CHUNK]
        # The URL of the result folded in last tells a changed registry URL.
        query = (
            select(table.c.source_id, table.c.health, table.c.result_id, results.c.url, *columns)
            .outerjoin(results, results.c.id == table.c.result_id)
            .where(table.c.source_id.in_(chunk))
        )
        for source_id, health, result_id, url, *values in connection.execute(query):
            state = SourceHealth(
                source_id, Health(health), **dict(zip(_COLUMNS, values, strict=True))
            )
            found[source_id] = Folded(state, result_id, url)
    return found


def _write_folded(
    connection: Connection,
    folded: Mapping[str, Folded],
    current: Mapping[str, Folded],
    events: Sequence[FoldedEvent],
    run_id: int,
) -> None:
    table = _table(SourceHealthRow)
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for source_id, new in folded.items():
        values = _health_values(new)
        if source_id not in current:
            inserts.append({"source_id": source_id, **values})
        else:
            updates.append({"key": source_id, **values})
    if updates:
        connection.execute(
            update(table).where(table.c.source_id == bindparam("key", type_=String())), updates
        )
    if inserts:
        connection.execute(insert(table), inserts)
    if events:
        connection.execute(
            insert(_table(HealthEventRow)),
            [
                {
                    "source_id": e.event.source_id,
                    "at": e.event.at,
                    "previous": e.event.previous.value,
                    "health": e.event.health.value,
                    "reason": e.event.reason,
                    "run_id": run_id,
                    "result_id": e.result_id,
                }
                for e in events
            ],
        )


def _health_values(folded: Folded) -> dict[str, Any]:
    state = folded.state
    values = {name: getattr(state, name) for name in _COLUMNS}
    values["health"] = state.health.value
    values["result_id"] = folded.result_id
    return values
