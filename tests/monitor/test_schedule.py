"""Due times, the dispatch job, the real scheduler loop and the one-scheduler lock."""

from __future__ import annotations

import random
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

import pytest
from pytest_httpserver import HTTPServer

from monitor.jobs import check_sources
from monitor.schedule import (
    Cadence,
    SchedulerLocked,
    next_due,
    next_interval,
    run_scheduler,
    single_scheduler,
)
from monitor.store import Store
from monitor.store import db as database
from monitor.workspace import Workspace
from tests.cli.conftest import write_project

ROOT = Path(__file__).parents[2]
DAY = timedelta(days=1)


def test_suspect_sources_are_checked_sooner_and_stable_ones_later() -> None:
    assert next_interval(Cadence(DAY)) == DAY
    assert next_interval(Cadence(DAY, health="suspect")) == DAY / 4
    assert next_interval(Cadence(DAY, health="healthy", healthy_for=timedelta(days=5))) == DAY
    assert next_interval(Cadence(DAY, health="healthy", healthy_for=timedelta(days=60))) == 2 * DAY
    assert next_interval(Cadence(DAY, health="dead")) == DAY
    assert next_interval(Cadence(timedelta(minutes=10), health="suspect")) == timedelta(minutes=5)


def test_jitter_spreads_due_times_within_ten_percent() -> None:
    rng = random.Random(7)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    dues = [next_due(start, Cadence(DAY), rng) - start for _ in range(200)]
    assert all(0.9 * DAY <= d <= 1.1 * DAY for d in dues)
    assert len(set(dues)) > 150


class Clock:
    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment


def test_dispatch_checks_only_what_is_due(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("<p>a</p>", content_type="text/html")
    httpserver.expect_request("/b").respond_with_data("<p>b</p>", content_type="text/html")
    registry = write_project(
        tmp_path, {"a": httpserver.url_for("/a"), "b": httpserver.url_for("/b")}
    )
    workspace = Workspace.load(registry)
    clock = Clock(datetime(2026, 1, 1, 6, tzinfo=UTC))
    workspace.now = clock
    assert check_sources(workspace).checked == 2
    clock.moment += timedelta(hours=1)
    assert check_sources(workspace).checked == 0
    clock.moment += timedelta(days=2)  # a scheduler that was down catches up in one run
    job = check_sources(workspace)
    assert job.checked == 2
    assert len(workspace.store().runs()) == 3
    assert (tmp_path / "reports" / "index.html").exists()


def test_real_scheduler_ticks_until_stopped() -> None:
    ticks: list[float] = []
    run_scheduler(lambda: ticks.append(time.monotonic()), tick_s=0.2, stop_after=1.1)
    assert len(ticks) >= 3


def test_runs_happen_in_the_calling_thread_and_a_failed_one_does_not_stop_the_next() -> None:
    threads: list[threading.Thread] = []
    failures: list[Exception] = []

    def dispatch() -> None:
        threads.append(threading.current_thread())
        if len(threads) == 1:
            raise RuntimeError("the registry is broken")

    run_scheduler(dispatch, tick_s=0.2, stop_after=0.7, on_error=failures.append)
    assert [str(f) for f in failures] == ["the registry is broken"]
    assert len(threads) >= 2
    # So a signal, which Python delivers to the main thread, interrupts the run itself.
    assert set(threads) == {threading.current_thread()}


def test_an_interrupt_ends_the_scheduler_without_another_run() -> None:
    runs: list[float] = []

    def dispatch() -> None:
        runs.append(time.monotonic())
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_scheduler(dispatch, tick_s=0.1, stop_after=2, on_error=lambda exc: None)
    time.sleep(0.3)
    assert len(runs) == 1


def test_second_scheduler_is_refused_on_sqlite(tmp_path: Path) -> None:
    engine = database.make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    with (
        single_scheduler(engine, tmp_path),
        pytest.raises(SchedulerLocked, match="already"),
        single_scheduler(engine, tmp_path),
    ):
        pass
    with single_scheduler(engine, tmp_path):  # released when the first one ends
        pass


@pytest.mark.postgres
def test_second_scheduler_is_refused_on_postgresql(postgres_url: str) -> None:
    first = Store.open(postgres_url)
    second = Store.open(postgres_url)
    with (
        single_scheduler(first.engine, Path()),
        pytest.raises(SchedulerLocked),
        single_scheduler(second.engine, Path()),
    ):
        pass
    with single_scheduler(second.engine, Path()):
        pass
    first.close()
    second.close()


def test_serve_runs_checks_serves_the_dashboard_and_refuses_a_second_copy(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/a").respond_with_data("<p>a</p>", content_type="text/html")
    registry = write_project(tmp_path, {"a": httpserver.url_for("/a")})
    command = [sys.executable, str(ROOT / "run_monitor.py"), "serve", "--registry", str(registry)]
    first = subprocess.Popen(
        [*command, "--port", "0", "--tick", "0.5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert first.stdout is not None
        url = None
        for line in first.stdout:
            found = re.search(r"Dashboard on (http://\S+)", line)
            if found:
                url = found.group(1)
            if line.startswith("Run "):
                break
        assert url is not None
        with urllib.request.urlopen(url + "api/status.json", timeout=10) as response:
            assert b'"verdict": "ok"' in response.read()
        second = subprocess.run(
            [*command, "--port", "0"], capture_output=True, text=True, timeout=60
        )
        assert second.returncode == 1
        assert "another scheduler is already running" in second.stderr
    finally:
        first.terminate()
        first.wait(timeout=20)


def test_serve_outlives_a_registry_edited_into_an_invalid_state_and_stops_on_ctrl_c(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/a").respond_with_data("<p>a</p>", content_type="text/html")
    registry = write_project(tmp_path, {"a": httpserver.url_for("/a")})
    command = [sys.executable, str(ROOT / "run_monitor.py"), "serve", "--registry", str(registry)]
    running = subprocess.Popen(
        [*command, "--no-web", "--no-archive", "--tick", "0.3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert running.stdout is not None and running.stderr is not None
        assert any(line.startswith("Run ") for line in _lines_until(running.stdout, "Run "))
        valid = registry.read_text()
        registry.write_text(valid.replace("version: 1", "version: 1\nbogus_key: 1"))
        said = list(_lines_until(running.stderr, "error: this run failed"))
        assert any("bogus_key" in line for line in said), said
        assert running.poll() is None
        registry.write_text(valid)  # fixed: the ticks go on reading it
        time.sleep(1)
        assert running.poll() is None
        running.send_signal(signal.SIGINT)
        out, _ = running.communicate(timeout=20)
    finally:
        if running.poll() is None:
            running.kill()
    assert running.returncode == 0
    assert "Stopped." in out


def _lines_until(stream: IO[str], marker: str, timeout_s: float = 30) -> Iterator[str]:
    """Lines of ``stream`` up to the first that holds ``marker``."""
    deadline = time.monotonic() + timeout_s
    for line in stream:
        yield line
        if marker in line or time.monotonic() > deadline:
            return
