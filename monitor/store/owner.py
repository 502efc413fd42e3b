"""Who runs a check run, and whether that process is gone.

A run records its owner (this host, this process's id and start time) and refreshes
its last sign of life while it goes on. A run left 'running' is marked interrupted
only once its process is gone: another process checking against the same database at
the same time (``check`` by hand while ``serve`` runs, two CI jobs) leaves it alone.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from pathlib import Path
from types import TracebackType

_log = logging.getLogger(__name__)

# How often a run going on refreshes its sign of life.
RUN_HEARTBEAT_S = 60.0
# A run whose last sign of life is older than this is taken as gone, on any host: a
# run killed on another machine, whose process cannot be looked at from here, is
# recovered then. Well above the heartbeat, so that a slow database or a busy machine
# does not make a live run look gone.
RUN_STALE_S = 15 * 60.0

# /proc/<pid>/stat states of a process that has ended (a zombie waits to be reaped).
_ENDED_STATES = frozenset({"Z", "X"})
_WINDOWS = os.name == "nt"
_HOST_MAX = 100  # the owner column holds 200 characters


@dataclass(frozen=True)
class Owner:
    """A process on a host: ``host:pid`` or ``host:pid:start``."""

    host: str
    pid: int
    # Clock ticks after boot when the process started (/proc/<pid>/stat, field 22),
    # which tells a process apart from a later one given the same pid.
    start: int | None = None

    def __str__(self) -> str:
        tail = f":{self.start}" if self.start is not None else ""
        return f"{self.host}:{self.pid}{tail}"


@dataclass(frozen=True)
class ProcessStat:
    """What /proc tells of a process that exists."""

    state: str
    start: int


def parse_owner(text: str) -> Owner | None:
    """The owner named by ``text``, or None for one this module did not write."""
    parts = text.rsplit(":", 2)
    if len(parts) < 2 or not parts[0] or not all(p.isdigit() for p in parts[1:]):
        return None
    pid = int(parts[1])
    if pid <= 0:  # os.kill would signal a process group
        return None
    return Owner(parts[0], pid, int(parts[2]) if len(parts) == 3 else None)


def parse_stat(text: str) -> ProcessStat | None:
    """State and start time from the text of /proc/<pid>/stat."""
    # The command name (field 2) is in parentheses and may hold spaces and parentheses
    # itself: the fields after it follow the last closing one.
    _, paren, rest = text.rpartition(")")
    fields = rest.split()
    if not paren or len(fields) < 20 or not fields[19].isdigit():
        return None
    return ProcessStat(state=fields[0], start=int(fields[19]))


@functools.cache  # read once: every owner of every run left 'running' is compared to it
def host_key() -> str:
    """This host as owners name it: the host name and, where /proc tells them, a digest
    of this boot and of this process's pid namespace. Two containers sharing a host
    name (host networking) or two machines of the same name are then told apart, and
    a pid is only ever looked up where it means the same process."""
    name = socket.gethostname().replace(":", "_")[:_HOST_MAX] or "localhost"
    marks = [_read("/proc/sys/kernel/random/boot_id"), _pid_namespace()]
    if not any(marks):
        return name
    digest = hashlib.sha256("\n".join(m or "" for m in marks).encode()).hexdigest()[:12]
    return f"{name}#{digest}"


def process_owner(pid: int) -> str:
    """The owner string of the process ``pid`` of this host."""
    found = _stat(pid)
    return str(Owner(host_key(), pid, found.start if found else None))


_this: dict[int, str] = {}


def this_process() -> str:
    """The owner string of this process."""
    pid = os.getpid()
    cached = _this.get(pid)  # a forked child is another process: it makes its own
    if cached is None:
        cached = _this[pid] = process_owner(pid)
    return cached


class Seen(Enum):
    """What this host can tell of a run's owner."""

    ALIVE = "alive"  # a process of this host, the same one beyond doubt (pid and start)
    GONE = "gone"  # a process of this host that has certainly ended
    UNKNOWN = "unknown"  # another host's, or a live pid nothing tells apart


