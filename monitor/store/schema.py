"""Database tables. Only ``monitor.store`` imports SQLAlchemy.

Changes to these tables go through an Alembic migration in ``migrations/versions``.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from checks.content.normalise import whole_characters


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite keeps no zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use UTC-aware datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


def storable_text(value: str) -> str:
    """``value`` as every backend can hold it. PostgreSQL refuses a NUL character in
    text, which a served page, a PDF's text or a broken server's headers can bring (the
    whole transaction fails, and every result written with it); UTF-8, and thus both
    backends, cannot hold half of a UTF-16 surrogate pair. Either becomes U+FFFD, as an
    HTML parser makes of a NUL."""
    if "\x00" in value:
        value = value.replace("\x00", "\ufffd")
    # Halves that belong together are joined again; a half alone is replaced.
    return whole_characters(value)


class StoredText(TypeDecorator[str]):
    """Text from outside (pages, servers, the registry), stored as the database can
    hold it (:func:`storable_text`) on every backend alike."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else storable_text(value)


class Validator(TypeDecorator[str]):
    """An ETag or Last-Modified value, sent back as it came in the next request: one the
    database cannot hold exactly is not stored at all (a changed one would be a wrong
    validator, and one that is not Latin-1 cannot even be sent); the next check is then
    an unconditional request."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None or storable_text(value) != value:
            return None
        return value


class CacheKey(TypeDecorator[str]):
    """An archive lookup key, which holds the cited URL: one longer than the column
    (URLs of several KB are cited) is stored as its SHA-256 digest, as PostgreSQL
    refuses the whole key. Keys are only ever looked up, never read back."""

    impl = String
    cache_ok = True

    def __init__(self, length: int) -> None:
        super().__init__(length)
        self.length = length

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None or len(value) <= self.length:
            return value
        digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
        return f"sha256:{digest}"


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
    }


class RunRow(Base):
    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    # running, finished, interrupted; see monitor.store.RunStatus
    status: Mapped[str] = mapped_column(String(16))
    inconclusive: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(StoredText)
    planned: Mapped[int] = mapped_column(Integer, default=0)
    summary: Mapped[dict[str, Any] | None]
    # Added by migration 0005, hence after the rest. The process running it
    # (monitor.store.owner), and when it last showed it was alive: a run is marked
    # interrupted only once its process is gone. None on runs stored before.
    owner: Mapped[str | None] = mapped_column(String(200))
    alive_at: Mapped[datetime | None]


class SourceRow(Base):
    """A registry source as last synced, plus per-source state kept between runs."""

    __tablename__ = "sources"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    url: Mapped[str] = mapped_column(StoredText)
    title: Mapped[str | None] = mapped_column(StoredText)
    owner: Mapped[str | None] = mapped_column(String(200))
    first_seen: Mapped[datetime]
    removed_at: Mapped[datetime | None]
    next_due_at: Mapped[datetime | None]
    etag: Mapped[str | None] = mapped_column(Validator)
    last_modified: Mapped[str | None] = mapped_column(Validator)
    last_result_id: Mapped[int | None] = mapped_column(Integer)
    # Added by migration 0006, hence after the rest. The media type of the newest check
    # that read a document at the source's URL (as its body showed it), and when: a
    # source citing no type is expected to go on serving a PDF it served. Kept here so
    # that planning a run reads no results; cleared when the URL names another resource.
    served_type: Mapped[str | None] = mapped_column(StoredText)
    served_type_at: Mapped[datetime | None]


class ResultRow(Base):
    __tablename__ = "results"
    __table_args__ = (
        UniqueConstraint("run_id", "source_id", name="uq_results_run_source"),
        Index("ix_results_source_checked", "source_id", "checked_at"),
        # Retention finds old results across every source by time.
        Index("ix_results_checked", "checked_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    source_id: Mapped[str | None] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(StoredText)
    checked_at: Mapped[datetime]
    verdict: Mapped[str] = mapped_column(String(24))
    reason: Mapped[str] = mapped_column(StoredText)
    status: Mapped[int | None] = mapped_column(Integer)
    final_url: Mapped[str | None] = mapped_column(StoredText)
    elapsed_ms: Mapped[float | None] = mapped_column(Float)
    bytes_read: Mapped[int] = mapped_column(Integer, default=0)
    fingerprint: Mapped[str | None] = mapped_column(StoredText)
    error_kind: Mapped[str | None] = mapped_column(String(32))
    archive_status: Mapped[str | None] = mapped_column(String(16))
    # The whole CheckResult as JSON, so reports can show every detail.
    data: Mapped[dict[str, Any]]


class ArchiveCacheRow(Base):
    __tablename__ = "archive_cache"

    key: Mapped[str] = mapped_column(CacheKey(500), primary_key=True)
    value: Mapped[str] = mapped_column(StoredText)
    expires_at: Mapped[datetime]


class SourceHealthRow(Base):
    """A source's health (monitor.state.SourceHealth), kept between runs."""

    __tablename__ = "source_health"
    __table_args__ = (Index("ix_source_health_health", "health"),)

    source_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    health: Mapped[str] = mapped_column(String(16))
    since: Mapped[datetime | None]
    failing_since: Mapped[datetime | None]
    failures: Mapped[int] = mapped_column(Integer, default=0)
    hard_failures: Mapped[int] = mapped_column(Integer, default=0)
    first_failure_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_checked_at: Mapped[datetime | None]
    good_streak: Mapped[int] = mapped_column(Integer, default=0)
    uncertain_streak: Mapped[int] = mapped_column(Integer, default=0)
    # The newest result folded into this state, so that no result is applied twice.
    result_id: Mapped[int | None] = mapped_column(Integer)
    # Added by migration 0004, hence after the rest.
    first_hard_failure_at: Mapped[datetime | None]


