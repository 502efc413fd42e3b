"""A stopped run keeps every result its checks had finished, and stops at once.

Results travel from the checks to the store in steps: a worker process holds a few back
to send them together, the pipe holds what was sent and not read yet, archive look-ups
hold what is being looked up. A stop (a signal, Ctrl-C, an error) may come at any step.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import requests

from checks.model import CheckResult, CheckTarget, Verdict
from monitor import fanout
from monitor import run as run_module
from monitor.cli import Terminated, leaving_cleanly_on_sigterm
from monitor.fanout import WorkerError, check_in_processes
from monitor.registry import Registry, load_registry
from monitor.run import AfterCheck, ResultHook, run_sources
from monitor.settings import check_settings
from monitor.store import Store
from tests.cli.conftest import write_project
from tests.monitor.loopback import QuietHandler, serving

T = datetime(2026, 3, 1, tzinfo=UTC)
# Generous bounds for waiting on the machine, never asserted on.
PATIENCE_S = 60


class _Site(QuietHandler):
    """Pages ``ok-N`` answer at once, ``gone-N`` are 404, ``hang`` answers only when the
    test ends (a check under way for the whole run)."""

    release = threading.Event()

    def do_GET(self) -> None:
        name = self.path.rsplit("/", 1)[-1]
        if name == "hang":
            _Site.release.wait(PATIENCE_S)
        if name.startswith("ok-") or name == "hang":
            self.send_page(200, f"<html><main><p>page {name}</p></main></html>".encode())
        else:
            self.send_page(404, b"<html><p>not here</p></html>")


@pytest.fixture
def sites() -> Iterator[list[str]]:
    _Site.release.clear()
    with serving(_Site) as bases:
        try:
            yield bases
        finally:
            _Site.release.set()


def _registry(
    root: Path, bases: list[str], *, ok: int, gone: int = 0, hang: bool, processes: int = 2
) -> Registry:
    urls = {}
    for site, base in enumerate(bases):
        for n in range(ok):
            urls[f"s{site}-ok-{n}"] = f"{base}/dir/ok-{n}"
        for n in range(gone):
            urls[f"s{site}-gone-{n}"] = f"{base}/dir/gone-{n}"
        if hang:
            urls[f"s{site}-hang"] = f"{base}/dir/hang"
    path = write_project(root, urls, extra_settings=f"  processes: {processes}\n  per_host: 4\n")
    # The page that hangs must stay under way: its check may not give up before the end.
    path.write_text(path.read_text().replace("timeout_s: 2", f"timeout_s: {PATIENCE_S}"))
    return load_registry(path)


@dataclass
class _Handed:
    """The URLs whose checks a worker process has finished and handed to its sender,
    written to a file by the workers themselves."""

    log: Path

    def urls(self) -> set[str]:
        return set(self.log.read_text().split()) if self.log.exists() else set()

    def wait_for(self, count: int) -> set[str]:
        deadline = time.monotonic() + PATIENCE_S
        while len(handed := self.urls()) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return handed


@pytest.fixture
def handed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> _Handed:
    log = tmp_path / "handed.log"
    real_add = fanout._Sender.add

    def add(sender: Any, result: CheckResult) -> None:
        real_add(sender, result)
        with log.open("a") as out:
            out.write(result.url + "\n")

    # Patched before the workers are forked, so they run it.
    monkeypatch.setattr(fanout._Sender, "add", add)
    return _Handed(log)


def _stored_urls(store: Store) -> set[str]:
    return {stored.result.url for stored in store.latest_results().values()}


def _run(
    registry: Registry,
    store: Store,
    *,
    on_result: ResultHook | None = None,
    after_check: AfterCheck | None = None,
) -> None:
    run_sources(
        registry,
        store,
        registry.sources,
        settings=check_settings(registry.settings),
        on_result=on_result,
        after_check=after_check,
    )


def test_a_run_stopped_while_it_stores_keeps_what_the_workers_finished(
    tmp_path: Path, sites: list[str], handed: _Handed, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Workers hold back what is short of a full batch until they are told to stop.
    monkeypatch.setattr(fanout, "_BATCH_DELAY_S", 3600.0)
    registry = _registry(tmp_path, sites, ok=50, hang=True)
    store = Store.open(registry.settings.database, tmp_path)
    finished: set[str] = set()

    def interrupt_while_storing(result: CheckResult) -> None:
        if not finished:
            # Meanwhile every quick page is checked: sent to this process, or held back.
            finished.update(handed.wait_for(100))
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _run(registry, store, on_result=interrupt_while_storing)
    assert len(finished) == 100
    assert finished <= _stored_urls(store), "every result the workers finished is kept"
    store.close()


def test_a_run_stopped_by_sigterm_while_it_waits_keeps_what_the_workers_finished(
    tmp_path: Path, sites: list[str], handed: _Handed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fanout, "_BATCH_DELAY_S", 3600.0)
    registry = _registry(tmp_path, sites, ok=50, hang=True)
    store = Store.open(registry.settings.database, tmp_path)
    finished: set[str] = set()

    def terminate_once_checked() -> None:
        # The run then waits for the pages that hang, holding part of a batch in each
        # worker: 50 results each, and batches of 32.
        finished.update(handed.wait_for(100))
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=terminate_once_checked, daemon=True).start()
    with pytest.raises(Terminated), leaving_cleanly_on_sigterm():
        _run(registry, store)
    assert len(finished) == 100
    assert finished <= _stored_urls(store), "every result the workers finished is kept"
    store.close()


def test_a_stopped_run_keeps_results_in_archive_look_up_without_waiting_for_it(
    tmp_path: Path, sites: list[str], handed: _Handed
) -> None:
    registry = _registry(tmp_path, sites, ok=40, gone=2, hang=False)
    store = Store.open(registry.settings.database, tmp_path)
    looking_up: list[str] = []
    looked_up: list[str] = []
    live: list[str] = []
    release = threading.Event()

    def archive_lookup(
        target: CheckTarget, result: CheckResult, _: requests.Session
    ) -> CheckResult:
        if result.verdict is Verdict.OK:
            # Some may not have begun when the run stops: those are kept unlooked-up.
            live.append(result.url)
            return result.replace(reason=result.reason + " (live)")
        # An archive that keeps the run waiting (its rate limit, a slow answer).
        looking_up.append(result.url)
        release.wait(PATIENCE_S)
        looked_up.append(result.url)
        return result

    finished: set[str] = set()

    def terminate_during_look_ups() -> None:
        deadline = time.monotonic() + PATIENCE_S
        while len(looking_up) < 4 and time.monotonic() < deadline:
            time.sleep(0.02)
        finished.update(handed.wait_for(84))
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=terminate_during_look_ups, daemon=True).start()
    try:
        with pytest.raises(Terminated), leaving_cleanly_on_sigterm():
            _run(registry, store, after_check=archive_lookup)
        assert not looked_up, "the stop waited for archive look-ups under way"
    finally:
        release.set()
    assert sorted(looking_up) == sorted(u for u in finished if "/gone-" in u)
    stored = {r.result.url: r.result for r in store.latest_results().values()}
    assert finished <= set(stored), "every finished check is kept"
    # Kept as the check left them: the look-up under way has no say.
    assert all(stored[url].verdict is Verdict.BROKEN for url in looking_up)
    # Look-ups that ended are kept with what they found.
    assert live and all(stored[url].reason.endswith("(live)") for url in live[:-1])
    store.close()


def test_a_run_in_one_process_keeps_the_checks_that_finished_while_it_stored(
    tmp_path: Path, sites: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = _registry(tmp_path, sites, ok=10, hang=False, processes=1)
    store = Store.open(registry.settings.database, tmp_path)
    finished: list[str] = []
    real_check_one = run_module.Checker.check_one

    def check_one(checker: run_module.Checker, target: CheckTarget) -> CheckResult:
        result = real_check_one(checker, target)
        finished.append(result.url)
        return result

    monkeypatch.setattr(run_module.Checker, "check_one", check_one)
    seen: set[str] = set()

    def interrupt_while_storing(result: CheckResult) -> None:
        if seen:
            return
        deadline = time.monotonic() + PATIENCE_S
        while len(finished) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        seen.update(finished)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _run(registry, store, on_result=interrupt_while_storing)
    assert len(seen) >= 3
    assert seen <= _stored_urls(store), "every finished check is kept"
    store.close()


def test_a_run_interrupted_in_the_middle_of_a_write_still_writes_its_results(
    tmp_path: Path, sites: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = _registry(tmp_path, sites, ok=3, hang=False)
    store = Store.open(registry.settings.database, tmp_path)
    dialect = store.engine.dialect
    real_execute = dialect.do_execute
    interrupted: list[str] = []

    def execute(cursor: Any, statement: str, parameters: Any, context: Any = None) -> None:
        real_execute(cursor, statement, parameters, context)
        if statement.startswith("INSERT INTO results") and not interrupted:
            # As a signal does that lands while SQLite runs the statement.
            interrupted.append(statement)
            raise KeyboardInterrupt

    monkeypatch.setattr(dialect, "do_execute", execute)
    with pytest.raises(KeyboardInterrupt):
        _run(registry, store)
    assert interrupted
    assert len(_stored_urls(store)) == 6, "the interrupted write is made again"
    store.close()


# --- the worker processes themselves ------------------------------------------------------


@dataclass(frozen=True)
class _Share:
    """A worker's share: touch ``folder/started.<pid>``, wait for ``folder/go``, then
    answer every target."""

    folder: Path

    def __call__(self, share: Sequence[CheckTarget], threads: int) -> Iterator[CheckResult]:
        (self.folder / f"started.{os.getpid()}").touch()
        deadline = time.monotonic() + PATIENCE_S
        while not (self.folder / "go").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        for target in share:
            yield CheckResult(target.url, Verdict.OK, "ok", T, target.source_id, status=200)


def test_an_interrupt_from_the_terminal_is_left_to_the_run_s_process(tmp_path: Path) -> None:
    # Ctrl-C sends SIGINT to every process of the terminal's group, workers included.
    plan = [CheckTarget(f"http://{site}.org/{n}", f"{site}{n}") for site in "ab" for n in range(5)]
    results = check_in_processes(plan, _Share(tmp_path), processes=2, concurrency=2)
    collected: list[str] = []

    def started() -> list[Path]:
        return sorted(tmp_path.glob("started.*"))

    def interrupt_the_workers() -> None:
        deadline = time.monotonic() + PATIENCE_S
        while len(started()) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        for marker in started():
            os.kill(int(marker.suffix[1:]), signal.SIGINT)
        (tmp_path / "go").touch()

    threading.Thread(target=interrupt_the_workers, daemon=True).start()
    try:
        collected.extend(result.url for result in results)
    except WorkerError as failed:  # pragma: no cover - what the test guards against
        pytest.fail(f"a worker took the interrupt itself: {failed}")
    assert sorted(collected) == sorted(t.url for t in plan)


def _checks_then_waits(
    folder: Path, share: Sequence[CheckTarget], threads: int
) -> Iterator[CheckResult]:
    """Site b's worker: its results at once, then a check that lasts until ``folder/go``.
    Site a's worker dies once they are in hand."""
    if any("a.org" in target.url for target in share):
        deadline = time.monotonic() + PATIENCE_S
        while not (folder / "b-checked").exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        os._exit(7)
    for target in share:
        yield CheckResult(target.url, Verdict.OK, "ok", T, target.source_id, status=200)
    (folder / "b-checked").touch()
    deadline = time.monotonic() + PATIENCE_S
    while not (folder / "go").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    (folder / "b-done").touch()


def test_a_worker_that_dies_stops_the_run_at_once_keeping_what_the_others_finished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fanout, "_BATCH_DELAY_S", 3600.0)  # b's results stay held back
    plan = [CheckTarget("http://a.org/1", "a1")]
    plan += [CheckTarget(f"http://b.org/{n}", f"b{n}") for n in range(5)]
    check_share = partial(_checks_then_waits, tmp_path)
    handed_out: list[str] = []
    unread: list[CheckResult] = []
    try:
        with pytest.raises(WorkerError, match="exited with code 7"):
            for result in check_in_processes(
                plan, check_share, processes=2, concurrency=2, unread=unread
            ):
                handed_out.append(result.url)
        assert not (tmp_path / "b-done").exists(), "the death was noticed only as b ended"
    finally:
        (tmp_path / "go").touch()
    assert sorted(handed_out + [r.url for r in unread]) == [f"http://b.org/{n}" for n in range(5)]
