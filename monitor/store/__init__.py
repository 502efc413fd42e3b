"""Storage of runs, results and per-source state (SQLAlchemy; SQLite or PostgreSQL)."""

from monitor.store.records import RunRecord, RunStatus, StoredResult
from monitor.store.repository import Store

__all__ = ["RunRecord", "RunStatus", "Store", "StoredResult"]
