"""Health rows, health events and snoozes, within a session the store opens."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from checks.model import ErrorKind, Verdict
from monitor.state import Health, HealthEvent, HealthPolicy, SourceHealth, advance, is_hard_failure
from monitor.store.schema import HealthEventRow, ResultRow, SnoozeRow, SourceHealthRow

HOST_PREFIX = "host:"
# SourceHealth fields stored as columns of the same name.
_COLUMNS = tuple(f.name for f in fields(SourceHealth) if f.name not in ("source_id", "health"))


def to_state(source_id: str, row: SourceHealthRow | None) -> SourceHealth:
    """The stored health, or the initial one for a source never folded in."""
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
    source_id: str | None, since: datetime | None, run_id: int | None
) -> Select[HealthEventRow]:
    query = select(HealthEventRow)
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


def apply_run(
    s: Session,
    run_id: int,
    policy: HealthPolicy,
    snoozes: Mapping[str, datetime],
    *,
    after_id: int,
    limit: int,
) -> tuple[int, int, list[HealthEvent]]:
    """Fold up to ``limit`` of the run's results after ``after_id`` into health.

    Returns the last result id seen (``after_id`` when there were none), how many
    results were read, and the events. Results already folded in are skipped, so
    calling this again for the same run changes nothing.
    """
    rows = s.execute(
        select(
            ResultRow.id,
            ResultRow.source_id,
            ResultRow.url,
            ResultRow.checked_at,
            ResultRow.verdict,
            ResultRow.status,
            ResultRow.error_kind,
        )
        .where(
            ResultRow.run_id == run_id,
            ResultRow.source_id.is_not(None),
            ResultRow.id > after_id,
        )
        .order_by(ResultRow.id)
        .limit(limit)
    ).all()
    if not rows:
        return after_id, 0, []
    ids = {r.source_id for r in rows}
    loaded = {
        row.source_id: row
        for row in s.scalars(select(SourceHealthRow).where(SourceHealthRow.source_id.in_(ids)))
    }
    events: list[HealthEvent] = []
    for r in rows:
        source_id: str = r.source_id
        row = loaded.get(source_id)
        if row is not None and row.result_id is not None and row.result_id >= r.id:
            continue
        verdict = Verdict(r.verdict)
        kind = ErrorKind(r.error_kind) if r.error_kind else None
        state, event = advance(
            to_state(source_id, row),
            verdict,
            r.checked_at,
            policy,
            hard=is_hard_failure(verdict, r.status, kind),
            snoozed=is_snoozed(snoozes, source_id, r.url, r.checked_at),
        )
        loaded[source_id] = write_state(
            s, source_id, state, event, row=row, result_id=r.id, run_id=run_id
        )
        if event is not None:
            events.append(event)
    return rows[-1].id, len(rows), events
