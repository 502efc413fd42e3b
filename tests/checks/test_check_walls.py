"""Pages that stand in front of the source: bot challenges whatever their status,
challenge interstitials, application shells written by scripts, and login forms. All
are inconclusive (blocked), never evidence that the source is gone or fine."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote

from checks.model import ClaimSpec, Verdict
from checks.verdict import Evidence, decide
from tests.checks.conftest import Check
from tests.checks.pages import CHALLENGE, LOGIN, REPORT
from tests.checks.server import LoopbackServer, Reply

AWS_CAPTCHA = (
    b'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title></title>'
    b'<script src="https://abc.edge.sdk.awswaf.com/abc/def/challenge.js"></script>'
    b'<script>window.gokuProps = {"key":"AQID","iv":"A6we","context":"x"};</script>'
    b'</head><body><div id="captcha-container"></div>'
    b"<script>AwsWafIntegration.checkForceRefresh()</script><noscript><h1>JavaScript is"
    b" disabled</h1>In order to continue, you need to verify that you're not a robot by"
    b" solving a CAPTCHA puzzle.</noscript></body></html>"
)

SHELL = (
    b'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>State Data Portal'
    b'</title><script defer src="/static/js/main.8a1b2c.js"></script></head><body>'
    b"<noscript>You need to enable JavaScript to run this app.</noscript>"
    b'<div id="root"></div></body></html>'
)

PROTECTED = (
    b"<html><head><title>Protected: 2023 Annual Report &#8211; County Health</title></head>"
    b"<body><header><nav><a href='/'>Home</a> <a href='/about'>About</a></nav></header>"
    b"<main><article><h1>Protected: 2023 Annual Report</h1>"
    b"<form action='/wp-login.php?action=postpass' class='post-password-form' method='post'>"
    b"<p>This content is password protected. To view it please enter your password"
    b" below:</p><p><label for='pwbox-42'>Password: <input name='post_password'"
    b" id='pwbox-42' type='password' size='20' /></label> <input type='submit'"
    b" name='Submit' value='Enter' /></p></form></article></main>"
    b"<footer>Copyright County Health</footer></body></html>"
)


# --- challenges answered with an unusual status ---


def test_aws_waf_captcha_answered_with_405_is_blocked(server: LoopbackServer, check: Check) -> None:
    server.route("/report", Reply(405, headers={"x-amzn-waf-action": "captcha"}, body=AWS_CAPTCHA))
    result = check(server.url("/report"))
    assert result.verdict is Verdict.BLOCKED
    assert result.reason == "405 Method Not Allowed: bot challenge (AWS WAF)"


def test_cloudflare_challenge_answered_with_400_is_blocked(
    server: LoopbackServer, check: Check
) -> None:
    server.route(
        "/report",
        Reply(400, headers={"cf-mitigated": "challenge", "Server": "cloudflare"}, body=CHALLENGE),
    )
    result = check(server.url("/report"))
    assert result.verdict is Verdict.BLOCKED
    assert result.reason == "400 Bad Request: bot challenge (Cloudflare)"


def test_a_challenge_outranks_any_client_error_status() -> None:
    base = Evidence(requested_url="http://example.org/r", status=405)
    assert decide(base).verdict is Verdict.BROKEN
    for status in (400, 404, 405, 412):
        walled = replace(base, status=status, challenge="bot challenge (AWS WAF)")
        assert decide(walled).verdict is Verdict.BLOCKED


# --- challenge interstitials ---


def test_202_refreshing_to_a_captcha_that_carries_the_path_is_blocked(
    server: LoopbackServer, check: Check
) -> None:
    refresh = (
        b'<html><head><meta http-equiv="refresh" content="0;/.well-known/sgcaptcha/'
        b'?r=%2Freports%2F2023-annual&y=ipc:1.2.3.4:1700000000.000"></meta></head></html>'
    )
    screen = (
        b"<html><head><title>Robot Challenge Screen</title></head><body><h1>Checking the"
        b" site connection security</h1><p>Please wait while we check your browser.</p>"
        b"<script src='/.well-known/sgcaptcha/pow.js'></script></body></html>"
    )
    server.route("/.well-known/sgcaptcha/", Reply(body=screen))
    server.fallback = lambda seen: Reply(202, headers={"sg-captcha": "challenge"}, body=refresh)
    result = check(server.url("/reports/2023-annual"))
    assert result.verdict is Verdict.BLOCKED
    assert result.reason == (
        "200 OK: bot challenge (interstitial at 127.0.0.1/.well-known/sgcaptcha/)"
    )
    assert result.suggested_url is None


def test_redirect_to_a_challenge_carrying_the_whole_url_is_blocked(
    server: LoopbackServer, check: Check
) -> None:
    cited = server.url("/2023/05/article-123.html")
    back = quote(cited, safe="")
    server.route(
        "/2023/05/article-123.html",
        Reply(302, headers={"Location": f"/challenge?returnUrl={back}"}, content_type=None),
    )
    server.route("/challenge", Reply(body=b"<title>One more step</title><p>Please wait.</p>"))
    result = check(cited)
    assert result.verdict is Verdict.BLOCKED
    assert "interstitial" in result.reason


def test_redirect_to_a_page_about_challenges_is_not_a_wall(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/old", Reply(301, headers={"Location": "/challenges/2023"}, content_type=None))
    server.route("/challenges/2023", Reply(body=REPORT))
    result = check(server.url("/old"))
    assert result.verdict is Verdict.MOVED


# --- application shells ---


def test_script_shell_on_a_host_that_serves_it_for_every_path_is_blocked(
    server: LoopbackServer, check: Check
) -> None:
    server.fallback = lambda seen: Reply(body=SHELL)
    result = check(server.url("/dashboards/child-welfare"))
    assert result.verdict is Verdict.BLOCKED
    assert result.reason == (
        "200 OK: page needs a browser (no text without JavaScript: the page is built by"
        " its scripts)"
    )
    assert [seen.path for seen in server.log] == ["/dashboards/child-welfare"]  # no probe


def test_page_with_scripts_and_its_own_text_is_ok(server: LoopbackServer, check: Check) -> None:
    page = REPORT.replace(b"</head>", b"<script src='/app.js'></script></head>")
    server.route("/report", Reply(body=page))
    assert check(server.url("/report")).verdict is Verdict.OK


def test_script_shell_cited_as_a_pdf_is_still_a_type_mismatch(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/files/report.pdf", Reply(body=SHELL))
    result = check(server.url("/files/report.pdf"), expect_content_type="application/pdf")
    assert result.verdict is Verdict.TYPE_MISMATCH


# --- login walls ---


def test_password_protected_post_is_blocked(server: LoopbackServer, check: Check) -> None:
    server.route("/2023/annual-report/", Reply(body=PROTECTED))
    plain = check(server.url("/2023/annual-report/"))
    claimed = check(server.url("/2023/annual-report/"), claims=(ClaimSpec("c", "100,000"),))
    for result in (plain, claimed):
        assert result.verdict is Verdict.BLOCKED
        assert result.reason == "200 OK: login page (a password form stands in for the content)"


def test_sign_in_page_is_blocked(server: LoopbackServer, check: Check) -> None:
    server.route("/members/report", Reply(body=LOGIN))
    assert check(server.url("/members/report")).verdict is Verdict.BLOCKED


def test_page_with_a_login_box_beside_its_text_is_ok(server: LoopbackServer, check: Check) -> None:
    box = (
        b"<aside><form action='/login' method='post'><input name='u'>"
        b"<input type='password' name='p'><button>Log in</button></form></aside>"
    )
    server.route("/report", Reply(body=REPORT.replace(b"</body>", box + b"</body>")))
    assert check(server.url("/report")).verdict is Verdict.OK


def test_login_page_cited_as_a_pdf_stays_a_type_mismatch(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/files/report.pdf", Reply(body=LOGIN))
    result = check(server.url("/files/report.pdf"), expect_content_type="application/pdf")
    assert result.verdict is Verdict.TYPE_MISMATCH


def test_short_page_holding_its_cited_evidence_beside_a_login_form_is_ok(
    server: LoopbackServer, check: Check
) -> None:
    page = (
        b"<html><head><title>Rates</title></head><body><h1>Rate: 4.2 percent</h1>"
        b"<form method='post' action='/login'><input name='u'>"
        b"<input type='password' name='p'><button>Log in</button></form></body></html>"
    )
    server.route("/rates", Reply(body=page))
    result = check(server.url("/rates"), claims=(ClaimSpec("rate", "4.2 percent"),))
    assert result.verdict is Verdict.OK


def test_a_stand_in_page_ranks_below_gone_and_wrong_kind_and_above_content() -> None:
    shell = "page needs a browser (no text without JavaScript: the page is built by its scripts)"
    ev = Evidence(
        requested_url="http://example.org/app/route",
        final_url="http://example.org/app/route",
        status=200,
        needs_browser=shell,
        anchor_missing="anchor #x not found in the page",
        claim_missing="claim not found: c",
    )
    assert decide(ev).verdict is Verdict.BLOCKED
    assert decide(ev).reason == f"200 OK: {shell}"
    assert decide(replace(ev, type_mismatch="cited as application/pdf")).verdict is (
        Verdict.TYPE_MISMATCH
    )
    assert decide(replace(ev, soft_404="redirected to a parent page")).verdict is Verdict.SOFT_404
