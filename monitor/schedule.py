"""When each source is next due, and the one scheduler process that dispatches checks.

APScheduler is only the clock: due times live in our own ``sources`` table, so a
scheduler that was down simply finds everything overdue at its next tick and catches up
in one run (misfires coalesce by construction), and nothing is pickled.
"""

from __future__ import annotations

import logging
import queue
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from filelock import FileLock, Timeout
from sqlalchemy import Engine, text

# While a source is failing but not yet confirmed dead, look again sooner so that the
# dead-after-N-checks rule is decided in days, not weeks; a long-stable source costs its
# host less. Dead sources keep the normal interval so that a recovery is noticed.
SUSPECT_FACTOR = 0.25
STABLE_FACTOR = 2.0
STABLE_AFTER = timedelta(days=30)
MIN_INTERVAL = timedelta(minutes=5)
MAX_INTERVAL = timedelta(days=14)
JITTER = 0.1  # +-10 %: spreads sources that share an interval over time

# pg_try_advisory_lock key: an arbitrary constant naming "the citation monitor scheduler".
ADVISORY_KEY = 0x4C_494E_4B4D_4F4E

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Cadence:
    """What the next interval depends on."""

    interval: timedelta
    health: str | None = None  # healthy, suspect, dead, recovered (None: never checked)
    healthy_for: timedelta | None = None


def next_interval(cadence: Cadence) -> timedelta:
    """The interval before the next check, before jitter."""
    interval = cadence.interval
    if cadence.health == "suspect":
        interval = interval * SUSPECT_FACTOR
    elif (
        cadence.health == "healthy"
        and cadence.healthy_for is not None
        and cadence.healthy_for >= STABLE_AFTER
    ):
        interval = interval * STABLE_FACTOR
    return min(max(interval, MIN_INTERVAL), max(MAX_INTERVAL, cadence.interval))


def next_due(checked_at: datetime, cadence: Cadence, rng: random.Random) -> datetime:
    """When the source is due again: the interval with +-10 % jitter."""
    interval = next_interval(cadence)
    return checked_at + interval * (1 + rng.uniform(-JITTER, JITTER))


class SchedulerLocked(RuntimeError):
    """Another scheduler already runs against this database."""


@contextmanager
def single_scheduler(engine: Engine, lock_dir: Path) -> Iterator[None]:
    """Hold the one-scheduler-per-database lock for the life of the block.

    PostgreSQL: an advisory lock on a connection kept open meanwhile (released by the
    server if the process dies). SQLite: a lock file beside the database.
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            taken = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
            ).scalar()
            if not taken:
                raise SchedulerLocked(
                    "another scheduler is already running against this PostgreSQL database"
                )
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
        return
    lock_dir.mkdir(parents=True, exist_ok=True)
    path = lock_dir / "scheduler.lock"
    lock = FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except Timeout as exc:
        raise SchedulerLocked(
            f"another scheduler is already running against this database (lock file {path})"
        ) from exc
    try:
        yield
    finally:
        lock.release()


def sqlite_lock_dir(engine: Engine, fallback: Path) -> Path:
    """The folder of the SQLite file (so every process using it finds the same lock)."""
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        return Path(database).resolve().parent
    return fallback


def run_scheduler(
    dispatch: Callable[[], object],
    *,
    tick_s: float,
    stop_after: float | None = None,
    on_error: Callable[[Exception], object] | None = None,
) -> None:
    """Run ``dispatch`` now and every ``tick_s`` seconds until interrupted (UTC clock).

    ``dispatch`` runs in the calling thread, not in one of the scheduler's: a signal
    (Ctrl-C, or SIGTERM where the caller turns it into an exception) then lands in the
    run itself, which stops at once and keeps what it has finished. In a thread of its
    own the run would go on to its end, or die with the process. Ticks that come while a
    run goes on start one more run as soon as it ends. An exception from ``dispatch`` is
    passed to ``on_error`` (logged by default) and the next tick runs again.

    ``stop_after`` ends the scheduler after that many seconds (for tests and one-off
    catch-up runs).
    """
    from apscheduler.schedulers.background import BackgroundScheduler

    wakes: queue.SimpleQueue[bool] = queue.SimpleQueue()  # True: a tick; False: stop
    scheduler = BackgroundScheduler(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    scheduler.add_job(
        wakes.put,
        "interval",
        args=(True,),
        seconds=tick_s,
        id="dispatch-due-checks",
        replace_existing=True,
        next_run_time=datetime.now().astimezone(),
    )
    if stop_after is not None:
        scheduler.add_job(
            wakes.put,
            "date",
            args=(False,),
            run_date=datetime.now().astimezone() + timedelta(seconds=stop_after),
            id="stop",
        )
    scheduler.start()
    try:
        while _next_wake(wakes):
            try:
                dispatch()
            except Exception as exc:
                if on_error is None:
                    logger.exception("a scheduled run failed")
                else:
                    on_error(exc)
    finally:
        scheduler.shutdown(wait=False)


def _next_wake(wakes: queue.SimpleQueue[bool]) -> bool:
    """Wait for a tick (True) or the stop (False); ticks already waiting count as one."""
    tick = wakes.get()
    while tick and not wakes.empty():
        tick = wakes.get()
    return tick
