"""The notification outbox and the notices it leaves, as methods of the store.

Each method is one committed transaction, so that every step of a delivery (claim,
send, mark) is durable before the next begins; :mod:`monitor.notify.outbox` explains
why that order rules out a message sent twice. The store only records: which rows are
retried, when and how often is decided by the caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Engine, Table, select, update
from sqlalchemy.orm import Session, sessionmaker

from monitor.store.db import insert_for
from monitor.store.records import NewNotification, OutboxEntry, OutboxStatus
from monitor.store.schema import NoticeRow, OutboxRow

RESENT_AFTER_CRASH = (
    "interrupted while sending; sent again under the same key, which the receiver de-duplicates by"
)
UNCONFIRMED_AFTER_CRASH = (
    "interrupted between sending and recording it: it may or may not have arrived, "
    "so it is not sent again; please check with the recipient"
)


class OutboxStore:
    """Outbox methods of :class:`monitor.store.Store`."""

    engine: Engine
    _session: sessionmaker[Session]

    def outbox_add(self, notifications: Iterable[NewNotification], now: datetime) -> list[str]:
        """Add notifications as pending, due at ``now``; the keys actually added.

        A key already in the outbox (whatever its status) is left alone, so adding the
        same run's messages again adds nothing.
        """
        table = OutboxRow.__table__
        assert isinstance(table, Table)
        insert = insert_for(self.engine)
        added: list[str] = []
        with self._session.begin() as s:
            for n in notifications:
                stmt = (
                    insert(table)
                    .values(
                        key=n.key,
                        run_id=n.run_id,
                        owner=n.owner,
                        channel=n.channel,
                        recipient=n.recipient,
                        subject=n.subject,
                        payload=n.payload,
                        sources=list(n.sources),
                        redeliver=n.redeliver,
                        status=OutboxStatus.PENDING.value,
                        attempts=0,
                        next_attempt_at=now,
                        created_at=now,
                    )
                    .on_conflict_do_nothing(index_elements=["key"])
                    .returning(table.c.key)
                )
                # RETURNING yields the row only when it was inserted (rowcount is not
                # reliable for ON CONFLICT DO NOTHING across drivers).
                if s.execute(stmt).first() is not None:
                    added.append(n.key)
        return added

    def outbox_claim_due(self, now: datetime, limit: int = 10) -> list[OutboxEntry]:
        """Move up to ``limit`` pending rows due at ``now`` to ``sending``, committed.

        Each claim counts as an attempt. A row is claimed by one caller only, even with
        several deliveries at once (the status is re-checked in the update; PostgreSQL
        also skips rows another transaction has locked).
        """
        with self._session.begin() as s:
            query = (
                select(OutboxRow.id)
                .where(
                    OutboxRow.status == OutboxStatus.PENDING.value,
                    OutboxRow.next_attempt_at <= now,
                )
                .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
                .limit(limit)
            )
            if self.engine.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            claimed: list[int] = []
            for row_id in s.scalars(query).all():
                done = s.execute(
                    update(OutboxRow)
                    .where(OutboxRow.id == row_id, OutboxRow.status == OutboxStatus.PENDING.value)
                    .values(
                        status=OutboxStatus.SENDING.value,
                        attempts=OutboxRow.attempts + 1,
                        claimed_at=now,
                    )
                    .returning(OutboxRow.id)
                )
                if done.first() is not None:
                    claimed.append(row_id)
            if not claimed:
                return []
            rows = s.scalars(
                select(OutboxRow)
                .where(OutboxRow.id.in_(claimed))
                .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
            )
            return [_entry(r) for r in rows]

    def outbox_mark_sent(self, key: str, now: datetime) -> bool:
        """Record that the message went out, and a notice per source it names.

        False if it was already marked sent. Raises ``KeyError`` for an unknown key.
        """
        notices = NoticeRow.__table__
        assert isinstance(notices, Table)
        insert = insert_for(self.engine)
        with self._session.begin() as s:
            row = _row(s, key)
            if row.status == OutboxStatus.SENT.value:
                return False
            row.status = OutboxStatus.SENT.value
            row.sent_at = now
            row.last_error = None
            for source_id in row.sources:
                stmt = insert(notices).values(
                    owner=row.owner, source_id=source_id, sent_at=now, key=key
                )
                s.execute(
                    stmt.on_conflict_do_update(
                        index_elements=["owner", "source_id"], set_={"sent_at": now, "key": key}
                    )
                )
            return True

    def outbox_mark_failed(
        self, key: str, error: str, *, retry_at: datetime | None
    ) -> OutboxStatus | None:
        """A claimed row failed: pending again from ``retry_at``, or ``failed`` if None.

        Only a row still in ``sending`` changes; the new status, or None if it was not.
        """
        with self._session.begin() as s:
            row = _row(s, key)
            if row.status != OutboxStatus.SENDING.value:
                return None
            row.last_error = error
            if retry_at is None:
                row.status = OutboxStatus.FAILED.value
            else:
                row.status = OutboxStatus.PENDING.value
                row.next_attempt_at = retry_at
            return OutboxStatus(row.status)

    def outbox_mark_unconfirmed(self, key: str, error: str) -> bool:
        """A claimed row may or may not have arrived: ``unconfirmed``, never sent again."""
        with self._session.begin() as s:
            row = _row(s, key)
            if row.status != OutboxStatus.SENDING.value:
                return False
            row.status = OutboxStatus.UNCONFIRMED.value
            row.last_error = error
            return True

    def outbox_recover(
        self, now: datetime, *, stale_after: timedelta = timedelta(0)
    ) -> list[OutboxEntry]:
        """Rows left in ``sending`` by a delivery that stopped: the rows as changed.

        Rows claimed at or before ``now - stale_after`` are taken back: those that may
        be delivered again (``redeliver``) become pending, due at ``now``; the others
        become ``unconfirmed`` and are never sent again.
        """
        cutoff = now - stale_after
        with self._session.begin() as s:
            rows = list(
                s.scalars(
                    select(OutboxRow)
                    .where(
                        OutboxRow.status == OutboxStatus.SENDING.value,
                        OutboxRow.claimed_at <= cutoff,
                    )
                    .order_by(OutboxRow.id)
                )
            )
            for row in rows:
                if row.redeliver:
                    row.status = OutboxStatus.PENDING.value
                    row.next_attempt_at = now
                    row.last_error = RESENT_AFTER_CRASH
                else:
                    row.status = OutboxStatus.UNCONFIRMED.value
                    row.last_error = UNCONFIRMED_AFTER_CRASH
            return [_entry(r) for r in rows]

    def outbox_rows(
        self,
        *,
        run_id: int | None = None,
        status: OutboxStatus | None = None,
        owner: str | None = None,
    ) -> list[OutboxEntry]:
        """Outbox rows, oldest first, filtered by run, status and owner."""
        query = select(OutboxRow).order_by(OutboxRow.id)
        if run_id is not None:
            query = query.where(OutboxRow.run_id == run_id)
        if status is not None:
            query = query.where(OutboxRow.status == status.value)
        if owner is not None:
            query = query.where(OutboxRow.owner == owner)
        with self._session() as s:
            return [_entry(r) for r in s.scalars(query)]

    def last_notice(self, owner: str, source_id: str) -> datetime | None:
        """When a message to ``owner`` about ``source_id`` was last sent, if ever."""
        with self._session() as s:
            row = s.get(NoticeRow, (owner, source_id))
            return row.sent_at if row else None


def _row(s: Session, key: str) -> OutboxRow:
    row = s.scalars(select(OutboxRow).where(OutboxRow.key == key)).first()
    if row is None:
        raise KeyError(key)
    return row


def _entry(row: OutboxRow) -> OutboxEntry:
    return OutboxEntry(
        key=row.key,
        run_id=row.run_id,
        owner=row.owner,
        channel=row.channel,
        recipient=row.recipient,
        subject=row.subject,
        payload=dict(row.payload),
        sources=tuple(row.sources),
        redeliver=row.redeliver,
        status=OutboxStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        created_at=row.created_at,
        claimed_at=row.claimed_at,
        sent_at=row.sent_at,
    )