class HealthEventRow(Base):
    __tablename__ = "health_events"
    __table_args__ = (
        Index("ix_health_events_source_at", "source_id", "at"),
        Index("ix_health_events_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]
    previous: Mapped[str] = mapped_column(String(16))
    health: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(StoredText)
    run_id: Mapped[int | None] = mapped_column(Integer)
    result_id: Mapped[int | None] = mapped_column(Integer)


class SnoozeRow(Base):
    """Health waits for a source, or every source on a host, until a time."""

    __tablename__ = "snoozes"

    # A source id, or ``host:<name>`` for a host and its subdomains.
    target: Mapped[str] = mapped_column(String(300), primary_key=True)
    until: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(StoredText)


class ResultRollupRow(Base):
    """One source's results of one UTC day, kept after the results themselves expire."""

    __tablename__ = "result_rollups"

    source_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    checks: Mapped[int] = mapped_column(Integer)
    # Good and failing checks of conclusive runs; the rest were uncertain or taken
    # while the monitor's own network was down.
    good: Mapped[int] = mapped_column(Integer)
    failing: Mapped[int] = mapped_column(Integer)
    verdicts: Mapped[dict[str, Any]]
    # Sum and count rather than a mean, so that rollups of one day can be merged.
    elapsed_ms_sum: Mapped[float] = mapped_column(Float)
    timed: Mapped[int] = mapped_column(Integer)


class OutboxRow(Base):
    """One notification to deliver (monitor.notify): written before it is sent."""

    __tablename__ = "notification_outbox"
    __table_args__ = (
        UniqueConstraint("key", name="uq_notification_outbox_key"),
        Index("ix_notification_outbox_due", "status", "next_attempt_at"),
        Index("ix_notification_outbox_run", "run_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Owner, channel and run: stable, so composing a run again adds nothing, and used
    # as the webhook-id that receivers de-duplicate by.
    key: Mapped[str] = mapped_column(String(300))
    run_id: Mapped[int | None] = mapped_column(Integer)
    owner: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(StoredText)
    subject: Mapped[str] = mapped_column(StoredText)
    payload: Mapped[dict[str, Any]]
    # Source ids the message is about; each gets a notice row once it is sent.
    sources: Mapped[list[str]] = mapped_column(JSON)
    # Whether sending again after a crash is harmless (the receiver de-duplicates).
    redeliver: Mapped[bool] = mapped_column(Boolean)
    # pending, sending, sent, failed, unconfirmed; see monitor.store.OutboxStatus
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(StoredText)
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]


class NoticeRow(Base):
    """When an owner was last told about a source (for reminders)."""

    __tablename__ = "notification_notices"

    owner: Mapped[str] = mapped_column(String(200), primary_key=True)
    source_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    sent_at: Mapped[datetime]
    # The outbox key of the message that told them.
    key: Mapped[str] = mapped_column(String(300))
