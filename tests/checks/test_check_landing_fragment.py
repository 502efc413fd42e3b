"""A redirect whose Location names a fragment lands the reader there (RFC 9110,
10.2.2): the anchor checked is that one, not the one cited."""

from __future__ import annotations

from checks.model import Verdict
from tests.checks.conftest import Check
from tests.checks.pages import REPORT
from tests.checks.server import LoopbackServer, Reply


def test_anchor_checked_is_the_one_the_redirect_named(server: LoopbackServer, check: Check) -> None:
    server.route("/old.html", Reply(301, headers={"Location": "/report.html#methods"}))
    server.route("/report.html", Reply(body=REPORT))
    result = check(server.url("/old.html#background"))
    assert result.verdict is Verdict.MOVED, result.reason
    assert result.suggested_url == server.url("/report.html#methods")


def test_anchor_the_redirect_named_missing_from_the_page_is_reported(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/old.html", Reply(301, headers={"Location": "/report.html#results"}))
    server.route("/report.html", Reply(body=REPORT))
    result = check(server.url("/old.html#intro"))
    assert result.verdict is Verdict.ANCHOR_MISSING
    assert result.reason == "anchor #results not found in the page"
