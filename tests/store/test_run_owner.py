"""Runs owned by their process, on SQLite and PostgreSQL: a run is marked interrupted
only once the process running it is gone, never while another process (or this one)
still has it under way."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import Row, select, update

from checks.model import CheckResult
from monitor.registry import load_registry
from monitor.registry.model import Registry
from monitor.run import RunOutcome, run_sources
from monitor.settings import check_settings
from monitor.store import RunStatus, Store
from monitor.store import db as database
from monitor.store import owner as owners
from monitor.store.owner import Heartbeat, Owner, ProcessStat
from monitor.store.schema import RunRow
from tests.cli.conftest import write_project
from tests.store.helpers import start_run_before_0005

ROOT = Path(__file__).resolve().parents[2]
T = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
STALE = timedelta(seconds=owners.RUN_STALE_S)
ELSEWHERE = "elsewhere.example.org#0123456789ab:4242:17"

needs_proc = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="process start times come from /proc"
)


def url_of(store: Store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


def run_row(store: Store, run_id: int) -> Row[Any]:
    """The run's row as stored, columns the store's records leave out included."""
    with store.engine.connect() as connection:
        return connection.execute(select(RunRow.__table__).where(RunRow.id == run_id)).one()


def owned(store: Store, owner: str | None, alive_at: datetime | None = T) -> int:
    """A run left 'running', as recorded by ``owner``."""
    run_id = store.start_run(T, 1)
    with store.engine.begin() as connection:
        connection.execute(
            update(RunRow).where(RunRow.id == run_id).values(owner=owner, alive_at=alive_at)
        )
    return run_id


def status(store: Store, run_id: int) -> RunStatus:
    run = store.run(run_id)
    assert run is not None
    return run.status


def check_all(
    registry: Registry, store: Store, on_result: Callable[[CheckResult], None] | None = None
) -> RunOutcome:
    """Every source of ``registry`` checked in one run, in this process."""
    return run_sources(
        registry,
        store,
        registry.sources,
        settings=check_settings(registry.settings),
        on_result=on_result,
    )


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not in time"
        time.sleep(0.01)


@pytest.fixture
def sleeper() -> Iterator[subprocess.Popen[bytes]]:
    """A live process of this host other than this one."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        yield child
    finally:
        child.kill()
        child.wait()


# --- whose run is left -----------------------------------------------------------------

# Starts a run in a process of its own, says its id and sleeps until killed.
_RUNS_AND_SLEEPS = """
import sys, time
from datetime import UTC, datetime
from monitor.store import Store
store = Store.open(sys.argv[1])
print(store.start_run(datetime.now(UTC), 3), flush=True)
time.sleep(60)
"""


def test_a_run_another_live_process_started_is_left_until_that_process_is_gone(
    store: Store,
) -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", _RUNS_AND_SLEEPS, url_of(store)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        run_id = int(process.stdout.readline())
        assert run_row(store, run_id).owner == owners.process_owner(process.pid)
        assert store.mark_interrupted(datetime.now(UTC)) == []
        assert status(store, run_id) is RunStatus.RUNNING
    finally:
        process.kill()
        process.wait()
    assert store.mark_interrupted(datetime.now(UTC)) == [run_id]
    assert status(store, run_id) is RunStatus.INTERRUPTED


def test_a_written_owner_of_a_live_process_keeps_its_run_until_it_is_killed(
    store: Store, sleeper: subprocess.Popen[bytes]
) -> None:
    run_id = owned(store, owners.process_owner(sleeper.pid))
    assert store.mark_interrupted(T + timedelta(minutes=1)) == []
    sleeper.kill()
    sleeper.wait()
    assert store.mark_interrupted(T + timedelta(minutes=2)) == [run_id]
    assert status(store, run_id) is RunStatus.INTERRUPTED


@needs_proc
def test_a_killed_process_not_yet_reaped_is_gone(
    store: Store, sleeper: subprocess.Popen[bytes]
) -> None:
    run_id = owned(store, owners.process_owner(sleeper.pid))
    sleeper.kill()
    # Its parent has not waited for it: the pid still answers, as a zombie's.
    stat = Path(f"/proc/{sleeper.pid}/stat")
    wait_for(lambda: getattr(owners.parse_stat(stat.read_text()), "state", None) == "Z")
    assert store.mark_interrupted(T + timedelta(minutes=1)) == [run_id]


@needs_proc
def test_a_pid_given_to_another_process_since_does_not_keep_the_run(
    store: Store, sleeper: subprocess.Popen[bytes]
) -> None:
    live = owners.parse_owner(owners.process_owner(sleeper.pid))
    assert live is not None and live.start is not None
    # The run's process had the pid the sleeper has now, and started at another time.
    earlier = Owner(live.host, live.pid, live.start - 1)
    run_id = owned(store, str(earlier))
    assert store.mark_interrupted(T + timedelta(minutes=1)) == [run_id]


