"""Forked workers share memory with the process that started them."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from monitor.forks import Forked, ForkedError, frozen_heap


def test_objects_are_frozen_while_workers_share_them_and_let_go_after() -> None:
    before = gc.get_freeze_count()
    with frozen_heap():
        assert gc.get_freeze_count() > before
    assert gc.get_freeze_count() == 0
    with pytest.raises(RuntimeError), frozen_heap():
        raise RuntimeError("a run that fails")
    assert gc.get_freeze_count() == 0


def test_blocks_nest_and_the_outermost_lets_go() -> None:
    with frozen_heap():
        with frozen_heap():
            pass
        # The inner block ending must not let go of what the outer still shares.
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_forked_work_runs_in_another_process_while_this_one_goes_on(tmp_path: Path) -> None:
    started = tmp_path / "started"
    release = tmp_path / "release"
    done = tmp_path / "done"

    def work() -> None:
        started.write_text(str(os.getpid()))
        while not release.exists():
            time.sleep(0.01)
        done.write_text("written")

    forked = Forked(work)
    _wait_for(started)
    # The fork waits for this process, which therefore went on after starting it.
    assert int(started.read_text()) != os.getpid()
    assert gc.get_freeze_count() > 0  # what both share stays unwritten meanwhile
    release.touch()
    forked.wait()
    assert done.read_text() == "written"
    assert gc.get_freeze_count() == 0
    forked.wait()  # waiting again is harmless


def test_a_failure_in_forked_work_is_raised_with_its_traceback() -> None:
    def work() -> None:
        raise ValueError("the report could not be written")

    forked = Forked(work)
    with pytest.raises(ForkedError) as raised:
        forked.wait()
    assert str(raised.value) == "ValueError: the report could not be written"
    assert "Traceback" in raised.value.__notes__[0] and "in work" in raised.value.__notes__[0]
    assert gc.get_freeze_count() == 0


def test_forked_work_that_dies_without_a_word_is_a_failure() -> None:
    forked = Forked(lambda: os._exit(3))
    with pytest.raises(ForkedError, match="exited with code 3"):
        forked.wait()


def test_without_fork_the_work_is_done_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    pids: list[int] = []
    forked = Forked(lambda: pids.append(os.getpid()))
    assert pids == [os.getpid()]
    forked.wait()
    assert gc.get_freeze_count() == 0


def _wait_for(path: Path, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.01)


def test_stopping_ends_the_work_without_a_word(tmp_path: Path) -> None:
    started = tmp_path / "started"

    def work() -> None:
        started.write_text(str(os.getpid()))
        time.sleep(30)
        raise AssertionError("never reached")

    forked = Forked(work)
    _wait_for(started)
    began = time.monotonic()
    forked.stop()
    assert time.monotonic() - began < 10
    assert gc.get_freeze_count() == 0
    forked.wait()  # nothing left to say


def test_as_a_block_it_waits_or_stops_with_the_block(tmp_path: Path) -> None:
    done = tmp_path / "done"
    with Forked(lambda: done.write_text("written")):
        pass
    assert done.read_text() == "written"
    started = tmp_path / "started"

    def slow() -> None:
        started.touch()
        time.sleep(30)

    with pytest.raises(KeyError), Forked(slow):
        _wait_for(started)
        raise KeyError("this process failed first")
    assert gc.get_freeze_count() == 0


def test_an_interrupt_is_left_to_the_process_that_started_the_work(tmp_path: Path) -> None:
    started, release, done = tmp_path / "started", tmp_path / "release", tmp_path / "done"

    def work() -> None:
        started.write_text(str(os.getpid()))
        while not release.exists():
            time.sleep(0.01)
        done.touch()

    forked = Forked(work)
    _wait_for(started)
    os.kill(int(started.read_text()), signal.SIGINT)
    release.touch()
    forked.wait()
    assert done.exists()


# A process that starts forked work of each kind, each writing its process id into the
# folder given and then working on, and that waits for them until it is killed.
_KILLED_WITH_WORK_UNDER_WAY = """
import os, sys, threading, time
from pathlib import Path
from monitor.dashboard.forked import map_shares
from monitor.fanout import check_in_processes
from monitor.forks import Forked

folder = Path(sys.argv[1])

def working(name):
    (folder / f"{name}.{os.getpid()}").touch()
    time.sleep(60)

def pages(take, forked):
    if forked:
        take()
        working("pages")
    return []

def checks(share, threads):
    working("checks")
    return iter(())

class Target:
    def __init__(self, n):
        self.url = f"https://site{n}.org/"

reports = Forked(lambda: working("reports"))
threading.Thread(target=map_shares, args=(pages, [1, 2], 2), daemon=True).start()
list(check_in_processes([Target(n) for n in range(4)], checks, processes=2, concurrency=2))
"""


def test_forked_work_ends_soon_after_the_process_that_started_it_is_killed(
    tmp_path: Path,
) -> None:
    started = subprocess.Popen(
        [sys.executable, "-c", _KILLED_WITH_WORK_UNDER_WAY, str(tmp_path)],
        cwd=Path(__file__).parents[2],
    )
    try:
        deadline = time.monotonic() + 30
        while len(list(tmp_path.iterdir())) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        kinds = sorted(p.name.split(".")[0] for p in tmp_path.iterdir())
        assert kinds == ["checks", "checks", "pages", "reports"]
    finally:
        started.kill()
        started.wait()
    pids = [int(p.name.split(".")[1]) for p in tmp_path.iterdir()]
    deadline = time.monotonic() + 5
    while any(_running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in pids if _running(pid)]


def _running(pid: int) -> bool:
    """Whether ``pid`` is a live process (an exited one not yet reaped is not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")
