"""A monitor over time: health through runs, and a killed run losing nothing."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Response

from checks.model import CheckResult
from monitor.registry import load_registry
from monitor.run import run_sources
from monitor.settings import check_settings
from monitor.state import Health
from monitor.store import RunStatus, Store
from tests.cli.conftest import write_project
from tests.monitor.loopback import QuietHandler, serving

ROOT = Path(__file__).parents[2]


class Clock:
    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment


def test_a_source_is_dead_only_after_failing_over_days(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    httpserver.expect_request("/ok").respond_with_data("<p>fine</p>", content_type="text/html")
    registry = load_registry(
        write_project(
            tmp_path,
            {"gone": httpserver.url_for("/gone"), "ok": httpserver.url_for("/ok")},
            extra_settings="  health: {hard_dead_after_checks: 3, hard_dead_after_days: 3}\n",
        )
    )
    store = Store.open(registry.settings.database, tmp_path)
    clock = Clock(datetime(2026, 1, 1, 6, tzinfo=UTC))
    settings = check_settings(registry.settings)
    states = []
    for _day in range(4):
        run_sources(registry, store, registry.sources, settings=settings, now=clock)
        states.append(store.health("gone").health)
        clock.moment += timedelta(days=1, minutes=5)
    assert states == [Health.SUSPECT, Health.SUSPECT, Health.SUSPECT, Health.DEAD]
    assert store.health("ok").health is Health.HEALTHY
    events = [e for e in store.events("gone") if not e.first_sight]
    assert [e.health for e in events] == [Health.SUSPECT, Health.DEAD]


class SlowPages(QuietHandler):
    def do_GET(self) -> None:
        time.sleep(0.15)
        page = self.path.rsplit("/", 1)[-1]
        # Only the cited pages exist, so the catch-all probe sees a real 404.
        found = page.isdigit()
        body = f"<html><p>page {page}</p></html>".encode() if found else b"not found"
        self.send_page(200 if found else 404, body)


@pytest.fixture
def slow_server() -> Iterator[str]:
    with serving(SlowPages, ("127.0.0.1",)) as (base,):
        yield base


def start_check(registry: Path, cwd: Path, *options: str) -> subprocess.Popen[bytes]:
    """``run_monitor.py check`` on ``registry`` as its own process."""
    command = [sys.executable, str(ROOT / "run_monitor.py"), "check", "--registry", str(registry)]
    return subprocess.Popen(
        [*command, *options], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def wait_for_results(db: Path, count: int, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and len(results_in(db)) < count:
        time.sleep(0.05)


def results_in(db: Path) -> list[tuple[int, str]]:
    try:
        with sqlite3.connect(db) as connection:
            query = "SELECT run_id, source_id FROM results ORDER BY id"
            return connection.execute(query).fetchall()
    except sqlite3.OperationalError:  # not migrated yet
        return []


def test_killed_run_keeps_its_results_and_the_next_run_finishes_the_rest(
    tmp_path: Path, slow_server: str
) -> None:
    urls = {f"s{i:02d}": f"{slow_server}/page/{i}" for i in range(40)}
    registry = write_project(tmp_path, urls)
    options = ("--concurrency", "2", "--per-host", "2")
    process = start_check(registry, tmp_path, *options)
    db = tmp_path / "monitor.db"
    wait_for_results(db, 5)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    first = results_in(db)
    assert 5 <= len(first) < 40, process.stderr.read() if process.stderr else ""

    finishing = start_check(registry, tmp_path, *options)
    _, errors = finishing.communicate(timeout=120)
    assert finishing.returncode == 0, errors.decode()
    rows = results_in(db)
    assert rows[: len(first)] == first, "finished results survive the kill"
    sources = [source for _run, source in rows]
    assert sorted(sources) == sorted(urls), "every source once: none lost, none duplicated"
    store = Store.open(f"sqlite:///{db}")
    runs = store.runs()
    assert [r.status for r in runs] == [RunStatus.INTERRUPTED, RunStatus.FINISHED]
    assert store.health("s00").health is Health.HEALTHY


def test_changed_text_is_recorded_as_drift_even_when_the_claim_is_found(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    page = (
        "<html><body><main><p>{intro}</p>"
        "<p>About 100,000 children are affected.</p></main></body></html>"
    )
    text = {"intro": "A study of the county published in spring."}
    httpserver.expect_request("/study").respond_with_handler(
        lambda request: Response(page.format(**text), content_type="text/html")
    )
    registry_path = write_project(tmp_path, {"study": httpserver.url_for("/study")})
    body = registry_path.read_text().replace(
        "    url: ",
        "    claims: [{id: figure, statement: 'a figure', evidence: '100,000'}]\n    url: ",
    )
    registry_path.write_text(body)
    registry = load_registry(registry_path)
    store = Store.open(registry.settings.database, tmp_path)
    clock = Clock(datetime(2026, 1, 1, tzinfo=UTC))
    settings = check_settings(registry.settings)
    run_sources(registry, store, registry.sources, settings=settings, now=clock)
    text["intro"] = "A study of the county published in autumn, revised twice since."
    clock.moment += timedelta(days=1)
    run_sources(registry, store, registry.sources, settings=settings, now=clock)
    latest = store.latest_results()["study"].result
    assert latest.verdict.value == "ok" and latest.claims[0].found
    drift = latest.extra["drift"]
    assert 0 < drift["similarity"] < 1
    assert drift["since"].startswith("2026-01-01")
    # The same text again: no drift.
    clock.moment += timedelta(days=1)
    run_sources(registry, store, registry.sources, settings=settings, now=clock)
    assert "drift" not in store.latest_results()["study"].result.extra


def _processes_naming(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass  # gone meanwhile
    return found


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs /proc")
def test_a_killed_run_split_between_processes_leaves_no_worker_behind(
    tmp_path: Path, slow_server: str
) -> None:
    # Two sites (two loopback names for one server), enough URLs for worker processes.
    port = slow_server.rsplit(":", 1)[1]
    urls = {
        f"s{i:03d}": f"http://{('127.0.0.1', 'localhost')[i % 2]}:{port}/page/{i}"
        for i in range(240)
    }
    registry = write_project(tmp_path, urls, extra_settings="  processes: 2\n")
    process = start_check(registry, tmp_path, "--concurrency", "4", "--per-host", "2")
    db = tmp_path / "monitor.db"
    wait_for_results(db, 5)
    workers = [pid for pid in _processes_naming(str(registry)) if pid != process.pid]
    assert len(workers) == 2, "the run is split between two worker processes"
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and set(workers) & set(_processes_naming(str(registry))):
        time.sleep(0.1)
    assert not set(workers) & set(_processes_naming(str(registry))), "workers outlived the run"
    assert 5 <= len(results_in(db)) < 240


def test_a_run_that_fails_keeps_the_results_it_already_had(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    for name in ("a", "b", "c", "d"):
        httpserver.expect_request(f"/{name}").respond_with_data(
            f"<p>page {name}</p>", content_type="text/html"
        )
    urls = {name: httpserver.url_for(f"/{name}") for name in ("a", "b", "c", "d")}
    registry = load_registry(write_project(tmp_path, urls))
    store = Store.open(registry.settings.database, tmp_path)
    seen: list[str] = []

    def on_result(result: CheckResult) -> None:
        seen.append(str(result.source_id))
        if len(seen) == 3:
            raise RuntimeError("the run broke here")

    with pytest.raises(RuntimeError, match="the run broke here"):
        run_sources(
            registry,
            store,
            registry.sources,
            settings=check_settings(registry.settings),
            on_result=on_result,
        )
    stored = sorted(r.result.source_id or "" for r in store.latest_results().values())
    assert stored == sorted(seen), "every result handed out before the failure is stored"
    assert [r.status for r in store.runs()] == [RunStatus.RUNNING]
    store.close()
