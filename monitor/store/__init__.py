"""Storage of runs, results and per-source state (SQLAlchemy; SQLite or PostgreSQL)."""

from monitor.store.records import (
    CheckPoint,
    HealthFold,
    NewNotification,
    NoticeRecord,
    OutboxEntry,
    OutboxStatus,
    ResultBrief,
    Rollup,
    RunRecord,
    RunStatus,
    Snooze,
    SourceSummary,
    StoredResult,
)
from monitor.store.repository import HealthUpdate, Store

__all__ = [
    "CheckPoint",
    "HealthFold",
    "HealthUpdate",
    "NewNotification",
    "NoticeRecord",
    "OutboxEntry",
    "OutboxStatus",
    "ResultBrief",
    "Rollup",
    "RunRecord",
    "RunStatus",
    "Snooze",
    "SourceSummary",
    "Store",
    "StoredResult",
]