@needs_proc
def test_a_stopped_process_of_this_host_keeps_its_run_however_long_it_is_silent(
    store: Store, sleeper: subprocess.Popen[bytes]
) -> None:
    # Stopped (Ctrl-Z), or asleep with its machine: its heartbeat is silent, and the
    # run goes on once it is woken.
    run_id = owned(store, owners.process_owner(sleeper.pid), alive_at=T)
    sleeper.send_signal(signal.SIGSTOP)
    try:
        assert store.mark_interrupted(T + 4 * STALE) == []
        assert status(store, run_id) is RunStatus.RUNNING
    finally:
        sleeper.send_signal(signal.SIGCONT)
    sleeper.kill()
    sleeper.wait()
    # Gone now: marked at once, not only once its sign of life is stale.
    assert store.mark_interrupted(T + timedelta(minutes=1)) == [run_id]


def test_a_run_of_another_host_is_left_until_its_sign_of_life_is_stale(store: Store) -> None:
    run_id = owned(store, ELSEWHERE, alive_at=T)
    assert store.mark_interrupted(T + STALE - timedelta(minutes=1)) == []
    # A sign of life pushes the moment it is taken as gone back.
    store.run_alive(run_id, T + timedelta(minutes=10))
    assert store.mark_interrupted(T + STALE + timedelta(minutes=1)) == []
    assert status(store, run_id) is RunStatus.RUNNING
    assert store.mark_interrupted(T + timedelta(minutes=10) + STALE + timedelta(seconds=1)) == [
        run_id
    ]
    assert status(store, run_id) is RunStatus.INTERRUPTED


