"""After a run, only the pages of the sources it checked are rewritten."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock, Timeout

from monitor.dashboard import source_page, write_dashboard
from monitor.dashboard import write as dashboard_write
from monitor.dashboard.files import LOCK, UNFINISHED
from monitor.workspace import Workspace
from tests.dashboard.project import NOW


def test_only_checked_sources_are_rewritten(fresh_project: Workspace) -> None:
    out = fresh_project.reports_dir
    status = fresh_project.status()
    write_dashboard(fresh_project, status, out, NOW)
    steady, broken = out / source_page("src-ok"), out / source_page("src-broken")
    os.utime(steady, (1, 1))
    os.utime(broken, (1, 1))
    write_dashboard(fresh_project, status, out, NOW, only={"src-broken"})
    assert steady.stat().st_mtime == 1, "a source not checked keeps its page"
    assert broken.stat().st_mtime > 1
    index = (out / "index.html").read_text()
    assert "src-ok" in index and "src-broken" in index


def test_pages_are_rewritten_in_place(fresh_project: Workspace) -> None:
    # Replacing a page through a renamed temporary file deletes and creates a file per
    # page per run, which some file systems make slower than rendering the page.
    out = fresh_project.reports_dir
    status = fresh_project.status()
    write_dashboard(fresh_project, status, out, NOW)
    pages = [out / source_page("src-ok"), out / source_page("src-broken")]
    before = {page: page.stat().st_ino for page in pages}
    (out / source_page("src-ok")).write_text("old", encoding="utf-8")
    write_dashboard(fresh_project, status, out, NOW)
    assert {page: page.stat().st_ino for page in pages} == before
    assert "src-ok" in (out / source_page("src-ok")).read_text(encoding="utf-8")
    # The index alone is replaced whole, so that a reader never sees it cut short.
    assert not list(out.glob("index.html.*"))


def test_a_page_rewritten_over_a_longer_one_ends_where_the_new_page_ends(
    fresh_project: Workspace,
) -> None:
    # Pages are cut to their new length after writing, not emptied first.
    out = fresh_project.reports_dir
    status = fresh_project.status()
    write_dashboard(fresh_project, status, out, NOW)
    pages = [out / "index.html", out / source_page("src-ok")]
    fresh = {page: page.read_bytes() for page in pages}
    for page in pages:
        page.write_bytes(b"x" * (len(fresh[page]) + 100_000))
    write_dashboard(fresh_project, status, out, NOW)
    assert {page: page.read_bytes() for page in pages} == fresh


def test_a_dashboard_cut_short_is_written_whole_by_the_next_one(
    fresh_project: Workspace,
) -> None:
    out = fresh_project.reports_dir
    status = fresh_project.status()
    write_dashboard(fresh_project, status, out, NOW)
    assert not (out / UNFINISHED).exists()
    # What a killed write leaves: a page cut short, and the mark of an unfinished write.
    steady = out / source_page("src-ok")
    steady.write_text("<!doctype html><html><he", encoding="utf-8")
    (out / UNFINISHED).touch()
    write_dashboard(fresh_project, status, out, NOW, only={"src-broken"})
    assert steady.read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert not (out / UNFINISHED).exists()


def test_one_dashboard_is_written_at_a_time(
    fresh_project: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pages are rewritten in place, so a second writer (a check from the command line
    # while the scheduler runs one) waits for the first instead of mixing pages.
    out = fresh_project.reports_dir
    status = fresh_project.status()
    writing, go_on = threading.Event(), threading.Event()
    real = dashboard_write.write_page

    def slow_write(path: Path, text: Any) -> Path:
        writing.set()
        go_on.wait(10)
        return real(path, text)

    monkeypatch.setattr(dashboard_write, "write_page", slow_write)
    first = threading.Thread(target=write_dashboard, args=(fresh_project, status, out, NOW))
    first.start()
    try:
        assert writing.wait(10)
        with pytest.raises(Timeout):
            FileLock(str(out / LOCK)).acquire(timeout=0.2)
    finally:
        go_on.set()
        first.join(10)
    with FileLock(str(out / LOCK)).acquire(timeout=5):
        pass
    assert (out / "index.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
