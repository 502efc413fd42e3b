"""The command as a process: when it exits, the database file holds the whole run."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import pytest
from pytest_httpserver import HTTPServer

from tests.cli.conftest import write_project
from tests.monitor.loopback import QuietHandler, serving

ROOT = Path(__file__).parents[2]


def test_a_finished_check_leaves_its_results_in_the_database_file(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/report").respond_with_data(
        "<html><body><main><p>The report.</p></main></body></html>", content_type="text/html"
    )
    httpserver.expect_request("").respond_with_data("no", status=404)
    registry = write_project(tmp_path, {"report": httpserver.url_for("/report")})
    command = [sys.executable, str(ROOT / "run_monitor.py"), "check", "--all"]
    done = subprocess.run(
        [*command, "--no-archive", "--registry", str(registry)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    database = tmp_path / "monitor.db"
    # SQLite's write-ahead log was written back and removed as the store was closed:
    # the database file alone holds the run (a copy of it is a whole backup).
    assert not Path(f"{database}-wal").exists()
    copy = tmp_path / "copy.db"
    copy.write_bytes(database.read_bytes())
    with sqlite3.connect(copy) as connection:
        (verdict,) = connection.execute("SELECT verdict FROM results").fetchone()
    assert verdict == "ok"


class _FastThenSlow(QuietHandler):
    """Every page at once but ``/slow``, which takes ten seconds; records the pages it
    answered."""

    answered: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(10)
        self.send_page(200, b"<html><body><main><p>The report.</p></main></body></html>")
        _FastThenSlow.answered.append(self.path)


def _stopped_with(
    tmp_path: Path, processes: int, command: list[str], stop: Callable[[int], None]
) -> tuple[subprocess.Popen[str], str, float, set[str]]:
    """``command`` run as a process of its own group on six fast pages and a slow one,
    stopped by ``stop(pid)`` once the fast ones are answered: the process, its error
    output, the seconds it took to exit, and the ids of the fast pages."""
    _FastThenSlow.answered.clear()
    with serving(_FastThenSlow, ("127.0.0.1",)) as (base,):
        finished = {f"r{n}": f"{base}/r{n}" for n in range(6)}
        registry = write_project(
            tmp_path,
            finished | {"slow": f"{base}/slow"},
            extra_settings=f"  processes: {processes}\n",
        )
        arguments = [*command, "--no-archive", "--registry", str(registry)]
        running = subprocess.Popen(
            [sys.executable, str(ROOT / "run_monitor.py"), *arguments],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # a group of its own, as a terminal's job is
        )
        pages = {f"/{source_id}" for source_id in finished}
        deadline = time.monotonic() + 60
        while not pages <= set(_FastThenSlow.answered) and time.monotonic() < deadline:
            time.sleep(0.02)
        # The fast pages are in; their results wait to be written together, and the
        # slow one is still being answered.
        time.sleep(0.3)
        stop(running.pid)
        stopped_at = time.monotonic()
        _, stderr = running.communicate(timeout=60)
        return running, stderr, time.monotonic() - stopped_at, set(finished)


def _stored(tmp_path: Path) -> tuple[set[str], str]:
    """The sources with a stored result, and the run's status."""
    with sqlite3.connect(tmp_path / "monitor.db") as connection:
        stored = {row[0] for row in connection.execute("SELECT source_id FROM results")}
        (status,) = connection.execute("SELECT status FROM runs").fetchone()
    return stored, status


@pytest.mark.parametrize("processes", [1, 2])
@pytest.mark.parametrize(
    "command", [["check", "--all"], ["serve", "--no-web"]], ids=["check", "serve"]
)
def test_a_terminated_check_keeps_what_it_finished_and_leaves_at_once(
    tmp_path: Path, processes: int, command: list[str]
) -> None:
    running, stderr, took, finished = _stopped_with(
        tmp_path, processes, command, lambda pid: os.kill(pid, signal.SIGTERM)
    )
    assert running.returncode == 128 + signal.SIGTERM, stderr
    # It did not wait out the slow page (a worker process that took the signal as its
    # parent does would have waited for it too).
    assert took < 4, took
    stored, status = _stored(tmp_path)
    # Every finished result is kept (a worker process sends what it has within a
    # moment, without waiting for its next result), and the run is left unfinished for
    # the next start to mark interrupted.
    assert finished <= stored
    assert status == "running"


@pytest.mark.parametrize("processes", [1, 2])
def test_ctrl_c_keeps_what_the_check_finished_and_exits_130_at_once(
    tmp_path: Path, processes: int
) -> None:
    # Ctrl-C reaches every process of the terminal's group: the workers too.
    running, stderr, took, finished = _stopped_with(
        tmp_path, processes, ["check", "--all"], lambda pid: os.killpg(pid, signal.SIGINT)
    )
    # 130, as a shell reports a command that Ctrl-C ended: not 1, a failure of its own.
    assert running.returncode == 128 + signal.SIGINT, stderr
    assert "Interrupted." in stderr
    assert "Aborted!" not in stderr and "Traceback" not in stderr
    assert took < 4, took  # the slow page is not waited for
    stored, status = _stored(tmp_path)
    assert finished <= stored
    assert status == "running"  # left for the next run to mark interrupted
