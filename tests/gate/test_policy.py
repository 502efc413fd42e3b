"""The gate's decisions: one finding per citation, severities under each policy."""

from __future__ import annotations

from datetime import timedelta

import pytest

from monitor.gate.policy import GateOutcome, GatePolicy, Severity, evaluate
from tests.gate.conftest import MakeStatus
from tests.gate.statuses import ARCHIVE_URL, T, archive, source

GONE = "http://gone.example/r.pdf"


def judge(status: dict[str, object], policy: GatePolicy | None = None, **kw: object) -> GateOutcome:
    return evaluate(status, policy or GatePolicy(), now=T, **kw)  # type: ignore[arg-type]


def only(outcome: GateOutcome) -> tuple[Severity, str]:
    assert len(outcome.findings) == 1
    return outcome.findings[0].severity, outcome.findings[0].rule


def test_broken_citation_fails(make_status: MakeStatus) -> None:
    outcome = judge(make_status(source("gone", GONE, "broken", reason="404 Not Found")))
    assert only(outcome) == (Severity.FAIL, "broken")
    assert outcome.failed
    finding = outcome.findings[0]
    assert (finding.document, finding.line, finding.path) == ("sheet", 1, "content/sheet.md")
    assert "404 Not Found" in finding.message
    assert finding.archive_url is None


def test_broken_with_verified_archive_only_warns(make_status: MakeStatus) -> None:
    outcome = judge(make_status(source("gone", GONE, "broken", archive=archive())))
    assert only(outcome) == (Severity.WARN, "broken")
    assert not outcome.failed
    assert outcome.findings[0].archive_url == ARCHIVE_URL
    assert ARCHIVE_URL in outcome.findings[0].message


def test_archive_does_not_excuse_when_policy_says_so(make_status: MakeStatus) -> None:
    status = make_status(source("gone", GONE, "claim_missing", archive=archive()))
    outcome = judge(status, GatePolicy(archive_excuses=False))
    assert only(outcome) == (Severity.FAIL, "claim_missing")
    # The copy is still offered as the thing to cite.
    assert outcome.findings[0].archive_url == ARCHIVE_URL


@pytest.mark.parametrize("state", ["unverified", "none", "unknown"])
def test_unverified_archive_does_not_excuse(make_status: MakeStatus, state: str) -> None:
    url = ARCHIVE_URL if state == "unverified" else None
    outcome = judge(make_status(source("gone", GONE, "broken", archive=archive(state, url))))
    assert only(outcome) == (Severity.FAIL, "broken")
    assert outcome.findings[0].archive_url is None


@pytest.mark.parametrize("verdict", ["blocked", "transient", "moved", "anchor_missing"])
def test_default_warnings(make_status: MakeStatus, verdict: str) -> None:
    outcome = judge(make_status(source("s", "https://a.example/", verdict)))
    assert only(outcome) == (Severity.WARN, verdict)
    assert not outcome.failed


def test_moved_warns_and_names_the_new_address(make_status: MakeStatus) -> None:
    status = make_status(
        source(
            "s",
            "http://a.example/old",
            "moved",
            final_url="https://a.example/new?x=1",
            suggested_url="https://a.example/new",
        )
    )
    finding = judge(status).findings[0]
    assert finding.severity is Severity.WARN
    assert "https://a.example/new" in finding.message
    assert "x=1" not in finding.message


def test_blocked_with_archive_is_not_told_to_cite_it(make_status: MakeStatus) -> None:
    finding = judge(make_status(source("s", GONE, "blocked", archive=archive()))).findings[0]
    assert finding.severity is Severity.WARN
    assert finding.archive_url is None


def test_ok_passes(make_status: MakeStatus) -> None:
    outcome = judge(make_status(source("s", "https://a.example/", "ok")))
    assert only(outcome) == (Severity.PASS, "ok")
    assert not outcome.failed
    assert dict(outcome.counts) == {Severity.FAIL: 0, Severity.WARN: 0, Severity.PASS: 1}


@pytest.mark.parametrize("verdict", ["tls_error", "invalid"])
def test_verdicts_no_list_names_fail_closed(make_status: MakeStatus, verdict: str) -> None:
    status = make_status(source("s", "https://a.example/", verdict))
    assert only(judge(status)) == (Severity.FAIL, verdict)
    lenient = GatePolicy(fail_on_unknown_verdict=False)
    assert only(judge(status, lenient)) == (Severity.WARN, verdict)


def test_unchecked_source_fails_unless_policy_allows(make_status: MakeStatus) -> None:
    status = make_status(source("s", "https://a.example/", None))
    assert only(judge(status)) == (Severity.FAIL, "unchecked")
    assert only(judge(status, GatePolicy(fail_on_unknown_verdict=False))) == (
        Severity.WARN,
        "unchecked",
    )


