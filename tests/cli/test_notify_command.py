"""`notify` and `check`'s notifications, as a user runs them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from monitor.jobs import check_sources
from monitor.workspace import Workspace
from tests.cli.conftest import Invoke, write_project


def dead_by_now(tmp_path: Path, httpserver: HTTPServer) -> Path:
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    registry = write_project(tmp_path, {"gone": httpserver.url_for("/gone")})
    workspace = Workspace.load(registry)
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    workspace.now = lambda: moment
    for _ in range(3):
        job = check_sources(workspace, check_all=True, notify=False)
        moment += timedelta(days=1, hours=1)
    assert job.status["sources"][0]["health"] == "dead"
    workspace.close()
    return registry


def test_dry_run_shows_the_digest_and_sends_nothing(
    invoke: Invoke, tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MONITOR_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("MONITOR_SMTP_PORT", "9")  # never contacted: a dry run
    monkeypatch.setenv("MONITOR_SMTP_FROM", "monitor@example.org")
    registry = dead_by_now(tmp_path, httpserver)
    result = invoke("notify", "--dry-run", "--registry", str(registry))
    assert result.exit_code == 0, result.output
    assert "web@example.org" in result.output
    assert "gone" in result.output
    again = invoke("notify", "--dry-run", "--registry", str(registry))
    assert again.output == result.output, "a dry run records nothing"


def test_without_smtp_the_run_says_email_is_off(
    invoke: Invoke, tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MONITOR_SMTP_HOST", raising=False)
    registry = dead_by_now(tmp_path, httpserver)
    result = invoke("notify", "--registry", str(registry))
    assert "MONITOR_SMTP_HOST" in result.output
