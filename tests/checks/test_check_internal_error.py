"""A fault of the monitor's own on one page ends that check, not the run: the page
reads inconclusive, saying so, and every other source is checked as usual."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from checks import check as check_module
from checks.botwall import Challenge
from checks.model import CheckResult, ErrorKind, Verdict
from monitor.gate.policy import RULE_CHECK_FAILED, GatePolicy, Severity, evaluate
from monitor.jobs import check_sources
from monitor.offline import OfflineTally
from monitor.state import HealthPolicy
from monitor.store.health import StoredCheck, fold
from monitor.workspace import Workspace
from tests.checks.conftest import Check
from tests.checks.pages import REPORT
from tests.checks.server import LoopbackServer, Reply
from tests.cli.conftest import write_project

TRIGGER = b"<!doctype html><title>Odd page</title><h1>Odd page</h1><p>Something odd.</p>"


@pytest.fixture(autouse=True)
def faulty_on_odd_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """A detector that fails on one kind of page, as a bug would."""
    find_challenge = check_module.find_challenge

    def failing(status: int, headers: Mapping[str, str], html: str) -> Challenge | None:
        if "Odd page" in html:
            raise ValueError("All strings must be XML compatible")
        return find_challenge(status, headers, html)

    monkeypatch.setattr(check_module, "find_challenge", failing)


def test_a_fault_on_one_page_makes_its_check_inconclusive_and_says_why(
    server: LoopbackServer, check: Check, caplog: pytest.LogCaptureFixture
) -> None:
    server.route("/odd", Reply(body=TRIGGER))
    with caplog.at_level(logging.ERROR, logger="checks.check"):
        result = check(server.url("/odd"))
    assert result.verdict is Verdict.TRANSIENT
    assert result.reason == "the check itself failed (ValueError): not judged this time"
    assert result.error == "ValueError: All strings must be XML compatible"
    assert result.error_kind is ErrorKind.INTERNAL
    assert any(server.url("/odd") in r.getMessage() and r.exc_info for r in caplog.records)


def test_a_run_checks_every_other_source_after_a_fault_on_one(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.route("/odd", Reply(body=TRIGGER))
    server.route("/report", Reply(body=REPORT))
    urls = {"odd": server.url("/odd"), "report": server.url("/report")}
    workspace = Workspace.load(write_project(tmp_path, urls))
    job = check_sources(workspace, check_all=True, notify=False)
    assert job.checked == 2
    verdicts = {e["id"]: e["verdict"] for e in job.status["sources"]}
    assert verdicts == {"odd": "transient", "report": "ok"}
    # The gate fails closed on a citation the monitor could not judge, whatever the
    # policy says of transient ones.
    outcome = evaluate(job.status, GatePolicy(), now=datetime.now(UTC))
    failed = {f.source_id: f.rule for f in outcome.at(Severity.FAIL)}
    assert outcome.failed and failed == {"odd": RULE_CHECK_FAILED}


AT = datetime(2026, 3, 1, tzinfo=UTC)


def test_a_failed_check_says_nothing_of_our_network() -> None:
    unresolved = [
        CheckResult(
            url=f"https://h{i}.example/x",
            verdict=Verdict.BROKEN,
            reason="DNS: name does not resolve",
            checked_at=AT,
            error_kind=ErrorKind.DNS,
        )
        for i in range(3)
    ]
    ours = CheckResult(
        url="https://h9.example/x",
        verdict=Verdict.TRANSIENT,
        reason="the check itself failed (ValueError): not judged this time",
        checked_at=AT,
        error_kind=ErrorKind.INTERNAL,
    )
    tally = OfflineTally()
    for result in [*unresolved, ours]:
        tally.add(result)
    assert tally.offline


def test_failed_checks_leave_health_as_it_was() -> None:
    checks = [
        StoredCheck(
            n,
            "odd",
            "https://a.example/x",
            AT + timedelta(days=n),
            Verdict.TRANSIENT,
            None,
            ErrorKind.INTERNAL,
        )
        for n in range(1, 6)
    ]
    folded, events = fold(checks, {}, HealthPolicy(), {})
    assert (folded, events) == ({}, [])


def test_a_citation_never_judged_fails_the_gate_even_with_an_archived_copy() -> None:
    status = {
        "sources": [
            {
                "id": "odd",
                "url": "https://a.example/x",
                "verdict": "transient",
                "error_kind": "internal",
                "archive": {"status": "verified", "url": "https://web.archive.org/x"},
            }
        ]
    }
    outcome = evaluate(status, GatePolicy(), now=AT)
    (finding,) = outcome.findings
    assert (outcome.failed, finding.severity, finding.rule) == (
        True,
        Severity.FAIL,
        RULE_CHECK_FAILED,
    )
    assert finding.archive_url is None and "archived" not in finding.message
