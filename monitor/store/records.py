"""Records the store hands out; callers never see ORM rows."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from checks.model import CheckResult, Verdict
from monitor.state import Health


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    FINISHED = "finished"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class RunRecord:
    id: int
    started_at: datetime
    finished_at: datetime | None
    status: RunStatus
    inconclusive: bool
    note: str | None
    planned: int
    summary: dict[str, Any] | None


@dataclass(frozen=True)
class HealthFold:
    """What folding a run's results into health did: the last result folded in, the
    number of health events it recorded, and the sources of the results it read."""

    last_result_id: int
    events: int
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class StoredResult:
    id: int
    run_id: int | None
    result: CheckResult


@dataclass(frozen=True)
class ResultBrief:
    """The columns of one result that a source's timeline and drift need, read without
    decoding the whole stored result."""

    id: int
    source_id: str
    run_id: int | None
    checked_at: datetime
    verdict: Verdict
    status: int | None
    elapsed_ms: float | None
    reason: str
    fingerprint: str | None
    # Share of the text kept since the previous fingerprint, as the check recorded it.
    similarity: float | None


@dataclass(frozen=True)
class NoticeRecord:
    """The last message that told an owner about a source."""

    source_id: str
    owner: str
    sent_at: datetime
    channel: str | None
    recipient: str | None
    subject: str | None


@dataclass(frozen=True)
class Snooze:
    """Health waits for ``target`` (a source id, or ``host:<name>``) until ``until``."""

    target: str
    until: datetime
    note: str | None = None


@dataclass(frozen=True)
class CheckPoint:
    """The few columns of one result that timelines and charts need."""

    result_id: int
    checked_at: datetime
    verdict: Verdict
    status: int | None
    elapsed_ms: float | None
    # Taken in a run the monitor judged inconclusive (its own network was down).
    inconclusive_run: bool


@dataclass(frozen=True)
class Rollup:
    """One source's results of one UTC day, after the results themselves expired."""

    source_id: str
    day: date
    checks: int
    good: int
    failing: int
    verdicts: dict[str, int]
    elapsed_ms_sum: float
    timed: int

    @property
    def mean_elapsed_ms(self) -> float | None:
        return self.elapsed_ms_sum / self.timed if self.timed else None


@dataclass(frozen=True)
class SourceMemory:
    """What a source's row keeps between runs for its next check: the URL last synced,
    the validators of its newest answer, and the media type the newest check that read
    a document at that URL was served, with when (None: no such check since the URL
    last named another resource)."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    served_type: str | None = None
    served_type_at: datetime | None = None


@dataclass(frozen=True)
class SourceSummary:
    """One line of the dashboard: a source's health, latest check and recent uptime."""

    source_id: str
    url: str
    title: str | None
    owner: str | None
    removed: bool
    health: Health
    since: datetime | None
    failing_since: datetime | None
    last_success_at: datetime | None
    latest_verdict: Verdict | None
    latest_checked_at: datetime | None
    latest_status: int | None
    last_elapsed_ms: float | None
    # Share of good checks among the conclusive ones over the window (30 days by default).
    uptime: float | None
    snoozed_until: datetime | None


class OutboxStatus(enum.StrEnum):
    """Where a notification is on its way out (see monitor.notify.outbox)."""

    PENDING = "pending"  # waiting for its next attempt
    SENDING = "sending"  # claimed by a delivery; being sent
    SENT = "sent"
    FAILED = "failed"  # given up: attempts used up, or refused for good
    UNCONFIRMED = "unconfirmed"  # may or may not have been sent; never sent again


@dataclass(frozen=True)
class NewNotification:
    """A message to add to the outbox."""

    key: str
    run_id: int | None
    owner: str
    channel: str
    recipient: str
    subject: str
    payload: dict[str, Any]
    # The sources the message tells the owner about (recorded as notices once sent).
    sources: tuple[str, ...] = ()
    # Whether sending it again after a crash is harmless (the receiver de-duplicates).
    redeliver: bool = False


@dataclass(frozen=True)
class OutboxEntry:
    """One outbox row as stored."""

    key: str
    run_id: int | None
    owner: str
    channel: str
    recipient: str
    subject: str
    payload: dict[str, Any]
    sources: tuple[str, ...]
    redeliver: bool
    status: OutboxStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    claimed_at: datetime | None
    sent_at: datetime | None
