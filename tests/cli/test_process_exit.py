"""The command as a process: when it exits, the database file holds the whole run."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from pytest_httpserver import HTTPServer

from tests.cli.conftest import write_project

ROOT = Path(__file__).parents[2]


def test_a_finished_check_leaves_its_results_in_the_database_file(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/report").respond_with_data(
        "<html><body><main><p>The report.</p></main></body></html>", content_type="text/html"
    )
    httpserver.expect_request("").respond_with_data("no", status=404)
    registry = write_project(tmp_path, {"report": httpserver.url_for("/report")})
    env = {k: v for k, v in os.environ.items() if k != "MONITOR_DATABASE_URL"}
    command = [sys.executable, str(ROOT / "run_monitor.py"), "check", "--all"]
    done = subprocess.run(
        [*command, "--no-archive", "--registry", str(registry)],
        cwd=tmp_path,
        env=env,
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
