"""Under GitHub Actions, annotations and the job summary name files from the repository
root, wherever the registry lives in it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from monitor.cli import cli
from monitor.gate.command import from_repository_root
from monitor.gate.policy import GatePolicy, evaluate
from tests.cli.conftest import write_project
from tests.gate.conftest import MakeStatus
from tests.gate.statuses import T, source


def test_paths_are_rebased_on_the_repository(make_status: MakeStatus, tmp_path: Path) -> None:
    status = make_status(
        source("gone", "http://gone.example/r.pdf", "broken", cited=[("sheet", 4)]),
        source("lonely", "http://l.example/", "broken", cited=[]),
    )
    outcome = evaluate(status, GatePolicy(), now=T)
    base = tmp_path / "docs" / "citations"
    rebased = from_repository_root(outcome, base, str(tmp_path))
    assert [f.path for f in rebased.findings] == ["docs/citations/content/sheet.md", None]
    assert rebased.failed and rebased.counts == outcome.counts
    # Outside the repository, or no repository named: unchanged.
    assert from_repository_root(outcome, Path("/elsewhere"), str(tmp_path)) == outcome
    assert from_repository_root(outcome, base, None) == outcome


def test_gate_in_a_subfolder_annotates_the_right_file(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    httpserver.expect_request("/gone").respond_with_data("nope", status=404)
    project = tmp_path / "docs"
    project.mkdir()
    registry = write_project(project, {"gone": httpserver.url_for("/gone")})
    summary = tmp_path / "summary.md"
    monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = CliRunner().invoke(cli, ["gate", "--registry", str(registry)], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    [error] = [line for line in result.output.splitlines() if line.startswith("::error ")]
    assert error.startswith("::error file=docs/content/sheet.md,line=3,")
    assert "`docs/content/sheet.md:3`" in summary.read_text(encoding="utf-8")


def test_sarif_in_a_subfolder_names_files_from_the_repository_top(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Code scanning places a finding by its path from the repository's top, in any CI;
    the fingerprint keeps the registry's own path, so alerts keep their identity."""
    import json

    httpserver.expect_request("/gone").respond_with_data("nope", status=404)
    project = tmp_path / "docs"
    project.mkdir()
    registry = write_project(project, {"gone": httpserver.url_for("/gone")})
    monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)

    def located() -> tuple[str, str]:
        result = CliRunner().invoke(
            cli, ["gate", "--registry", str(registry), "--format", "sarif"], catch_exceptions=False
        )
        assert result.exit_code == 2
        [found] = json.loads(result.stdout)["runs"][0]["results"]
        uri = found["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        return uri, found["partialFingerprints"]["primaryLocationLineHash"]

    outside, fingerprint = located()
    assert outside == "content/sheet.md"
    (tmp_path / ".git").mkdir()
    assert located() == ("docs/content/sheet.md", fingerprint)
    written = json.loads((project / "reports" / "status.sarif").read_text(encoding="utf-8"))
    uri = written["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri["uri"] == "docs/content/sheet.md"
