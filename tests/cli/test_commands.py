"""The commands as a user types them: output, files written and exit codes."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import jsonschema
import pytest
from pytest_httpserver import HTTPServer

from monitor.cli import cli
from monitor.exitcodes import ExitCode
from tests.cli.conftest import Invoke, write_project

ROOT = Path(__file__).parents[2]
SCHEMA = json.loads((ROOT / "monitor/reports/status.schema.json").read_text())
COMMANDS = [
    "validate",
    "scan",
    "check",
    "check-url",
    "gate",
    "publish",
    "serve",
    "snooze",
    "unsnooze",
    "db",
]


@pytest.mark.parametrize("command", [[], *[[c] for c in COMMANDS]])
def test_every_command_explains_itself(invoke: Invoke, command: list[str]) -> None:
    result = invoke(*command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output
    body = result.output.split("Options:")[0]
    assert len(body.split()) > 5, "help text should say what the command does"


def test_readme_lists_every_command() -> None:
    readme = (ROOT / "README.md").read_text()
    for name in cli.commands:  # type: ignore[attr-defined]
        assert f"`{name}" in readme, name


def test_validate_exits_3_and_prints_every_problem(invoke: Invoke, tmp_path: Path) -> None:
    registry = write_project(tmp_path, {"a": "http://127.0.0.1:1/a"})
    text = registry.read_text().replace(
        "url: http://127.0.0.1:1/a", "url: ftp://x/a\n    colour: red"
    )
    registry.write_text(text)
    result = invoke("validate", "--registry", str(registry))
    assert result.exit_code == 3
    lines = [line for line in result.output.splitlines() if line.startswith(str(registry))]
    assert len(lines) == 2, result.output
    numbered = registry.read_text().splitlines()
    url_line = next(i for i, t in enumerate(numbered, 1) if "ftp://x/a" in t)
    assert any(f":{url_line}: sources[0].url" in line for line in lines)
    assert any(f":{url_line + 1}: sources[0].colour" in line for line in lines)


def test_validate_accepts_the_real_registry(invoke: Invoke) -> None:
    result = invoke("validate", "--registry", str(ROOT / "registry.yaml"))
    assert result.exit_code == 0, result.output
    assert "6 sources" in result.output


def test_scan_of_the_real_fact_sheet_reports_disagreements(invoke: Invoke) -> None:
    result = invoke("scan", "--registry", str(ROOT / "registry.yaml"), "--format", "json")
    assert result.exit_code == 2
    data = json.loads(result.output)
    assert [r["text"] for r in data["unresolved_references"]] == [
        "CSEC Fact Sheet",
        "Transition Age Youth (TAY) webpage",
    ]
    assert data["uncited_statistics"][0]["sentence"].startswith("Hundreds of cases")


def test_scan_exits_0_when_documents_and_registry_agree(invoke: Invoke, tmp_path: Path) -> None:
    registry = write_project(tmp_path, {"a": "http://127.0.0.1:1/a"})
    result = invoke("scan", "--registry", str(registry))
    assert result.exit_code == 0, result.output
    assert "agree" in result.output


def serve(httpserver: HTTPServer) -> dict[str, str]:
    httpserver.expect_request("/ok").respond_with_data(
        "<html><title>Fine</title><p>Report text</p>", content_type="text/html"
    )
    httpserver.expect_request("/gone").respond_with_data("nope", status=404)
    return {"good": httpserver.url_for("/ok"), "gone": httpserver.url_for("/gone")}


def test_check_stores_reports_and_exits_2_on_failure(
    invoke: Invoke, tmp_path: Path, httpserver: HTTPServer
) -> None:
    registry = write_project(tmp_path, serve(httpserver))
    result = invoke("check", "--registry", str(registry))
    assert result.exit_code == 2, result.output
    status = json.loads((tmp_path / "reports" / "status.json").read_text())
    jsonschema.Draft202012Validator(SCHEMA).validate(status)
    verdicts = {s["id"]: s["verdict"] for s in status["sources"]}
    assert verdicts == {"good": "ok", "gone": "broken"}
    good = next(s for s in status["sources"] if s["id"] == "good")
    assert good["citations"] == [
        {"document": "sheet", "line": 3, "text": good["url"], "footnote": None}
    ]
    assert "broken" in (tmp_path / "reports" / "status.md").read_text()
    # Nothing is due a second time the same day; the report still shows every source.
    again = invoke("check", "--registry", str(registry))
    assert again.exit_code == 2
    assert "Nothing was due" in again.output
    status_again = json.loads((tmp_path / "reports" / "status.json").read_text())
    assert {s["id"]: s["verdict"] for s in status_again["sources"]} == verdicts


def test_check_exits_0_when_all_fine(
    invoke: Invoke, tmp_path: Path, httpserver: HTTPServer
) -> None:
    urls = serve(httpserver)
    registry = write_project(tmp_path, {"good": urls["good"]})
    assert invoke("check", "--registry", str(registry)).exit_code == 0
    # Taking SIGTERM gracefully is the command's while it runs, not its caller's after.
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_private_addresses_are_refused_unless_allowed(
    invoke: Invoke, tmp_path: Path, httpserver: HTTPServer
) -> None:
    urls = serve(httpserver)
    registry = write_project(tmp_path, {"good": urls["good"]})
    result = invoke("check", "--registry", str(registry), "--no-allow-private", "--all")
    assert result.exit_code == 2
    status = json.loads((tmp_path / "reports" / "status.json").read_text())
    assert status["sources"][0]["verdict"] == "invalid"


def test_check_url_json_has_the_status_entry_shape(
    invoke: Invoke, tmp_path: Path, httpserver: HTTPServer
) -> None:
    urls = serve(httpserver)
    result = invoke(
        "check-url",
        urls["good"],
        urls["gone"],
        "--allow-private",
        "--format",
        "json",
        "--evidence",
        "Report text",
        "--registry",
        str(tmp_path / "none.yaml"),
        "--no-archive",
    )
    assert result.exit_code == 2
    entries = json.loads(result.output)
    source_schema = SCHEMA["$defs"]["source"] | {"$defs": SCHEMA["$defs"]}
    for entry in entries:
        jsonschema.Draft202012Validator(source_schema).validate(entry)
    assert [e["verdict"] for e in entries] == ["ok", "broken"]
    assert entries[0]["claims"][0]["found"] is True
    # The gone page's content was never read: its evidence is listed, not checked.
    assert [(c["id"], c["evidence"], c["found"]) for c in entries[1]["claims"]] == [
        ("evidence-1", "Report text", None)
    ]


def test_check_url_table_says_which_evidence_was_not_checked(
    invoke: Invoke, tmp_path: Path, httpserver: HTTPServer
) -> None:
    urls = serve(httpserver)
    result = invoke(
        "check-url",
        urls["gone"],
        "--allow-private",
        "--evidence",
        "Report text",
        "--registry",
        str(tmp_path / "none.yaml"),
        "--no-archive",
    )
    assert f"{urls['gone']}: evidence evidence-1 not checked" in result.output


def test_network_down_run_is_inconclusive_and_reports_every_source(
    invoke: Invoke, tmp_path: Path
) -> None:
    urls = {f"s{i}": f"http://host{i}.invalid/page" for i in range(4)}
    registry = write_project(tmp_path, urls)
    result = invoke("check", "--registry", str(registry))
    assert result.exit_code == 0, result.output
    assert "network looks unavailable" in result.output
    status = json.loads((tmp_path / "reports" / "status.json").read_text())
    assert status["run"]["inconclusive"] is True
    assert status["totals"]["checked"] == 4


def test_publish_writes_page_and_status(
    invoke: Invoke, tmp_path: Path, httpserver: HTTPServer
) -> None:
    urls = serve(httpserver)
    registry = write_project(tmp_path, {"good": urls["good"]})
    invoke("check", "--registry", str(registry))
    result = invoke("publish", "--registry", str(registry))
    assert result.exit_code == 0, result.output
    page = (tmp_path / "reports" / "published" / "sheet.html").read_text()
    assert page.count('class="mark mark-ok"') == 2  # beside the citation and in the table
    status = json.loads((tmp_path / "reports" / "published" / "sheet.status.json").read_text())
    assert [s["id"] for s in status["sources"]] == ["good"]


def test_publish_is_held_back_by_a_failing_gate_unless_forced(
    invoke: Invoke, tmp_path: Path, httpserver: HTTPServer
) -> None:
    registry = write_project(tmp_path, serve(httpserver))
    invoke("check", "--registry", str(registry))
    page = tmp_path / "reports" / "published" / "sheet.html"
    held = invoke("publish", "--registry", str(registry))
    assert held.exit_code == 2
    assert "not published" in held.output and "404" in held.output
    assert not page.exists()
    forced = invoke("publish", "--registry", str(registry), "--force")
    assert forced.exit_code == 0
    assert page.exists() and "mark-dead" in page.read_text()


def test_registry_error_exit_code_for_every_command(invoke: Invoke, tmp_path: Path) -> None:
    bad = tmp_path / "registry.yaml"
    bad.write_text("version: 1\nsources: [\n")
    for command in ("validate", "scan", "check", "publish"):
        assert invoke(command, "--registry", str(bad)).exit_code == 3


def test_snooze_holds_health_until_the_date(invoke: Invoke, tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from monitor.store import Store

    registry = write_project(tmp_path, {"a": "http://127.0.0.1:9/a"})
    result = invoke(
        "snooze", "host:127.0.0.1", "--until", "2030-01-01", "--registry", str(registry)
    )
    assert result.exit_code == 0, result.output
    store = Store.open(f"sqlite:///{tmp_path / 'monitor.db'}")
    assert store.snoozed("a", "http://127.0.0.1:9/a", datetime(2029, 1, 1, tzinfo=UTC))
    assert not store.snoozed("a", "http://127.0.0.1:9/a", datetime(2030, 1, 2, tzinfo=UTC))
    assert (
        invoke("snooze", "nope", "--until", "2030-01-01", "--registry", str(registry)).exit_code
        == ExitCode.USAGE
    )
    assert invoke("unsnooze", "host:127.0.0.1", "--registry", str(registry)).exit_code == 0
    assert not store.snoozed("a", "http://127.0.0.1:9/a", datetime(2029, 1, 1, tzinfo=UTC))
    # Nothing left to undo is an error of the request, not of the command line.
    again = invoke("unsnooze", "host:127.0.0.1", "--registry", str(registry))
    assert again.exit_code == ExitCode.ERROR and "is not snoozed" in again.output


def test_notify_before_any_run_is_an_error_not_a_wrong_command_line(
    invoke: Invoke, tmp_path: Path
) -> None:
    registry = write_project(tmp_path, {"a": "http://127.0.0.1:9/a"})
    result = invoke("notify", "--registry", str(registry))
    assert result.exit_code == ExitCode.ERROR
    assert "no finished run to notify about" in result.output


def test_a_scheduler_tick_s_workspace_is_not_kept_until_the_command_ends(tmp_path: Path) -> None:
    # serve loads the registry at every tick; each workspace must go when the tick
    # closes it, not wait for the command's end (days later) with the others.
    import gc
    import weakref

    import click

    from monitor.cli import load

    registry = write_project(tmp_path, {"a": "https://example.org/a"})
    with click.Context(cli):
        kept = load({"registry_path": registry}, closed_by_caller=True)
        gone = weakref.ref(kept)
        kept.close()
        del kept
        gc.collect()
        assert gone() is None
