"""A check job's outputs: the reports are written by a fork while the dashboard is."""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from monitor import jobs
from monitor.dashboard import write
from monitor.forks import ForkedError
from monitor.jobs import check_sources
from monitor.reports.formats import FORMATS
from monitor.reports.formats.json_format import JsonFormat
from monitor.workspace import Workspace
from tests.cli.conftest import write_project
from tests.monitor.loopback import QuietHandler, serving


class Pages(QuietHandler):
    def do_GET(self) -> None:
        status = 404 if self.path == "/gone" else 200
        self.send_page(status, f"<h1>Report {self.path}</h1><p>All figures.</p>".encode())


@pytest.fixture
def writers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], list[int]]:
    """The processes that wrote the reports, in order."""
    record = tmp_path / "writers"
    write_reports = Workspace.write_reports

    def recording(self: Workspace, status: Mapping[str, Any]) -> list[Path]:
        with record.open("a") as out:
            out.write(f"{os.getpid()}\n")
        return write_reports(self, status)

    monkeypatch.setattr(Workspace, "write_reports", recording)
    return lambda: [int(pid) for pid in record.read_text().split()]


def test_reports_are_written_by_another_process_and_are_the_run_s_document(
    tmp_path: Path, writers: Callable[[], list[int]]
) -> None:
    with serving(Pages, ("127.0.0.1",)) as (base,):
        workspace = Workspace.load(write_project(tmp_path, {"a": f"{base}/a", "b": f"{base}/gone"}))
        job = check_sources(workspace, check_all=True, notify=False)
    [writer] = writers()
    assert writer != os.getpid()
    reports = [workspace.reports_dir / fmt.filename for fmt in FORMATS.values()]
    assert set(reports) <= set(job.written)
    assert all(path.stat().st_size > 0 for path in reports)
    assert json.loads((workspace.reports_dir / "status.json").read_text()) == job.status
    assert (workspace.reports_dir / "index.html").exists()


def test_a_report_that_cannot_be_written_fails_the_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: JsonFormat, status: Mapping[str, Any], out: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(JsonFormat, "write", broken)
    with serving(Pages, ("127.0.0.1",)) as (base,):
        workspace = Workspace.load(write_project(tmp_path, {"a": f"{base}/a"}))
        with pytest.raises(ForkedError, match="OSError: disk full"):
            check_sources(workspace, check_all=True, notify=False)
    # The dashboard was still written meanwhile.
    assert (workspace.reports_dir / "index.html").exists()


@pytest.mark.parametrize(
    ("processes", "cap", "forked"),
    [(None, 1, False), ("1", 10, False), ("2", 1, True)],
)
def test_large_documents_and_a_single_process_keep_the_reports_here(
    tmp_path: Path,
    writers: Callable[[], list[int]],
    monkeypatch: pytest.MonkeyPatch,
    processes: str | None,
    cap: int,
    forked: bool,
) -> None:
    monkeypatch.setattr(jobs, "REPORTS_FORK_MAX_SOURCES", cap)
    extra = f"  processes: {processes}\n" if processes else ""
    with serving(Pages, ("127.0.0.1",)) as (base,):
        urls = {"a": f"{base}/a", "b": f"{base}/b"}
        workspace = Workspace.load(write_project(tmp_path, urls, extra_settings=extra))
        job = check_sources(workspace, check_all=True, notify=False)
    [writer] = writers()
    assert (writer != os.getpid()) is forked
    assert json.loads((workspace.reports_dir / "status.json").read_text()) == job.status


def test_when_the_dashboard_fails_too_its_error_is_the_one_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_report(self: JsonFormat, status: Mapping[str, Any], out: Any) -> None:
        raise OSError("disk full")

    def broken_index(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the index could not be written")

    monkeypatch.setattr(JsonFormat, "write", broken_report)
    monkeypatch.setattr(write, "index_parts", broken_index)
    with serving(Pages, ("127.0.0.1",)) as (base,):
        workspace = Workspace.load(write_project(tmp_path, {"a": f"{base}/a"}))
        with pytest.raises(RuntimeError, match="the index could not be written"):
            check_sources(workspace, check_all=True, notify=False)
    assert gc.get_freeze_count() == 0
