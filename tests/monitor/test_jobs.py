"""A check job's outputs: most reports are written by a fork while the dashboard is."""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

import pytest

from monitor import jobs
from monitor.dashboard import write
from monitor.forks import ForkedError
from monitor.jobs import check_sources
from monitor.reports.formats import FORMATS
from monitor.reports.formats.csv_format import CsvFormat
from monitor.workspace import Workspace
from tests.cli.conftest import write_project
from tests.monitor.loopback import QuietHandler, serving


class Pages(QuietHandler):
    def do_GET(self) -> None:
        status = 404 if self.path == "/gone" else 200
        self.send_page(status, f"<h1>Report {self.path}</h1><p>All figures.</p>".encode())


Writers = Callable[[], list[tuple[int, str]]]


@pytest.fixture
def writers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Writers:
    """Which process wrote which reports (all of them: ``*``), in order."""
    record = tmp_path / "writers"
    write_reports = Workspace.write_reports

    def recording(
        self: Workspace, status: Mapping[str, Any], formats: Collection[str] | None = None
    ) -> list[Path]:
        with record.open("a") as out:
            out.write(f"{os.getpid()} {','.join(formats) if formats is not None else '*'}\n")
        return write_reports(self, status, formats)

    monkeypatch.setattr(Workspace, "write_reports", recording)
    return lambda: [
        (int(pid), formats) for pid, formats in map(str.split, record.read_text().splitlines())
    ]


def test_reports_are_written_by_another_process_and_are_the_run_s_document(
    tmp_path: Path, writers: Writers
) -> None:
    with serving(Pages, ("127.0.0.1",)) as (base,):
        workspace = Workspace.load(write_project(tmp_path, {"a": f"{base}/a", "b": f"{base}/gone"}))
        job = check_sources(workspace, check_all=True, notify=False)
    [(here, first), (fork, rest)] = writers()
    # The JSON report before forking, by this process; the others by the fork.
    assert (here, first) == (os.getpid(), "json")
    assert fork != os.getpid() and rest == ",".join(n for n in FORMATS if n != "json")
    reports = [workspace.reports_dir / fmt.filename for fmt in FORMATS.values()]
    assert job.written == (*reports, workspace.reports_dir / "index.html")
    assert all(path.stat().st_size > 0 for path in reports)
    assert json.loads((workspace.reports_dir / "status.json").read_text()) == job.status
    assert (workspace.reports_dir / "index.html").exists()


def test_a_report_that_cannot_be_written_fails_the_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: CsvFormat, status: Mapping[str, Any], out: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(CsvFormat, "write", broken)
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
    writers: Writers,
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
    pids = {pid for pid, _ in writers()}
    assert (pids != {os.getpid()}) is forked
    assert len(writers()) == (2 if forked else 1)
    assert json.loads((workspace.reports_dir / "status.json").read_text()) == job.status


def test_when_the_dashboard_fails_too_its_error_is_the_one_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_report(self: CsvFormat, status: Mapping[str, Any], out: Any) -> None:
        raise OSError("disk full")

    def broken_index(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the index could not be written")

    monkeypatch.setattr(CsvFormat, "write", broken_report)
    monkeypatch.setattr(write, "index_parts", broken_index)
    with serving(Pages, ("127.0.0.1",)) as (base,):
        workspace = Workspace.load(write_project(tmp_path, {"a": f"{base}/a"}))
        with pytest.raises(RuntimeError, match="the index could not be written"):
            check_sources(workspace, check_all=True, notify=False)
    assert gc.get_freeze_count() == 0
