"""`gate` as CI runs it: exit codes, reuse of fresh results, GitHub output, formats."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from monitor.exitcodes import ExitCode
from tests.cli.conftest import Invoke, write_project


def pages(httpserver: HTTPServer) -> dict[str, str]:
    httpserver.expect_request("/ok").respond_with_data(
        "<html><title>Report</title><p>The report.</p>", content_type="text/html"
    )
    httpserver.expect_request("/gone").respond_with_data("nope", status=404)
    httpserver.expect_request("/busy").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "3600"}
    )
    return {
        "good": httpserver.url_for("/ok"),
        "gone": httpserver.url_for("/gone"),
        "busy": httpserver.url_for("/busy"),
    }


def test_gate_fails_on_a_broken_citation(
    invoke: Invoke, tmp_path: Path, httpserver: HTTPServer
) -> None:
    urls = pages(httpserver)
    registry = write_project(tmp_path, {"good": urls["good"], "gone": urls["gone"]})
    result = invoke("gate", "--registry", str(registry))
    assert result.exit_code == 2, result.output
    assert "Gate FAILED: 1 failing" in result.output


def test_gate_passes_with_warnings_only(
    invoke: Invoke, tmp_path: Path, httpserver: HTTPServer
) -> None:
    urls = pages(httpserver)
    registry = write_project(tmp_path, {"good": urls["good"], "busy": urls["busy"]})
    result = invoke("gate", "--registry", str(registry))
    assert result.exit_code == 0, result.output
    assert "1 warning" in result.output


def test_policy_from_settings_can_fail_on_blocked(
    invoke: Invoke, tmp_path: Path, httpserver: HTTPServer
) -> None:
    urls = pages(httpserver)
    registry = write_project(
        tmp_path, {"busy": urls["busy"]}, extra_settings="  policy: {fail_on: [blocked]}\n"
    )
    assert invoke("gate", "--registry", str(registry)).exit_code == 2


def test_unregistered_citation_fails_the_gate(
    invoke: Invoke, tmp_path: Path, httpserver: HTTPServer
) -> None:
    urls = pages(httpserver)
    registry = write_project(tmp_path, {"good": urls["good"]})
    sheet = tmp_path / "content" / "sheet.md"
    sheet.write_text(sheet.read_text() + "- Also see <http://127.0.0.1:9/unlisted>.\n")
    out = tmp_path / "junit.xml"
    result = invoke("gate", "--registry", str(registry), "--format", "junit", "--output", str(out))
    assert result.exit_code == 2
    failures = [
        case
        for case in ET.parse(out).getroot().iter("testcase")
        if case.find("failure") is not None
    ]
    assert len(failures) == 1
    assert "unlisted" in (failures[0].get("name") or "")


def test_max_age_reuses_fresh_results(
    invoke: Invoke, tmp_path: Path, httpserver: HTTPServer
) -> None:
    urls = pages(httpserver)
    registry = write_project(tmp_path, {"good": urls["good"]})
    assert invoke("gate", "--registry", str(registry)).exit_code == 0
    seen = len(httpserver.log)
    result = invoke("gate", "--registry", str(registry), "--max-age", "1h")
    assert result.exit_code == 0
    assert len(httpserver.log) == seen, "a fresh result must not be fetched again"
    assert "0 checked now" in result.output
    invoke("gate", "--registry", str(registry))
    assert len(httpserver.log) > seen


def test_github_actions_output(
    invoke: Invoke, tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    urls = pages(httpserver)
    registry = write_project(tmp_path, {"good": urls["good"], "gone": urls["gone"]})
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = invoke("gate", "--registry", str(registry))
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("::error ")]
    assert len(errors) == 1
    assert "file=content/sheet.md" in errors[0] and "line=4" in errors[0]
    assert "gone" in summary.read_text()


def test_gate_writes_junit_to_output(
    invoke: Invoke, tmp_path: Path, httpserver: HTTPServer
) -> None:
    urls = pages(httpserver)
    registry = write_project(tmp_path, {"good": urls["good"], "gone": urls["gone"]})
    out = tmp_path / "ci" / "junit.xml"
    result = invoke("gate", "--registry", str(registry), "--format", "junit", "--output", str(out))
    assert result.exit_code == 2
    root = ET.parse(out).getroot()
    cases = root.findall(".//testcase")
    assert len(cases) == 2
    failed = [c for c in cases if c.find("failure") is not None]
    assert len(failed) == 1 and failed[0].get("classname") == "sheet"


def test_check_json_to_stdout_is_machine_readable(
    invoke: Invoke, tmp_path: Path, httpserver: HTTPServer
) -> None:
    urls = pages(httpserver)
    registry = write_project(tmp_path, {"good": urls["good"]})
    result = invoke("check", "--registry", str(registry), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["sources"][0]["verdict"] == "ok"


def sarif_levels(text: str) -> dict[str, str]:
    """Each SARIF result's level by the URL it is about."""
    results = json.loads(text)["runs"][0]["results"]
    return {r["properties"]["url"]: r["level"] for r in results}


