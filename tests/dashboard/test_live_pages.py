"""Source pages are written while their run goes on, and are the pages a whole
dashboard written after the run would hold."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, cast

import pytest
from filelock import FileLock, Timeout

from checks.model import CheckResult
from monitor import run
from monitor.dashboard import live as live_pages
from monitor.dashboard import source_page, write, write_dashboard
from monitor.dashboard.data import Facts
from monitor.dashboard.files import LOCK, UNFINISHED
from monitor.jobs import check_sources
from monitor.store import Store
from monitor.workspace import Workspace
from tests.cli.conftest import write_project
from tests.monitor.loopback import QuietHandler, serving

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
FAST = [f"fast{i}" for i in range(4)]


@pytest.fixture(autouse=True)
def results_stored_one_by_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every result is stored (and, once the run is settled, folded in) as it comes,
    so that what these tests see does not hang on how long a run holds results."""
    monkeypatch.setattr(run, "ResultWriter", partial(run.ResultWriter, max_batch=1))


class Pages(QuietHandler):
    """``/fast*`` at once; ``/late`` after the run's results have waited long enough to
    be stored; ``/last`` only once the page of ``fast0`` is on disk, or after 8 s,
    within the 10 s its check may last."""

    first_page: ClassVar[Path]
    seen: ClassVar[dict[str, bool]] = {}

    def do_GET(self) -> None:
        if self.path == "/late":
            time.sleep(0.4)
        if self.path == "/last":
            deadline = time.monotonic() + 8
            while not self.first_page.exists() and time.monotonic() < deadline:
                time.sleep(0.02)
            self.seen["page before the run ended"] = self.first_page.exists()
            lock = FileLock(str(self.first_page.parents[1] / LOCK))
            try:
                lock.acquire(timeout=0)
                lock.release()
            except Timeout:
                self.seen["lock held during the run"] = True
        self.send_page(200, f"<h1>Report {self.path}</h1><p>All figures.</p>".encode())


def project(root: Path, urls: dict[str, str]) -> Workspace:
    """A project whose checks may last 10 s."""
    registry = write_project(root, urls)
    registry.write_text(registry.read_text().replace("timeout_s: 2", "timeout_s: 10"))
    return Workspace.load(registry)


def test_pages_are_written_during_the_run_as_a_whole_dashboard_writes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Pages.seen.clear()
    Pages.first_page = tmp_path / "reports" / source_page("fast0")
    with serving(Pages, ("127.0.0.1",)) as (base,):
        urls = {name: f"{base}/{name}" for name in FAST}
        urls |= {"late": f"{base}/late", "last": f"{base}/last"}
        workspace = project(tmp_path, urls)
        workspace.now = lambda: NOW
        asked = reads_of_newest_results(workspace)
        figured: list[str] = []
        monkeypatch.setattr(write, "index_facts", recording(write.index_facts, figured))
        job = check_sources(workspace, check_all=True, notify=False)
    assert job.checked == 6
    # The status document took the entries read for the pages written during the run
    # and read only the others': each source's newest result was read once, and the
    # document is the one the store gives now.
    assert None not in asked
    ids = [source_id for read in asked for source_id in read or ()]
    assert sorted(ids) == sorted(urls)
    assert job.status == workspace.status()
    # So were the index's row figures of those pages.
    assert not set(figured) & set(FAST)
    assert Pages.seen == {"page before the run ended": True, "lock held during the run": True}
    out = workspace.reports_dir
    assert not (out / UNFINISHED).exists()
    with FileLock(str(out / LOCK)).acquire(timeout=0):
        pass  # let go at the end
    # The same pages as a whole dashboard written after the run, byte for byte.
    after = tmp_path / "after"
    write_dashboard(workspace, workspace.status(), after, NOW)
    for source_id in urls:
        live = (out / source_page(source_id)).read_bytes()
        assert live == (after / source_page(source_id)).read_bytes(), source_id
    assert (out / "index.html").read_bytes() == (after / "index.html").read_bytes()


def reads_of_newest_results(workspace: Workspace) -> list[list[str] | None]:
    """The sources each read of newest results asked for (None: all), from now on."""
    store = workspace.store()
    read = store.latest_result_data
    asked: list[list[str] | None] = []

    def recording(source_ids: Sequence[str] | None = None) -> dict[str, dict[str, Any]]:
        asked.append(None if source_ids is None else list(source_ids))
        return read(source_ids)

    store.latest_result_data = recording  # type: ignore[method-assign]
    return asked


def recording(
    index_facts: Callable[[Store, Sequence[str], datetime], dict[str, Facts]], asked: list[str]
) -> Callable[[Store, Sequence[str], datetime], dict[str, Facts]]:
    """``index_facts``, noting the sources asked for in ``asked``."""

    def figures(store: Store, source_ids: Sequence[str], now: datetime) -> dict[str, Facts]:
        asked.extend(source_ids)
        return index_facts(store, source_ids, now)

    return figures


class Failing(QuietHandler):
    def do_GET(self) -> None:
        if self.path == "/late":
            time.sleep(0.4)
        self.send_page(200, b"<h1>Report</h1><p>All figures.</p>")


