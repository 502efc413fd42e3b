"""A type expected because earlier checks were served it, not because it was cited:
judged as a cited type is, with a reason that says where the expectation came from,
except that a page holding every claim cited from it is taken for the document."""

from __future__ import annotations

from datetime import UTC, datetime

from checks.model import ClaimSpec, ExpectOrigin, Verdict
from tests.checks.conftest import Check
from tests.checks.pages import LOGIN, PDF, REPORT
from tests.checks.server import LoopbackServer, Reply

SEEN = datetime(2026, 11, 2, 23, 30, tzinfo=UTC)
LEARNED = {
    "expect_content_type": "application/pdf",
    "expect_origin": ExpectOrigin.LEARNED,
    "expect_seen_at": SEEN,
}


def test_a_login_page_where_a_pdf_was_served_names_when_it_last_was(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/files/report.pdf", Reply(body=LOGIN))
    result = check(server.url("/files/report.pdf"), **LEARNED)
    assert result.verdict is Verdict.TYPE_MISMATCH
    assert result.reason == "served a PDF until 2026-11-02, now text/html (login page?)"


def test_a_page_labelled_as_the_pdf_shows_its_label(server: LoopbackServer, check: Check) -> None:
    server.route("/files/report.pdf", Reply(body=REPORT, content_type="application/pdf"))
    result = check(server.url("/files/report.pdf"), **LEARNED)
    assert result.verdict is Verdict.TYPE_MISMATCH
    assert result.reason == (
        "served a PDF until 2026-11-02, now text/html (labelled application/pdf)"
    )


def test_an_empty_body_where_a_pdf_was_served(server: LoopbackServer, check: Check) -> None:
    server.route("/files/report.pdf", Reply(body=b"\n", content_type="application/pdf"))
    result = check(server.url("/files/report.pdf"), **LEARNED)
    assert result.verdict is Verdict.TYPE_MISMATCH
    assert result.reason == "served a PDF until 2026-11-02, now an empty body"


def test_the_pdf_still_served_under_another_label_fits(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/files/report.pdf", Reply(body=PDF, content_type="application/octet-stream"))
    assert check(server.url("/files/report.pdf"), **LEARNED).verdict is Verdict.OK


def test_a_learned_type_other_than_a_pdf_is_named_by_its_media_type(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/data.xml", Reply(body=REPORT))
    learned = {**LEARNED, "expect_content_type": "application/xml"}
    result = check(server.url("/data.xml"), **learned)
    assert result.reason == "served application/xml until 2026-11-02, now text/html"


def test_a_learned_type_without_a_time_says_only_before(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/files/report.pdf", Reply(body=LOGIN))
    result = check(server.url("/files/report.pdf"), **{**LEARNED, "expect_seen_at": None})
    assert result.reason == "served a PDF before, now text/html (login page?)"


RATE = ClaimSpec(id="rate", evidence="4.2 percent")


def test_a_page_holding_every_claim_fits_where_a_pdf_was_served(
    server: LoopbackServer, check: Check
) -> None:
    # The report republished as a web page: it is what was cited, not a stand-in.
    server.route("/files/report.pdf", Reply(body=REPORT))
    earlier = ClaimSpec(id="earlier", evidence="4.9 percent")
    result = check(server.url("/files/report.pdf"), claims=(RATE, earlier), **LEARNED)
    assert (result.verdict, result.reason) == (Verdict.OK, "200 OK")
    assert [finding.found for finding in result.claims] == [True, True]


def test_a_page_missing_a_claim_is_still_judged_against_the_learned_pdf(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/files/report.pdf", Reply(body=REPORT))
    gone = ClaimSpec(id="gone", evidence="7.5 percent")
    result = check(server.url("/files/report.pdf"), claims=(RATE, gone), **LEARNED)
    assert result.verdict is Verdict.TYPE_MISMATCH
    assert result.reason == "served a PDF until 2026-11-02, now text/html"


def test_a_cited_pdf_is_not_met_by_a_page_holding_the_claims(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/files/report.pdf", Reply(body=REPORT))
    result = check(
        server.url("/files/report.pdf"), claims=(RATE,), expect_content_type="application/pdf"
    )
    assert result.verdict is Verdict.TYPE_MISMATCH
    assert result.reason == "cited as application/pdf, served text/html"
