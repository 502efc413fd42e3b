"""What the served page says: soft 404s, catch-all hosts, parked domains, content
types, anchors and claims."""

from __future__ import annotations

from checks.model import ClaimSpec, Verdict
from tests.checks.conftest import Check, FakeTime
from tests.checks.pages import LOGIN, NOT_FOUND_PAGE, PARKED, PDF, REPORT
from tests.checks.server import LoopbackServer, Reply


def test_page_saying_not_found_is_a_soft_404(server: LoopbackServer, check: Check) -> None:
    server.route("/reports/old.html", Reply(body=NOT_FOUND_PAGE))
    result = check(server.url("/reports/old.html"))
    assert result.verdict is Verdict.SOFT_404
    assert result.reason.startswith('soft 404: page reads as "not found"')
    assert result.status == 200


def test_catch_all_host_is_a_soft_404_probed_once_per_directory(
    server: LoopbackServer, check: Check
) -> None:
    server.fallback = lambda seen: Reply(body=REPORT)  # every path: the same page
    first = check(server.url("/pubs/item-2019.html"))
    second = check(server.url("/pubs/item-2020.html"))
    for result in (first, second):
        assert result.verdict is Verdict.SOFT_404
        assert "catch-all" in result.reason
    cited = {"/pubs/item-2019.html", "/pubs/item-2020.html"}
    probes = [s.path for s in server.log if s.path not in cited]
    assert len(probes) == 1
    assert probes[0].startswith("/pubs/") and probes[0].endswith(".html")


def test_real_page_whose_siblings_are_404_is_ok(server: LoopbackServer, check: Check) -> None:
    server.route("/pubs/labour-2019.html", Reply(body=REPORT))
    result = check(server.url("/pubs/labour-2019.html"))
    assert (result.verdict, result.reason) == (Verdict.OK, "200 OK")
    probes = [s.path for s in server.log if s.path != "/pubs/labour-2019.html"]
    assert len(probes) == 1  # the probe was made, and answered 404


def test_found_claims_skip_the_catch_all_probe(server: LoopbackServer, check: Check) -> None:
    server.fallback = lambda seen: Reply(body=REPORT)
    claim = ClaimSpec(id="rate", evidence="4.2 percent")
    result = check(server.url("/pubs/labour-2019.html"), claims=(claim,))
    assert result.verdict is Verdict.OK
    assert [s.path for s in server.log] == ["/pubs/labour-2019.html"]


def test_parked_domain_is_a_soft_404(server: LoopbackServer, check: Check) -> None:
    server.route("/reports/2019.html", Reply(body=PARKED))
    result = check(server.url("/reports/2019.html"))
    assert result.verdict is Verdict.SOFT_404
    assert "parked or for-sale domain" in result.reason


def test_pdf_cited_but_login_page_served_is_a_type_mismatch(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/files/report.pdf", Reply(body=LOGIN))
    result = check(server.url("/files/report.pdf"), expect_content_type="application/pdf")
    assert result.verdict is Verdict.TYPE_MISMATCH
    assert result.reason == "cited as application/pdf, served text/html (login page?)"


def test_pdf_served_with_a_generic_type_is_still_the_pdf(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/files/report.pdf", Reply(body=PDF, content_type="application/octet-stream"))
    result = check(server.url("/files/report.pdf"), expect_content_type="application/pdf")
    assert result.verdict is Verdict.OK


def test_xhtml_is_compatible_with_html(server: LoopbackServer, check: Check) -> None:
    server.route("/page", Reply(body=REPORT, content_type="application/xhtml+xml"))
    result = check(server.url("/page"), expect_content_type="text/html")
    assert result.verdict is Verdict.OK


def test_anchor_present_is_ok_and_missing_is_anchor_missing(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/report", Reply(body=REPORT))
    present = check(server.url("/report#methods"))
    missing = check(server.url("/report#results"))
    assert present.verdict is Verdict.OK
    assert missing.verdict is Verdict.ANCHOR_MISSING
    assert missing.reason == "anchor #results not found in the page"


def test_script_routes_are_not_anchors(server: LoopbackServer, check: Check) -> None:
    server.route("/app", Reply(body=REPORT))
    assert check(server.url("/app#/reports/2019")).verdict is Verdict.OK
    assert check(server.url("/app#!state")).verdict is Verdict.OK


def test_claims_found_and_missing(server: LoopbackServer, check: Check) -> None:
    server.route("/report", Reply(body=REPORT))
    found = ClaimSpec(id="rate", evidence="4.2 percent")
    gone = ClaimSpec(id="youth-rate", evidence="11.7 percent")
    result = check(server.url("/report"), claims=(found, gone))
    assert result.verdict is Verdict.CLAIM_MISSING
    assert result.reason == "claim not found: youth-rate"
    assert {(f.claim_id, f.found) for f in result.claims} == {("rate", True), ("youth-rate", False)}


def test_lenient_claims_only_warn(server: LoopbackServer, check: Check) -> None:
    server.route("/report", Reply(body=REPORT))
    soft = ClaimSpec(id="wording", evidence="nine in ten residents", lenient=True)
    result = check(server.url("/report"), claims=(soft,))
    assert result.verdict is not Verdict.CLAIM_MISSING
    assert "claim wording not found (lenient)" in result.warnings


def test_missing_text_fragment_is_claim_missing(server: LoopbackServer, check: Check) -> None:
    server.route("/report", Reply(body=REPORT))
    result = check(server.url("/report#:~:text=9.9%20percent"))
    assert result.verdict is Verdict.CLAIM_MISSING
    assert result.reason == "text fragment not found"


def test_unreadable_pdf_keeps_the_http_verdict_with_a_warning(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/scan.pdf", Reply(body=PDF, content_type="application/pdf"))
    claim = ClaimSpec(id="rate", evidence="4.2 percent")
    result = check(server.url("/scan.pdf"), claims=(claim,), expect_content_type="application/pdf")
    assert result.verdict is Verdict.OK
    assert any(w.startswith("claims not checkable: ") for w in result.warnings)


def test_error_page_bodies_are_read_only_a_little(server: LoopbackServer, check: Check) -> None:
    big = b"<html><body>" + b"x" * 500_000 + b"</body></html>"
    server.route("/err", Reply(500, body=big))
    result = check(server.url("/err"))
    assert result.verdict is Verdict.TRANSIENT
    assert result.bytes_read <= 64 * 1024


def test_probe_answered_with_500_is_asked_once_and_slows_nothing(
    server: LoopbackServer, check: Check, fake_time: FakeTime
) -> None:
    server.route("/pubs/labour-2019.html", Reply(body=REPORT))
    server.fallback = lambda seen: Reply(500, body=b"<p>error</p>")
    result = check(server.url("/pubs/labour-2019.html"))
    assert result.verdict is Verdict.OK
    assert len([s for s in server.log if s.path != "/pubs/labour-2019.html"]) == 1
    assert fake_time.sleeps == []
