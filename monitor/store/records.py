"""Records the store hands out; callers never see ORM rows."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from checks.model import CheckResult


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
class StoredResult:
    id: int
    run_id: int | None
    result: CheckResult
