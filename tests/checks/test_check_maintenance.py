"""Sites down for maintenance that answer 200: the maintenance notice stands in for
the source, which will be back. Transient, never a missing claim or a soft 404."""

from __future__ import annotations

from checks.model import ClaimSpec, Verdict
from checks.verdict import Evidence, decide
from tests.checks.conftest import Check
from tests.checks.pages import REPORT
from tests.checks.server import LoopbackServer, Reply

CLAIMS = (ClaimSpec(id="rate", evidence="4.2 percent"),)
NOTICE = (
    b"<html><head><title>Site Maintenance</title></head><body><h1>Sorry for the"
    b" inconvenience</h1><p>This site is currently undergoing scheduled maintenance."
    b" Please check back later.</p></body></html>"
)
ROADS = (
    b"<html><head><title>Road maintenance</title></head><body><h1>Road maintenance</h1>"
    b"<p>Public Works crews are performing scheduled maintenance on county roads. The"
    b" unemployment rate was 4.2 percent.</p></body></html>"
)


def test_every_path_sent_to_a_maintenance_page_is_transient(
    server: LoopbackServer, check: Check
) -> None:
    # The whole site redirects to one page: not a catch-all host, not content drift.
    server.fallback = lambda seen: Reply(302, headers={"Location": "/maintenance.html"})
    server.route("/maintenance.html", Reply(body=b"<title>Back soon</title><p>Back soon.</p>"))
    for claims in ((), CLAIMS):
        result = check(server.url("/reports/2019/labour.html"), claims=claims)
        assert result.verdict is Verdict.TRANSIENT
        assert result.reason == (
            "200 OK: the site sent the request to a maintenance page (127.0.0.1/maintenance.html)"
        )


def test_a_refresh_to_a_maintenance_page_is_transient(server: LoopbackServer, check: Check) -> None:
    refresh = b'<meta http-equiv="refresh" content="0; url=/maintenance.html"><p>Moment.</p>'
    server.route("/reports/2019/labour.html", Reply(body=refresh))
    server.route("/maintenance.html", Reply(body=b"<title>Back soon</title><p>Back soon.</p>"))
    result = check(server.url("/reports/2019/labour.html"), claims=CLAIMS)
    assert result.verdict is Verdict.TRANSIENT
    assert "sent the request to a maintenance page" in result.reason


def test_maintenance_notice_served_at_the_cited_url_is_transient(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/reports/2019", Reply(body=NOTICE))
    result = check(server.url("/reports/2019"), claims=CLAIMS)
    assert result.verdict is Verdict.TRANSIENT
    assert "down for maintenance" in result.reason


def test_load_balancer_sorry_page_is_transient(server: LoopbackServer, check: Check) -> None:
    server.route("/reports/2019", Reply(302, headers={"Location": "/sorry.html"}))
    server.route(
        "/sorry.html",
        Reply(body=b"<title>Service Unavailable</title><h1>Service Temporarily Unavailable</h1>"),
    )
    result = check(server.url("/reports/2019"), claims=CLAIMS)
    assert result.verdict is Verdict.TRANSIENT


def test_a_page_about_maintenance_is_read_as_a_page(server: LoopbackServer, check: Check) -> None:
    server.route("/roads", Reply(body=ROADS))
    server.route("/maintenance", Reply(body=REPORT))
    assert check(server.url("/roads")).verdict is Verdict.OK
    assert check(server.url("/maintenance"), claims=CLAIMS).verdict is Verdict.OK


def test_maintenance_outranks_what_the_notice_page_itself_shows() -> None:
    base = Evidence(requested_url="http://example.org/r", status=200, unavailable="down")
    assert decide(base).verdict is Verdict.TRANSIENT
    assert (
        decide(
            Evidence(
                requested_url="http://example.org/r",
                status=200,
                unavailable="down",
                soft_404="redirected to the home page",
                claim_missing="claim not found: rate",
            )
        ).verdict
        is Verdict.TRANSIENT
    )