def seen_here(text: str) -> Seen:
    """What this host sees of the owner named by ``text``: /proc is read once."""
    owner = parse_owner(text)
    if owner is None or owner.host != host_key():
        return Seen.UNKNOWN
    if not _exists(owner.pid):
        return Seen.GONE
    found = _stat(owner.pid)
    if found is None:
        return Seen.UNKNOWN  # a process with that pid lives, and nothing tells it apart
    if found.state in _ENDED_STATES or (owner.start is not None and found.start != owner.start):
        return Seen.GONE
    return Seen.ALIVE if owner.start is not None else Seen.UNKNOWN


def abandoned(run_id: int, owner: str | None, alive_at: datetime, now: datetime) -> bool:
    """Whether a run still 'running' was left by a process that is gone, as of ``now``.

    A run of no recorded owner (stored before owners were) is taken as left, as all
    were. A run of this process is left when it no longer goes on here (it failed,
    and the process went on to the next one). A run whose process is found alive on
    this host, the same process beyond doubt (pid and start time), is never left. Any
    other is left once its process on this host has ended, or once its last sign of
    life is older than :data:`RUN_STALE_S` (another host's, or one this host cannot
    tell apart).
    """
    if owner is None:
        return True
    if owner == this_process():
        return run_id not in going_here()
    seen = seen_here(owner)
    if seen is Seen.ALIVE:
        # Beyond doubt its process, so it goes on, however long since its last sign of
        # life: one stopped (Ctrl-Z) or asleep with its machine goes on when woken.
        return False
    return seen is Seen.GONE or now - alive_at > timedelta(seconds=RUN_STALE_S)


# The runs going on in this process, so that one process's stores (a scheduler opens
# one per run) never take its own runs as left. By id alone, whatever the database: a
# process checking two databases at once at worst leaves a run of its own for later.
_going: set[int] = set()
_going_lock = threading.Lock()


def going_here() -> frozenset[int]:
    with _going_lock:
        return frozenset(_going)


class Heartbeat:
    """While a run goes on: its id among those going on in this process, and, with
    ``beat``, its sign of life refreshed every ``interval_s`` (:data:`RUN_HEARTBEAT_S`
    unless given) on a daemon thread of its own.

    The thread holds no lock while it beats, and forked workers get no copy of it: a
    fork never waits on anything the heartbeat holds. A failed beat is logged and
    tried again at the next one; the run itself goes on regardless.
    """

    def __init__(
        self,
        run_id: int,
        beat: Callable[[], None] | None,
        interval_s: float | None = None,
    ) -> None:
        self.run_id = run_id
        self.beat = beat
        self.interval_s = RUN_HEARTBEAT_S if interval_s is None else interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Heartbeat:
        with _going_lock:
            _going.add(self.run_id)
        if self.beat is not None:
            self._thread = threading.Thread(
                target=self._run, name=f"run-{self.run_id}-heartbeat", daemon=True
            )
            self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            # A beat waiting on the database is not waited for: the run's end must not
            # be held up, and a late beat only touches a run still 'running'.
            self._thread.join(timeout=1.0)
        with _going_lock:
            _going.discard(self.run_id)

    def _run(self) -> None:
        assert self.beat is not None
        while not self._stop.wait(self.interval_s):
            try:
                self.beat()
            except Exception:
                _log.warning("could not refresh run %s's sign of life", self.run_id, exc_info=True)


def _exists(pid: int) -> bool:
    if _WINDOWS:
        # Signal 0 is CTRL_C_EVENT there: it would interrupt the process, not probe it.
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, under another user
    return True


def _stat(pid: int) -> ProcessStat | None:
    text = _read(f"/proc/{pid}/stat")
    return parse_stat(text) if text else None


def _pid_namespace() -> str | None:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return None


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
