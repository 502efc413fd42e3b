"""Cookie consent walls: a redirect to a consent page (on the site, or on a consent
host of its own) stands in front of the source, which was never seen. Inconclusive
(blocked), never "gone" or "fine"."""

from __future__ import annotations

from urllib.parse import quote

from checks.model import Verdict
from tests.checks.conftest import Check
from tests.checks.pages import REPORT
from tests.checks.server import LoopbackServer, Reply, Seen

GOOGLE_CONSENT = (
    b"<html><head><title>Before you continue</title></head><body><h1>Before you continue"
    b"</h1><p>We use cookies and data to deliver and maintain our services.</p>"
    b"<form method='post' action='/save'><input type='hidden' name='continue'>"
    b"<button>Reject all</button><button>Accept all</button></form></body></html>"
)
PRIVACY_SETTINGS = (
    b"<html><head><title>Privacy settings</title></head><body><h1>Your privacy settings"
    b"</h1><p>We and our partners use cookies.</p><button>Agree</button></body></html>"
)


def test_redirect_to_a_consent_host_carrying_the_url_is_blocked(
    server: LoopbackServer, check: Check
) -> None:
    cited = server.url("/maps/report-2019", host="www.example.org")
    consent = server.url(f"/ml?continue={quote(cited, safe='')}", host="consent.example.org")
    server.route("/maps/report-2019", Reply(302, headers={"Location": consent}))
    server.route("/ml", Reply(body=GOOGLE_CONSENT))
    result = check(cited)
    assert result.verdict is Verdict.BLOCKED
    assert result.reason == "200 OK: consent wall (cookie consent page at consent.example.org/ml)"


def test_consent_page_at_the_root_of_another_host_is_not_a_soft_404(
    server: LoopbackServer, check: Check
) -> None:
    # The consent manager's own host serves its page at "/": not the cited site's
    # home page, so no "deep link sent to the home page".
    cited = server.url("/nieuws/2019/report.html", host="www.news.example")
    wall = server.url(f"/?redirect={quote(cited, safe='')}", host="myprivacy.media.example")
    server.route("/nieuws/2019/report.html", Reply(303, headers={"Location": wall}))
    server.route("/", Reply(body=PRIVACY_SETTINGS))
    result = check(cited)
    assert result.verdict is Verdict.BLOCKED
    assert result.reason == "200 OK: consent wall (cookie consent page at myprivacy.media.example/)"


def test_consent_host_without_the_url_in_its_query_is_blocked(
    server: LoopbackServer, check: Check
) -> None:
    cited = server.url("/news/article-123", host="news.portal.example")
    session = server.url(
        "/v2/collectConsent?sessionId=3_cc-session_abc", host="consent.portal.example"
    )
    server.route("/news/article-123", Reply(302, headers={"Location": session}))
    server.route("/v2/collectConsent", Reply(body=PRIVACY_SETTINGS))
    result = check(cited)
    assert result.verdict is Verdict.BLOCKED
    assert "consent wall" in result.reason


def test_consent_page_on_the_site_that_carries_the_path_back_is_blocked(
    server: LoopbackServer, check: Check
) -> None:
    server.route(
        "/reports/2019",
        Reply(302, headers={"Location": "/cookie-consent?returnUrl=%2Freports%2F2019"}),
    )
    server.route("/cookie-consent", Reply(body=PRIVACY_SETTINGS))
    result = check(server.url("/reports/2019"))
    assert result.verdict is Verdict.BLOCKED
    assert result.reason == "200 OK: consent wall (cookie consent page at 127.0.0.1/cookie-consent)"


def test_consent_redirect_that_comes_back_to_the_page_saw_the_page(
    server: LoopbackServer, check: Check
) -> None:
    def report(seen: Seen) -> Reply:
        if "consent=stored" in seen.headers.get("cookie", ""):
            return Reply(body=REPORT)
        return Reply(302, headers={"Location": "/consent?returnUrl=%2Freports%2F2019"})

    server.route("/reports/2019", report)
    server.route(
        "/consent",
        Reply(
            302,
            headers={"Location": "/reports/2019", "Set-Cookie": "consent=stored; Path=/"},
        ),
    )
    result = check(server.url("/reports/2019"))
    assert result.verdict is Verdict.OK


def test_redirect_to_a_page_about_consent_is_no_wall(server: LoopbackServer, check: Check) -> None:
    server.route("/old", Reply(301, headers={"Location": "/research/consent"}))
    server.route("/research/consent", Reply(body=REPORT))
    result = check(server.url("/old"))
    assert result.verdict is Verdict.MOVED