def test_a_process_of_another_pid_namespace_is_of_another_host() -> None:
    """A pid means nothing in another pid namespace (a container sharing the host's
    name): its owners are never looked up here, only their sign of life counts."""
    unshare = shutil.which("unshare")
    if unshare is None or not Path("/proc/self/ns/pid").exists():
        pytest.skip("needs unshare and /proc")
    said = subprocess.run(
        [unshare, "--pid", "--fork", sys.executable, "-c", _SAYS_ITS_OWNER],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if said.returncode != 0:
        pytest.skip(f"no pid namespace could be made here: {said.stderr.strip()}")
    there = owners.parse_owner(said.stdout.strip())
    assert there is not None and there.pid == 1
    assert there.host.split("#")[0] == owners.host_key().split("#")[0] == socket.gethostname()
    assert there.host != owners.host_key()
    # Pid 1 of that namespace is not this one's: the run is left, not judged by it.
    assert owners.seen_here(str(there)) is owners.Seen.UNKNOWN


_SAYS_ITS_OWNER = "from monitor.store import owner; print(owner.this_process())"


def test_a_run_of_no_owner_is_marked_as_before(store: Store) -> None:
    run_id = owned(store, None, alive_at=None)
    assert store.mark_interrupted(T + timedelta(minutes=1)) == [run_id]


def test_a_sign_of_life_touches_only_a_run_still_running(store: Store) -> None:
    run_id = owned(store, None, alive_at=None)
    store.mark_interrupted(T)
    store.run_alive(run_id, T + timedelta(minutes=1))
    assert run_row(store, run_id).alive_at is None


def test_a_run_going_on_in_this_process_is_left_by_its_other_stores(store: Store) -> None:
    other = Store.open(url_of(store))
    try:
        run_id = store.start_run(T, 1)
        with Heartbeat(run_id, None):
            # However long ago its sign of life: it goes on here.
            assert other.mark_interrupted(T + 2 * STALE) == []
        # Left unfinished when it stopped (a failed run): the process went on without it.
        assert other.mark_interrupted(T + timedelta(minutes=1)) == [run_id]
    finally:
        other.close()


# --- the heartbeat -----------------------------------------------------------------


def test_the_heartbeat_refreshes_the_sign_of_life_until_it_stops(store: Store) -> None:
    run_id = store.start_run(T, 1)
    clock = iter(T + timedelta(minutes=n) for n in range(1, 100_000))

    def beat() -> None:
        store.run_alive(run_id, next(clock))

    with Heartbeat(run_id, beat, interval_s=0.01):
        assert run_id in owners.going_here()
        wait_for(lambda: (run_row(store, run_id).alive_at or T) >= T + timedelta(minutes=3))
    assert run_id not in owners.going_here()
    assert not [t for t in threading.enumerate() if t.name == f"run-{run_id}-heartbeat"]
    stopped = run_row(store, run_id).alive_at
    time.sleep(0.1)
    assert run_row(store, run_id).alive_at == stopped


def test_a_failed_beat_does_not_stop_the_heartbeat() -> None:
    beats: list[int] = []

    def beat() -> None:
        beats.append(1)
        if len(beats) == 1:
            raise RuntimeError("the database is away")

    with Heartbeat(-1, beat, interval_s=0.01):
        wait_for(lambda: len(beats) >= 3)


def test_a_run_refreshes_its_sign_of_life_and_another_store_leaves_it_alone(
    store: Store,
    tmp_path: Path,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(owners, "RUN_HEARTBEAT_S", 0.01)
    httpserver.expect_request("/a").respond_with_data("<p>a</p>", content_type="text/html")
    registry = load_registry(write_project(tmp_path, {"a": httpserver.url_for("/a")}))
    other = Store.open(url_of(store))
    seen: dict[str, object] = {}

    def on_result(result: CheckResult) -> None:
        run = store.last_run()
        assert run is not None
        wait_for(lambda: (run_row(store, run.id).alive_at or T) > run.started_at)
        seen["marked"] = other.mark_interrupted(datetime.now(UTC) + 2 * STALE)

    try:
        outcome = check_all(registry, store, on_result)
    finally:
        other.close()
    assert seen["marked"] == []
    assert status(store, outcome.run_id) is RunStatus.FINISHED


def test_a_run_in_a_database_of_this_process_alone_has_no_heartbeat_thread(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another thread would reach another, empty database (SQLite keeps one in memory
    per connection): no process but this one can see the run anyway."""
    monkeypatch.setattr(owners, "RUN_HEARTBEAT_S", 0.01)
    httpserver.expect_request("/a").respond_with_data("<p>a</p>", content_type="text/html")
    registry = load_registry(write_project(tmp_path, {"a": httpserver.url_for("/a")}))
    store = Store.open("sqlite://")
    seen: list[list[str]] = []

    def on_result(result: CheckResult) -> None:
        time.sleep(0.1)
        seen.append([t.name for t in threading.enumerate() if t.name.endswith("-heartbeat")])
        # It goes on here all the same.
        seen.append([str(i) for i in owners.going_here()])

    try:
        outcome = check_all(registry, store, on_result)
    finally:
        store.close()
    assert seen == [[], [str(outcome.run_id)]]


def test_a_run_that_failed_is_marked_by_the_next_in_the_same_process(
    store: Store, tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/a").respond_with_data("<p>a</p>", content_type="text/html")
    registry = load_registry(write_project(tmp_path, {"a": httpserver.url_for("/a")}))

    def on_result(result: CheckResult) -> None:
        raise RuntimeError("the run broke here")

    with pytest.raises(RuntimeError, match="the run broke here"):
        check_all(registry, store, on_result)
    [failed] = store.runs()
    assert failed.status is RunStatus.RUNNING
    next_run = check_all(registry, store)
    assert [r.status for r in store.runs()] == [RunStatus.INTERRUPTED, RunStatus.FINISHED]
    assert next_run.run_id != failed.id


# --- owner strings -------------------------------------------------------------------


def test_owner_strings_round_trip() -> None:
    assert owners.parse_owner(str(Owner("box#ab12", 42, 1234))) == Owner("box#ab12", 42, 1234)
    assert owners.parse_owner(str(Owner("box", 42))) == Owner("box", 42, None)
    for foreign in ("", "box", "box:", ":42", "box:0:5", "box:-3", "box:x:5", "box:4:5:6:x"):
        assert owners.parse_owner(foreign) is None, foreign


def test_this_process_is_its_own_owner() -> None:
    mine = owners.parse_owner(owners.this_process())
    assert mine is not None and mine.host == owners.host_key()
    assert mine == owners.parse_owner(owners.process_owner(os.getpid()))


def test_a_stat_line_is_read_after_the_command_name() -> None:
    # A command name may hold spaces and parentheses.
    fields = " ".join(str(n) for n in range(4, 30))
    line = f"123 (a) b (c) S {fields}"
    assert owners.parse_stat(line) == ProcessStat("S", 22)
    assert owners.parse_stat("123 (short) S 1 2") is None


# --- the migration -------------------------------------------------------------------


def test_a_run_left_running_at_0004_is_marked_after_the_upgrade(database_url: str) -> None:
    engine = database.make_engine(database_url)
    try:
        database.upgrade(engine, "0004")
        start_run_before_0005(engine, T, 2)
        database.upgrade(engine)
        assert database.current_revision(engine) == database.HEAD_REVISION
        store = Store(engine)
        [run] = store.runs()
        row = run_row(store, run.id)
        assert (row.owner, row.alive_at) == (None, None)
        assert store.mark_interrupted(T + timedelta(minutes=1)) == [run.id]
        # Runs started from now on are owned.
        assert run_row(store, store.start_run(T, 1)).owner == owners.this_process()
    finally:
        engine.dispose()


def test_pids_are_not_probed_with_signal_0_on_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    # Signal 0 is CTRL_C_EVENT there: the probe would interrupt the process.
    def no_signal(pid: int, signal_number: int) -> None:
        raise AssertionError(f"signal {signal_number} sent to {pid}")

    monkeypatch.setattr(owners.os, "kill", no_signal)
    monkeypatch.setattr(owners, "_WINDOWS", True)
    assert owners._exists(4242)