def failed_cases(path: Path) -> int:
    return sum(
        1 for c in ET.parse(path).getroot().iter("testcase") if c.find("failure") is not None
    )


def test_reports_judge_findings_under_the_registry_policy(
    invoke: Invoke, tmp_path: Path, httpserver: HTTPServer
) -> None:
    """A policy that fails on blocked sources fails them in SARIF and JUnit too, whether
    printed by ``gate`` or ``check`` or written into the reports folder."""
    urls = pages(httpserver)
    registry = write_project(
        tmp_path, {"busy": urls["busy"]}, extra_settings="  policy: {fail_on: [blocked]}\n"
    )
    gated = invoke("gate", "--registry", str(registry), "--format", "sarif")
    assert gated.exit_code == 2
    assert sarif_levels(gated.stdout) == {urls["busy"]: "error"}
    reports = tmp_path / "reports"
    assert sarif_levels((reports / "status.sarif").read_text()) == {urls["busy"]: "error"}
    assert failed_cases(reports / "junit.xml") == 1
    out = tmp_path / "check.xml"
    checked = invoke(
        "check", "--all", "--registry", str(registry), "--format", "junit", "--output", str(out)
    )
    assert checked.exit_code == 0  # a blocked source is not failing in itself
    assert failed_cases(out) == 1


def test_gate_reports_only_the_documents_it_gates(
    invoke: Invoke, tmp_path: Path, httpserver: HTTPServer
) -> None:
    urls = pages(httpserver)
    registry = write_project(tmp_path, {"good": urls["good"]})
    other = tmp_path / "content" / "other.md"
    other.write_text(f"# Other\n\n- A figure cited at <{urls['gone']}>.\n", encoding="utf-8")
    text = registry.read_text().replace(
        "documents:\n", "documents:\n  - {id: other, path: content/other.md, owner: web}\n"
    )
    registry.write_text(text + f"  - id: gone\n    url: {urls['gone']}\n", encoding="utf-8")
    gated = invoke("gate", "sheet", "--registry", str(registry), "--format", "sarif")
    assert gated.exit_code == 0, gated.output
    assert sarif_levels(gated.stdout) == {}
    gated = invoke("gate", "other", "--registry", str(registry), "--format", "sarif")
    assert gated.exit_code == 2
    assert sarif_levels(gated.stdout) == {urls["gone"]: "error"}


@pytest.mark.parametrize(
    "args",
    [("gate", "no-such-document"), ("check", "--no-such-option"), ("no-such-command",)],
)
def test_a_wrong_command_line_is_not_read_as_a_failing_citation(
    invoke: Invoke, tmp_path: Path, httpserver: HTTPServer, args: tuple[str, ...]
) -> None:
    registry = write_project(tmp_path, pages(httpserver))
    result = invoke(*args, "--registry", str(registry))
    assert result.exit_code == ExitCode.USAGE != ExitCode.FAILING
    assert "Usage:" in result.output