def test_verdict_from_a_newer_monitor_fails(make_status: MakeStatus) -> None:
    status = make_status(source("s", "https://a.example/", "ok"))
    status["sources"][0]["verdict"] = "paywalled"  # not in this schema version
    severity, rule = only(judge(status))
    assert (severity, rule) == (Severity.FAIL, "unknown_verdict")
    assert "paywalled" in judge(status).findings[0].title


def test_unregistered_citation_fails(make_status: MakeStatus) -> None:
    status = make_status(source("s", "https://a.example/", "ok"))
    outcome = judge(status, unregistered=[("other", 9, "https://new.example/x")])
    assert outcome.failed
    finding = outcome.findings[0]
    assert (finding.severity, finding.rule) == (Severity.FAIL, "unregistered")
    assert (finding.document, finding.line, finding.path) == ("other", 9, "content/other.md")
    assert finding.source_id is None and finding.verdict is None
    lenient = judge(
        status,
        GatePolicy(fail_on_unregistered=False),
        unregistered=[("other", 9, "https://new.example/x")],
    )
    assert not lenient.failed
    assert lenient.findings[0].severity is Severity.WARN


def test_tls_expiring_within_thirty_days_warns(make_status: MakeStatus) -> None:
    soon = make_status(
        source("s", "https://a.example/", "ok", tls_expires_at=T + timedelta(days=10))
    )
    finding = judge(soon).findings[0]
    assert (finding.severity, finding.rule) == (Severity.WARN, "tls_expiring")
    assert "expires in 10 day(s)" in finding.message
    assert finding.reason == "TLS certificate expires in 10 day(s) (2026-03-11)"
    assert finding.verdict == "ok"
    assert not judge(soon).failed
    assert only(judge(soon, GatePolicy(tls_warn=False))) == (Severity.PASS, "ok")


def test_tls_far_from_expiry_passes_and_expired_warns(make_status: MakeStatus) -> None:
    later = make_status(
        source("s", "https://a.example/", "ok", tls_expires_at=T + timedelta(days=31))
    )
    assert only(judge(later)) == (Severity.PASS, "ok")
    gone = make_status(
        source("s", "https://a.example/", "ok", tls_expires_at=T - timedelta(days=1))
    )
    finding = judge(gone).findings[0]
    assert finding.severity is Severity.WARN
    assert "expired" in finding.message


def test_tls_expiry_does_not_soften_a_failure(make_status: MakeStatus) -> None:
    status = make_status(source("s", GONE, "broken", tls_expires_at=T + timedelta(days=3)))
    finding = judge(status).findings[0]
    assert (finding.severity, finding.rule) == (Severity.FAIL, "broken")
    assert "TLS certificate expires in 3 day(s)" in finding.message


def test_one_finding_per_citation(make_status: MakeStatus) -> None:
    status = make_status(
        source("twice", GONE, "broken", cited=[("sheet", 12), ("other", 3), ("sheet", 4)]),
        source("uncited", "https://u.example/", "ok", cited=[]),
    )
    outcome = judge(status)
    places = [(f.source_id, f.document, f.line, f.path) for f in outcome.findings]
    assert places == [
        ("twice", "other", 3, "content/other.md"),
        ("twice", "sheet", 4, "content/sheet.md"),
        ("twice", "sheet", 12, "content/sheet.md"),
        ("uncited", None, None, None),
    ]
    assert outcome.counts[Severity.FAIL] == 3
    assert "cited by no document" in outcome.findings[-1].message


def test_documents_filter_by_id_or_path(make_status: MakeStatus) -> None:
    status = make_status(
        source("a", GONE, "broken", cited=[("sheet", 12), ("other", 3)]),
        source("uncited", "https://u.example/", "broken", cited=[]),
    )
    unregistered = [("sheet", 2, "https://x.example/"), ("other", 2, "https://y.example/")]
    for name in ("other", "content/other.md"):
        outcome = judge(status, unregistered=unregistered, documents=[name])
        assert {(f.document, f.line) for f in outcome.findings} == {("other", 3), ("other", 2)}
    assert judge(status, documents=[]).findings == ()


def test_findings_sorted_worst_first_then_document_and_line(make_status: MakeStatus) -> None:
    status = make_status(
        source("ok", "https://ok.example/", "ok", cited=[("other", 1)]),
        source("moved", "https://m.example/", "moved", cited=[("sheet", 30), ("other", 50)]),
        source("gone", GONE, "broken", cited=[("sheet", 40), ("sheet", 2)]),
    )
    outcome = judge(status, unregistered=[("other", 90, "https://z.example/")])
    order = [(f.severity.value, f.document, f.line) for f in outcome.findings]
    assert order == [
        ("fail", "other", 90),
        ("fail", "sheet", 2),
        ("fail", "sheet", 40),
        ("warn", "other", 50),
        ("warn", "sheet", 30),
        ("pass", "other", 1),
    ]