def test_a_run_that_fails_lets_the_dashboard_go_and_leaves_it_marked_unfinished(
    tmp_path: Path,
) -> None:
    def on_result(result: CheckResult) -> None:
        # The late result is stored with those before it, and their pages begin.
        if result.url.endswith("/late"):
            raise RuntimeError("the run broke")

    with serving(Failing, ("127.0.0.1",)) as (base,):
        urls = {"a": f"{base}/a", "b": f"{base}/b", "late": f"{base}/late"}
        urls |= {"c": f"{base}/c", "d": f"{base}/d"}
        workspace = Workspace.load(write_project(tmp_path, urls))
        with pytest.raises(RuntimeError, match="the run broke"):
            check_sources(workspace, check_all=True, on_result=on_result, notify=False)
    out = workspace.reports_dir
    assert (out / UNFINISHED).exists(), "the next dashboard writes every page again"
    with FileLock(str(out / LOCK)).acquire(timeout=0):
        pass


def test_a_run_is_not_held_up_by_another_writer_of_its_dashboard(tmp_path: Path) -> None:
    checked = threading.Event()
    seen: list[str] = []

    def on_result(result: CheckResult) -> None:
        seen.append(result.url)
        if len(seen) == 4:
            checked.set()

    with serving(Failing, ("127.0.0.1",)) as (base,):
        urls = {"a": f"{base}/a", "b": f"{base}/b", "late": f"{base}/late", "c": f"{base}/c"}
        workspace = Workspace.load(write_project(tmp_path, urls))
        out = workspace.reports_dir
        out.mkdir()
        other = FileLock(str(out / LOCK))
        other.acquire()
        run = threading.Thread(
            target=check_sources,
            args=(workspace,),
            kwargs={"check_all": True, "on_result": on_result, "notify": False},
        )
        run.start()
        try:
            # Every check ends while the other writer holds the dashboard.
            assert checked.wait(10)
        finally:
            other.release()
            run.join(20)
    assert not run.is_alive()
    assert all((out / source_page(s)).exists() for s in urls)
    assert not (out / UNFINISHED).exists()


def test_pages_that_could_not_be_written_during_the_run_are_written_after_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken_write(*args: object) -> dict[str, Path]:
        raise OSError("no space left on device")

    monkeypatch.setattr(live_pages._PageMaker, "write", broken_write)
    with serving(Failing, ("127.0.0.1",)) as (base,):
        urls = {"a": f"{base}/a", "late": f"{base}/late", "b": f"{base}/b"}
        workspace = Workspace.load(write_project(tmp_path, urls))
        job = check_sources(workspace, check_all=True, notify=False)
    assert job.checked == 3
    out = workspace.reports_dir
    assert all((out / source_page(s)).exists() for s in urls)
    assert "stopped writing pages during the run" in caplog.text
    assert not (out / UNFINISHED).exists()


def test_pages_falling_behind_the_checks_are_left_to_the_end_of_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_hand, go_on = threading.Event(), threading.Event()
    asked: list[list[str]] = []

    class SlowPages:
        def __init__(self, *args: object) -> None:
            pass

        def write(self, run_id: int, source_ids: list[str]) -> Iterator[tuple[str, Path]]:
            asked.append(source_ids)
            in_hand.set()
            go_on.wait(10)
            yield from ((s, tmp_path / s) for s in source_ids)

    monkeypatch.setattr(live_pages, "_PageMaker", SlowPages)
    live = live_pages.LivePages(cast(Workspace, None), tmp_path / "reports")
    live(1, ["a"])
    assert in_hand.wait(10)  # being written while the next ones come
    behind = [f"s{n}" for n in range(live_pages.MAX_BACKLOG + 2)]
    for source_id in behind:
        live(1, [source_id])
    go_on.set()
    deadline = time.monotonic() + 5
    while live.writing and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not live.writing, "it stopped of itself, too many batches behind"
    assert asked == [["a"]]
    live.finish()
    assert list(live.written) == ["a"]
    live.close()
    with FileLock(str(tmp_path / "reports" / LOCK)).acquire(timeout=0):
        pass


def test_stopping_does_not_wait_for_the_rest_of_a_large_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first_written, go_on = threading.Event(), threading.Event()

    class OneByOne:
        def __init__(self, *args: object) -> None:
            pass

        def write(self, run_id: int, source_ids: list[str]) -> Iterator[tuple[str, Path]]:
            for source_id in source_ids:
                yield source_id, tmp_path / source_id
                first_written.set()
                go_on.wait(10)

    monkeypatch.setattr(live_pages, "_PageMaker", OneByOne)
    live = live_pages.LivePages(cast(Workspace, None), tmp_path / "reports")
    live(1, [f"s{i}" for i in range(100)])  # what the first fold of a long run may hold
    assert first_written.wait(10)
    stopping = threading.Thread(target=live.close)
    stopping.start()
    deadline = time.monotonic() + 10
    while not live.stopped and time.monotonic() < deadline:
        time.sleep(0.01)
    go_on.set()
    stopping.join(10)
    assert not stopping.is_alive()
    assert list(live.written) == ["s0", "s1"]  # the page in hand, and no more
