"""Source pages are written while their run goes on, and are the pages a whole
dashboard written after the run would hold."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import pytest
from filelock import FileLock, Timeout

from checks.model import CheckResult
from monitor.dashboard import source_page, write_dashboard
from monitor.dashboard.render import LOCK, UNFINISHED
from monitor.jobs import check_sources
from monitor.workspace import Workspace
from tests.cli.conftest import write_project
from tests.monitor.loopback import QuietHandler, serving

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
FAST = [f"fast{i}" for i in range(4)]


class Pages(QuietHandler):
    """``/fast*`` at once; ``/late`` after the run's results have waited long enough to
    be stored; ``/last`` only once the page of ``fast0`` is on disk, or after 1.5 s,
    well within the 2 s its check may last."""

    first_page: ClassVar[Path]
    seen: ClassVar[dict[str, bool]] = {}

    def do_GET(self) -> None:
        if self.path == "/late":
            time.sleep(0.4)
        if self.path == "/last":
            deadline = time.monotonic() + 1.5
            while not self.first_page.exists() and time.monotonic() < deadline:
                time.sleep(0.02)
            self.seen["page before the run ended"] = self.first_page.exists()
            try:
                FileLock(str(self.first_page.parents[1] / LOCK)).acquire(timeout=0)
            except Timeout:
                self.seen["lock held during the run"] = True
        self.send_page(200, f"<h1>Report {self.path}</h1><p>All figures.</p>".encode())


def test_pages_are_written_during_the_run_as_a_whole_dashboard_writes_them(
    tmp_path: Path,
) -> None:
    Pages.seen.clear()
    Pages.first_page = tmp_path / "reports" / source_page("fast0")
    with serving(Pages, ("127.0.0.1",)) as (base,):
        urls = {name: f"{base}/{name}" for name in FAST}
        urls |= {"late": f"{base}/late", "last": f"{base}/last"}
        workspace = Workspace.load(write_project(tmp_path, urls))
        workspace.now = lambda: NOW
        job = check_sources(workspace, check_all=True, notify=False)
    assert job.checked == 6
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