def test_policy_from_settings() -> None:
    policy = GatePolicy.from_settings(
        {
            "fail_on": ["broken", "moved"],
            "pass_on": ["blocked"],
            "archive_excuses": False,
            "tls_warn_days": 7,
        }
    )
    assert policy.fail_on == {"broken", "moved"}
    # Verdicts named explicitly leave the default lists they were in.
    assert policy.warn_on == {"transient", "anchor_missing"}
    assert policy.pass_on == {"blocked"}
    assert not policy.archive_excuses
    assert policy.tls_warn_days == 7
    assert policy.classify("moved") is Severity.FAIL
    assert policy.classify("blocked") is Severity.PASS
    # soft_404 left every list: it fails closed.
    assert policy.classify("soft_404") is Severity.FAIL


def test_custom_policy_changes_the_outcome(make_status: MakeStatus) -> None:
    status = make_status(
        source("m", "https://m.example/", "moved"),
        source("g", GONE, "broken", archive=archive()),
    )
    assert not judge(status).failed
    strict = GatePolicy.from_settings({"fail_on": ["moved", "broken"], "archive_excuses": False})
    outcome = judge(status, strict)
    assert outcome.failed
    assert [f.severity for f in outcome.findings] == [Severity.FAIL, Severity.FAIL]


def test_empty_or_missing_settings_give_the_default_policy() -> None:
    assert GatePolicy.from_settings(None) == GatePolicy()
    assert GatePolicy.from_settings({}) == GatePolicy()


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"fail_on": ["broken", "brokn"]}, ["'brokn'", "policy.fail_on", "soft_404"]),
        ({"warn_on": ["OK"]}, ["'OK'", "policy.warn_on"]),
        ({"fail_on": ["moved"], "warn_on": ["moved"]}, ["'moved'", "fail_on", "warn_on"]),
        ({"fail_on": "broken"}, ["policy.fail_on", "list"]),
        ({"archive_excuses": "yes"}, ["policy.archive_excuses", "true or false"]),
        ({"tls_warn_days": "30"}, ["policy.tls_warn_days"]),
        ({"fail_on_broken": True}, ["fail_on_broken", "known keys"]),
    ],
)
def test_bad_settings_raise_clear_errors(settings: dict[str, object], words: list[str]) -> None:
    with pytest.raises(ValueError) as err:
        GatePolicy.from_settings(settings)
    for word in words:
        assert word in str(err.value)


def test_direct_construction_checks_names() -> None:
    with pytest.raises(ValueError, match="'gone'"):
        GatePolicy(warn_on=frozenset({"gone"}))


def test_inconclusive_run_reports_network_failures_as_not_checked(
    make_status: MakeStatus,
) -> None:
    refused = source("refused", "http://a.example/r.pdf", "broken", reason="connection refused")
    refused["error_kind"] = "connection_refused"
    dns = source(
        "dns",
        "http://b.example/r.pdf",
        "broken",
        reason="name does not resolve",
        archive=archive(),
        cited=[("sheet", 2)],
    )
    dns["error_kind"] = "dns"
    answered = source("gone", "http://c.example/r.pdf", "broken", status=404, cited=[("sheet", 3)])
    earlier = source("old", "http://d.example/r.pdf", "broken", cited=[("sheet", 4)])
    earlier["error_kind"] = "connection_refused"
    earlier["checked_at"] = (T - timedelta(days=1)).isoformat()
    status = make_status(refused, dns, answered, earlier, inconclusive=True)

    outcome = judge(status)
    by_source = {f.source_id: f for f in outcome.findings}
    for sid in ("refused", "dns"):
        finding = by_source[sid]
        assert (finding.severity, finding.rule) == (Severity.FAIL, "unchecked")
        assert finding.title == "Citation not checked"
        assert "network looked down" in finding.message
        assert "broken" not in finding.message.replace(finding.url, "")
        # A copy is not offered for a source that may be fine.
        assert finding.archive_url is None
    assert "connection refused" in by_source["refused"].reason
    # A host that answered, and a check from an earlier run, keep their verdicts.
    assert (by_source["gone"].severity, by_source["gone"].rule) == (Severity.FAIL, "broken")
    assert (by_source["old"].severity, by_source["old"].rule) == (Severity.FAIL, "broken")

    lenient = judge(status, GatePolicy(fail_on_unknown_verdict=False))
    assert {f.source_id: f.severity for f in lenient.findings}["refused"] is Severity.WARN

    # The same results in a conclusive run are broken citations.
    status["run"]["inconclusive"] = False
    assert {f.source_id: f.rule for f in judge(status).findings}["refused"] == "broken"
