"""Pages that stand in front of the source: bot challenges whatever their status,
challenge interstitials, application shells written by scripts, and login forms. All
are inconclusive (blocked), never evidence that the source is gone or fine."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote

import pytest

from checks import botwall
from checks.model import ClaimSpec, Verdict
from checks.verdict import ChallengeProof, Evidence, decide
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


def test_a_challenge_outranks_a_client_error_as_far_as_its_proof_goes() -> None:
    base = Evidence(requested_url="http://example.org/r", status=405)
    assert decide(base).verdict is Verdict.BROKEN
    outranked = {
        ChallengeProof.EXPLICIT: {400, 404, 405, 410, 412},
        ChallengeProof.VENDOR: {400, 405, 412},
        ChallengeProof.WORDING: set(),
    }
    for proof, statuses in outranked.items():
        for status in (400, 404, 405, 410, 412):
            walled = replace(base, status=status, challenge="bot challenge", challenge_proof=proof)
            expected = Verdict.BLOCKED if status in statuses else Verdict.BROKEN
            assert (proof, status, decide(walled).verdict) == (proof, status, expected)


RECAPTCHA_404 = (
    b"<html><head><title>Page not found</title><script src='https://www.google.com/recaptcha"
    b"/api.js?render=6Lc'></script></head><body><h1>Page not found</h1><p>Sorry, the page"
    b" you requested could not be found.</p></body></html>"
)


@pytest.mark.parametrize("status", [404, 410])
def test_a_missing_page_on_a_site_that_loads_a_captcha_everywhere_is_broken(
    server: LoopbackServer, check: Check, status: int
) -> None:
    server.route("/gone", Reply(status, body=RECAPTCHA_404))
    result = check(server.url("/gone"))
    assert result.verdict is Verdict.BROKEN


def test_human_check_wording_on_a_client_error_is_not_a_wall(
    server: LoopbackServer, check: Check
) -> None:
    page = b"<html><title>Bad request</title><p>Please verify you are human.</p></html>"
    server.route("/report", Reply(400, body=page))
    assert check(server.url("/report")).verdict is Verdict.BROKEN


def test_vendor_challenge_markers_outrank_a_400_but_not_a_404(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/report", Reply(400, body=AWS_CAPTCHA))
    server.route("/gone", Reply(404, body=AWS_CAPTCHA))
    walled, gone = check(server.url("/report")), check(server.url("/gone"))
    assert (walled.verdict, walled.reason) == (
        Verdict.BLOCKED,
        "400 Bad Request: bot challenge (AWS WAF)",
    )
    assert (gone.verdict, gone.reason) == (Verdict.BROKEN, "404 Not Found")


def test_a_404_the_vendor_names_a_challenge_is_blocked(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/report", Reply(404, headers={"cf-mitigated": "challenge"}, body=CHALLENGE))
    result = check(server.url("/report"))
    assert (result.verdict, result.reason) == (
        Verdict.BLOCKED,
        "404 Not Found: bot challenge (Cloudflare)",
    )


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


def test_an_interstitial_that_also_asks_to_verify_a_human_stays_blocked(
    server: LoopbackServer, check: Check
) -> None:
    # The wording alone cannot outrank a 400; the redirect through the wall can, and
    # the wording must not hide it.
    cited = server.url("/2023/05/article-123.html")
    back = quote(cited, safe="")
    server.route(
        "/2023/05/article-123.html",
        Reply(302, headers={"Location": f"/challenge?returnUrl={back}"}, content_type=None),
    )
    worded = b"<title>One more step</title><p>Please verify you are human to continue.</p>"
    server.route("/challenge", Reply(400, body=worded))
    result = check(cited)
    assert result.verdict is Verdict.BLOCKED
    assert result.reason == ("400 Bad Request: bot challenge (interstitial at 127.0.0.1/challenge)")


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


@pytest.mark.parametrize(
    "hidden",
    [
        b"<noscript><iframe src='https://www.googletagmanager.com/ns.html?id=GTM-ABC123'"
        b" height='0' width='0' style='display:none'></iframe></noscript>",
        b"<noscript><img height='1' width='1' style='display:none'"
        b" src='https://www.facebook.com/tr?id=1&ev=PageView&noscript=1'/></noscript>",
    ],
)
def test_a_script_shell_with_a_tag_manager_or_pixel_for_readers_without_scripts_is_blocked(
    server: LoopbackServer, check: Check, hidden: bytes
) -> None:
    shell = SHELL.replace(b"<body>", b"<body>" + hidden)
    server.fallback = lambda seen: Reply(body=shell)
    result = check(server.url("/dashboards/child-welfare"))
    assert result.verdict is Verdict.BLOCKED
    assert "page needs a browser" in result.reason


GTAG = b"<script async src='https://www.googletagmanager.com/gtag/js?id=G-1'></script>"


@pytest.mark.parametrize(
    "content",
    [
        b"<img src='/infographic.png' alt=''>",
        b"<embed src='/report.pdf' type='application/pdf' width='100%' height='900'>",
        b"<iframe src='/viewer?file=report.pdf'></iframe>",
        b"<object data='/report.pdf' type='application/pdf'></object>",
        b"<video src='/briefing.mp4' controls></video>",
        b"<picture><source srcset='/chart.webp'></picture>",
    ],
)
def test_a_picture_or_embedded_document_with_analytics_is_not_a_script_shell(
    server: LoopbackServer, check: Check, content: bytes
) -> None:
    page = b"<!doctype html><html><head><title>Infographic</title>" + GTAG + b"</head><body>"
    server.route("/infographic", Reply(body=page + content + b"</body></html>"))
    assert check(server.url("/infographic")).verdict is Verdict.OK


def test_a_short_page_without_a_mount_point_is_not_a_script_shell(
    server: LoopbackServer, check: Check
) -> None:
    page = b"<html><head><title>Note</title>" + GTAG + b"</head><body><p>See below.</p></body>"
    server.route("/note", Reply(body=page))
    assert check(server.url("/note")).verdict is Verdict.OK


@pytest.mark.parametrize(
    "body",
    [
        b"<div id='__next'></div><script src='/_next/static/main.js'></script>",
        b"<app-root></app-root><script src='/main.js'></script>",
        b"<script src='/main.dart.js'></script><noscript>Turn on JavaScript.</noscript>",
    ],
)
def test_an_empty_mount_point_or_a_body_of_scripts_is_a_script_shell(
    server: LoopbackServer, check: Check, body: bytes
) -> None:
    page = b"<!doctype html><html><head><title>Portal</title></head><body>" + body
    server.route("/portal/report", Reply(body=page + b"</body></html>"))
    assert check(server.url("/portal/report")).verdict is Verdict.BLOCKED


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


def test_sign_in_form_with_a_heading_and_lines_of_help_is_blocked(
    server: LoopbackServer, check: Check
) -> None:
    page = (
        b"<!doctype html><html><head><title>Sign in</title></head><body>"
        b"<header><nav><a href='/'>Home</a></nav></header>"
        b"<form method='post' action='/login'><h2>Sign in to your account</h2>"
        b"<p>Use the email address you registered with.</p>"
        b"<label for='e'>Email address</label> <input id='e' type='email' name='email'>"
        b"<label for='p'>Password</label> <input id='p' type='password' name='password'>"
        b"<label><input type='checkbox' name='remember'> Keep me signed in on this"
        b" device</label><button type='submit'>Sign in</button>"
        b"<p>By signing in you agree to our Terms of Use and Privacy Policy.</p>"
        b"<p><a href='/forgot'>Forgot your password?</a>"
        b" <a href='/register'>Create an account</a></p></form>"
        b"<footer>Copyright 2024 Example Journal</footer></body></html>"
    )
    server.route("/journal/article", Reply(body=page))
    result = check(server.url("/journal/article"))
    assert (result.verdict, result.reason) == (
        Verdict.BLOCKED,
        "200 OK: login page (a password form stands in for the content)",
    )


def test_page_with_a_login_box_beside_its_text_is_ok(server: LoopbackServer, check: Check) -> None:
    box = (
        b"<aside><form action='/login' method='post'><input name='u'>"
        b"<input type='password' name='p'><button>Log in</button></form></aside>"
    )
    server.route("/report", Reply(body=REPORT.replace(b"</body>", box + b"</body>")))
    assert check(server.url("/report")).verdict is Verdict.OK


PARAGRAPHS = b"".join(
    b"<p>Paragraph %d of the county's annual report on services for youth.</p>" % i
    for i in range(12)
)


def webforms(login_box: bytes, content: bytes) -> bytes:
    """An ASP.NET WebForms page: everything inside one form, a login box from the
    master page above the content."""
    return (
        b"<!DOCTYPE html><html><head><title>Annual Report - County</title>"
        b"<script src='/WebResource.axd?d=abc'></script></head><body>"
        b"<form method='post' action='./Report.aspx' id='aspnetForm'>"
        b"<div class='topbar'>" + login_box + b"</div>"
        b"<div id='content'>" + content + b"</div></form></body></html>"
    )


MASTER_LOGIN = (
    b"Username: <input name='ctl00$user' type='text'/> Password: <input name='ctl00$pw'"
    b" type='password'/> <input type='submit' value='Log in'/>"
)
REPORT_CONTENT = (
    b"<div class='title'>Annual Report 2023</div>" + PARAGRAPHS + b"<p>In 2023, 325,000"
    b" children were served.</p>"
)


def test_webforms_page_with_a_login_box_in_its_master_page_is_read(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/Report.aspx", Reply(body=webforms(MASTER_LOGIN, REPORT_CONTENT)))
    plain = check(server.url("/Report.aspx"))
    gone = check(server.url("/Report.aspx"), claims=(ClaimSpec("c", "999,999"),))
    assert (plain.verdict, plain.reason) == (Verdict.OK, "200 OK")
    assert (gone.verdict, gone.reason) == (Verdict.CLAIM_MISSING, "claim not found: c")


def test_webforms_login_page_is_blocked(server: LoopbackServer, check: Check) -> None:
    box = (
        b"<table><tr><td>User name</td><td><input name='u' type='text'></td></tr>"
        b"<tr><td>Password</td><td><input name='p' type='password'></td></tr></table>"
        b"<input type='submit' value='Log in'>"
    )
    page = webforms(b"", b"<h1>Members' area</h1><div class='box'>" + box + b"</div>")
    server.route("/Members/Report.aspx", Reply(body=page))
    result = check(server.url("/Members/Report.aspx"))
    assert (result.verdict, result.reason) == (
        Verdict.BLOCKED,
        "200 OK: login page (a password form stands in for the content)",
    )


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


@pytest.mark.parametrize("control", ["\x0b", "\x0c", "\x01", "\x00", "\ufffe"])
def test_control_characters_beside_scripts_do_not_stop_the_check(
    server: LoopbackServer, check: Check, control: str
) -> None:
    # Text pasted from a PDF brings form feeds and the like; the parser keeps them, and
    # setting the scripts aside must not hand them back to lxml, which refuses them.
    shell = SHELL.replace(b"</noscript>", f"</noscript>{control}".encode())
    login = LOGIN.replace(b"</form>", f"</form><script>x()</script>{control} ".encode())
    server.route("/shell", Reply(body=shell))
    server.route("/login", Reply(body=login))
    assert check(server.url("/shell")).verdict is Verdict.BLOCKED
    assert check(server.url("/login")).verdict is Verdict.BLOCKED


def test_a_control_character_beside_a_script_still_parts_words() -> None:
    # A form feed is white space to HTML: the words on either side stay two words.
    root = botwall._parse("<p>alpha<script>x()</script>\x0cbeta gamma</p>")
    assert root is not None
    for script in list(root.iter("script")):
        botwall._remove(script)
    assert " ".join(root.itertext()).split() == ["alpha", "beta", "gamma"]
