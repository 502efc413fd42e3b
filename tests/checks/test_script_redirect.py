"""Script redirects: a stub page whose inline script sends every reader elsewhere is
followed as a zero-delay refresh; a script that only might (a condition, a click, a
function, a comment, a long wait, a page with content) is not."""

from __future__ import annotations

import random
import time

import pytest

from checks.http.location import BadLocation, refresh_target
from checks.http.scriptredirect import STUB_MAX_SCRIPT_CHARS, STUB_MAX_WORDS, script_redirect
from checks.model import ErrorKind, Verdict
from tests.checks.conftest import Check
from tests.checks.pages import HOME, REPORT
from tests.checks.server import LoopbackServer, Reply, Seen

HTML = {"content-type": "text/html; charset=utf-8"}
PAGE_URL = "https://old.example.gov/reports/2019.html"


def stub(script: str, *, words: str = "This page has moved.", script_tag: str = "<script>") -> str:
    """A retired page's stub: its script, a line of text and a link to click."""
    return (
        f"<!doctype html><html><head><title>Moved</title>{script_tag}{script}</script>"
        f'</head><body><p>{words} If you are not redirected, <a href="/new">click here</a>.'
        "</p></body></html>"
    )


NEW = (0.0, "/new/path")
ARTICLE_WORDS = " ".join(
    ["The county's unemployment rate fell to 4.2 percent in 2019, the survey found."] * 20
)


# --- what is followed ---


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (
            '<html><head><script>window.location.href = "https://new.example.gov/report";'
            "</script></head><body>This page has moved. If you are not redirected, "
            '<a href="https://new.example.gov/report">click here</a>.</body></html>',
            (0.0, "https://new.example.gov/report"),
        ),
        (stub("location.replace('/new/path')"), (0.0, "/new/path")),
        (stub("window.location = '/new/path';"), (0.0, "/new/path")),
        (stub("/* moved */ document.location.href='/new/path' // for good"), NEW),
        (stub("top.location.href = `/new/path`"), (0.0, "/new/path")),
        (stub('self.location.assign("/new/path");'), (0.0, "/new/path")),
        (stub('parent.location.replace("/new/path")'), (0.0, "/new/path")),
        (stub('location.href = "  /new/path  "'), (0.0, "/new/path")),
        # JavaScript string escapes, as the browser decodes them
        (
            stub(r'location.href = "https:\/\/new.example.gov\/report"'),
            (0.0, "https://new.example.gov/report"),
        ),
        (stub(r'location.href = "\u002Fnew\u002Fpath"'), (0.0, "/new/path")),
        (stub(r"location.href = '\x2Fnew\u{2F}path?q=\'a\''"), (0.0, "/new/path?q='a'")),
        (stub(r'location.href = "/caf\u00e9/\uD83D\uDE00"'), (0.0, "/caf\u00e9/\U0001f600")),
        (stub('location.href = "/new/\\\npath"'), (0.0, "/new/path")),
        # other statements around it, line breaks standing for semicolons
        (stub('var next = "/elsewhere"\nlocation.href = "/new/path"\nconsole.log(1)'), NEW),
        (stub('console.log("moving")\nlocation.href = "/new/path"'), (0.0, "/new/path")),
        (stub('if (window.ga) { ga("send", "event") }\nlocation.replace("/new/path")'), NEW),
        (stub('var re = /["{]/g\nlocation.href = "/new/path"'), (0.0, "/new/path")),
        # the old way of hiding a script from browsers without scripting
        (stub('<!--\nlocation.href = "/new/path";\n//-->'), (0.0, "/new/path")),
        (stub('<!--\nlocation.href = "/new/path";\n-->'), (0.0, "/new/path")),
        # script types a browser runs
        (
            stub('location.href = "/new/path"', script_tag='<script type="text/javascript">'),
            (0.0, "/new/path"),
        ),
        (
            stub('location.href = "/new/path"', script_tag="<script type=module>"),
            (0.0, "/new/path"),
        ),
        (
            stub('location.href = "/new/path"', script_tag='<script language="JavaScript">'),
            (0.0, "/new/path"),
        ),
        # a short timer: the page moves on within the wait a refresh may have
        (
            stub('setTimeout(function () { location.href = "/new/path"; }, 3000);'),
            (3.0, "/new/path"),
        ),
        (
            stub('setTimeout(function go() { location.href = "/new/path" }, 500)'),
            (0.5, "/new/path"),
        ),
        (stub('window.setTimeout(() => { location.replace("/new/path") }, 0)'), (0.0, "/new/path")),
        (stub('setTimeout(() => location.href = "/new/path", 2000)'), (2.0, "/new/path")),
        (stub("setTimeout(\"window.location='/new/path'\", 1000)"), (1.0, "/new/path")),
        (stub('setInterval(function(){location.href="/new/path"})'), (0.0, "/new/path")),
        (stub('setTimeout(function(){location.href="/new/path"}, 10000)'), (10.0, "/new/path")),
        # templates, their substitutions nested, read to their real end
        (stub('const s = `${ open ? `}` : "" }`;\nlocation.href = "/new/path"'), NEW),
        # valid code around it: a regex after an if's head, class members
        (stub('if (x) /\'/.test(y) && (z = 1)\nlocation.href = "/new/path"'), NEW),
        (
            stub(
                "class Box { #size = 1; get size() { return this.#size } *items() {} }\n"
                'location.href = "/new/path"'
            ),
            NEW,
        ),
        # the first of two type attributes is the one a browser reads
        (
            stub(
                'location.href = "/new/path"',
                script_tag='<script type="text/javascript" type="text/plain">',
            ),
            NEW,
        ),
        # a module runs whatever its nomodule attribute says
        (stub('location.href = "/new/path"', script_tag="<script type=module nomodule>"), NEW),
        # a comment closed the other way browsers accept
        ('<!-- old page --!><script>location.href = "/new/path"</script><p>Moved.</p>', NEW),
        # a ">" in a quoted attribute value ends no tag
        (
            '<p title="a > b">Moved.</p><a href="/new?a=1&b=>">here</a>'
            '<script>location.href = "/new/path"</script>',
            NEW,
        ),
        # a Content-Security-Policy that lets inline scripts run, or comes after them
        (
            stub('location.href = "/new/path"').replace(
                "<head>",
                '<head><meta http-equiv="Content-Security-Policy" '
                "content=\"default-src 'self'; script-src 'self' 'unsafe-inline'\">",
            ),
            NEW,
        ),
        (
            stub('location.href = "/new/path"').replace(
                "<head>",
                '<head><meta http-equiv="Content-Security-Policy-Report-Only" '
                "content=\"script-src 'none'\">",
            ),
            NEW,
        ),
        (
            stub('location.href = "/new/path"').replace(
                "</body>",
                '<meta http-equiv="content-security-policy" content="script-src \'none\'"></body>',
            ),
            NEW,
        ),
        # the same place named twice (at once, and by a timer in case)
        (
            stub(
                'location.replace("/new/path");'
                'setTimeout(function(){ location.href = "/new/path" }, 5000)'
            ),
            (0.0, "/new/path"),
        ),
    ],
)
def test_a_stub_that_sends_the_reader_on_is_a_redirect(
    page: str, expected: tuple[float, str]
) -> None:
    assert script_redirect(page) == expected


def test_a_jekyll_redirect_from_stub_is_read_without_its_meta_refresh() -> None:
    page = (
        '<!DOCTYPE html>\n<html lang="en-US">\n  <meta charset="utf-8">\n'
        "  <title>Redirecting&hellip;</title>\n"
        '  <link rel="canonical" href="https://docs.example.org/guide/">\n'
        '  <script>location="https://docs.example.org/guide/"</script>\n'
        '  <meta name="robots" content="noindex">\n  <h1>Redirecting&hellip;</h1>\n'
        '  <a href="https://docs.example.org/guide/">Click here if you are not redirected.</a>\n'
        "</html>\n"
    )
    assert script_redirect(page) == (0.0, "https://docs.example.org/guide/")


def test_a_cms_redirecting_page_with_its_theme_is_a_redirect() -> None:
    style = "body{font-family:sans-serif}" * 200  # inline theme CSS: no text shown
    page = (
        f"<html><head><title>Redirecting\u2026</title><style>{style}</style>"
        '<script src="/theme.js"></script>'
        '<script type="application/ld+json">{"@type": "WebPage"}</script>'
        "</head><body><header><nav><a href='/'>Home</a> <a href='/about'>About</a></nav>"
        "</header><main><h1>Redirecting\u2026</h1><p>You are being sent to our new site."
        "</p></main><script>\n  window.location.replace('https://new.example.org/page');\n"
        "</script><footer>&copy; 2024 Example</footer></body></html>"
    )
    assert script_redirect(page) == (0.0, "https://new.example.org/page")


# --- what is not ---


@pytest.mark.parametrize(
    "page",
    [
        # inside a function, an event handler or an event
        stub('function go() { location.href = "/new/path" }'),
        stub('window.onload = function () { window.location.href = "/new/path" }'),
        stub('document.addEventListener("click", () => { location.href = "/new/path" })'),
        stub("var go = () =>\n  location.href = '/new/path'"),
        "<html><body onload=\"location.href='/new/path'\">Moved.</body></html>",
        '<p>Moved.</p><a href="#" onclick="location.href=\'/new/path\'">Go</a>',
        # under a condition
        stub('if (!document.referrer) location.href = "/new/path"'),
        stub('if (!hasCookie)\n  location.href = "/new/path"'),
        stub('if (!hasCookie) {\n  location.href = "/new/path"\n}'),
        stub('if (mobile) {} else\n  location.href = "/new/path"'),
        stub('while (false)\n  location.href = "/new/path"'),
        stub('mobile && (location.href = "/new/path")'),
        stub('mobile ? location.href = "/new/path" : null'),
        stub('try { location.href = "/new/path" } catch (e) {}'),
        stub('mobile ||\n  location.replace("/new/path")'),
        # in a comment
        '<!-- <script>location.href = "/new/path"</script> --><p>Moved.</p>',
        stub('// location.href = "/new/path"'),
        stub('/* location.href = "/new/path" */'),
        stub('/*\n location.href = "/new/path"\n*/'),
        # not a script a browser runs
        "<p>To move a page, write <code>location.href = '/new/path'</code>.</p>",
        stub(
            '{"@type": "WebPage", "potentialAction": "location.href=\'/new/path\'"}',
            script_tag='<script type="application/ld+json">',
        ),
        stub('location.href = "/new/path"', script_tag='<script type="text/template">'),
        stub('location.href = "/new/path"', script_tag='<script language="vbscript">'),
        stub('location.href = "/new/path"', script_tag='<script src="/app.js">'),
        '<noscript><script>location.href = "/new/path"</script></noscript><p>Moved.</p>',
        '<template><script>location.href = "/new/path"</script></template><p>Moved.</p>',
        '<textarea><script>location.href = "/new/path"</script></textarea>',
        # not a literal, or not a place
        stub('location.href = "/new/" + path'),
        stub('location.href = "/new/path".replace("new", "old")'),
        stub("location.href = `/new/${path}`"),
        stub("location.href = next"),
        stub('location.href = "javascript:void(0)"'),
        stub('location.href = "java\\tscript:alert(1)"'),
        stub('location.href = "mailto:web@example.gov"'),
        stub('location.href = "#content"'),
        stub('location.href = ""'),
        stub('location.href = "\\u00"'),  # a syntax error: the script never runs
        stub('location.href == "/new/path"'),
        stub('location.hash = "/new/path"'),
        stub('location.href = "/new/path", track()'),
        # a long wait, or a wait not written as a number
        stub('setTimeout(function(){ location.href = "/new/path" }, 10001)'),
        stub('setTimeout(function(){ location.href = "/new/path" }, 300000)'),
        stub('setTimeout(function(){ location.href = "/new/path" }, wait)'),
        stub('setTimeout(function(){ if (x) location.href = "/new/path" }, 100)'),
        stub('setTimeout(function(){ location.href = "/new/path"; }, 100, "extra")'),
        # two places: which one a reader gets depends on timing
        stub('location.href = "/one"') + '<script>location.href = "/two"</script>',
        # a bot check: the next page answers a client without the cookie differently
        stub('document.cookie = "__test=1; path=/"; location.href = "/new/path?i=1"'),
        # a parking service's lander, which the parked-domain rules read on the stub
        stub("window.location.replace('/lander')"),
        # unreadable code
        stub('location.href = "/new/path"; #private'),
        stub('location.href = "/new/path"; ('),
    ],
)
def test_what_is_not_an_unconditional_redirect_is_not_followed(page: str) -> None:
    assert script_redirect(page) is None


CSP = '<meta http-equiv="Content-Security-Policy" content="{}">'
SPA_SHELL = (
    '<!doctype html><html><head><title>Flood map</title><script type="module" '
    'src="/assets/index.js"></script><script nomodule>window.location.href = '
    '"/unsupported-browser.html";</script></head><body><div id="app"></div>'
    "<noscript>This site needs JavaScript.</noscript></body></html>"
)
EARLY_RETURN = stub(
    "setTimeout(function () {\n"
    "  if (document.referrer.indexOf(location.hostname) !== -1) return;\n"
    '  window.location.href = "/new/path";\n'
    "}, 0);"
)


@pytest.mark.parametrize(
    "page",
    [
        # skipped by browsers that run modules: a fallback for old ones
        SPA_SHELL,
        stub('location.href = "/new/path"', script_tag="<script nomodule>"),
        # a timer whose callback may leave, or pass the redirect by
        EARLY_RETURN,
        stub('setTimeout(() => { if (seen) throw 0; location.href = "/new/path" }, 10)'),
        stub('setTimeout(function () { while (busy) {}\n location.href = "/new/path" }, 10)'),
        stub('setTimeout(function () { try { a() } catch (e) {}\n location.href = "/n" }, 10)'),
        stub('setTimeout(function () { seen ? stay() : 0; location.href = "/new/path" }, 10)'),
        stub("setTimeout(\"if (seen) stay(); location.href = '/new/path'\", 10)"),
        # a script that can end before its redirect, or never runs (a return outside
        # a function is a syntax error)
        stub(
            'if (document.cookie.indexOf("stay") !== -1) throw new Error("stay");\n'
            'location.href = "/new/path";'
        ),
        stub('if (stay) { return }\nlocation.href = "/new/path"'),
        # an escape past U+10FFFF anywhere: the script does not compile
        stub(r'var s = "\u{FFFFFFFFFFFFFFFFFFFF}"; location.href = "/new/path"'),
        stub(r'var s = `\u{110000}`; location.href = "/new/path"'),
        stub(r'var s = "\u{110000}"; location.href = "/new/path"'),
        # data, for the first of two type attributes says so
        stub(
            'location.href = "/new/path"',
            script_tag='<script type="text/plain" data-cookieconsent="marketing" '
            'type="text/javascript">',
        ),
        # code in a template, however nested, is text
        stub('const snippet = `${embed ? `\nlocation.href = "/embed";\n` : ""}`;'),
        # a <script> that is no element: in a quoted attribute value, after <plaintext>,
        # or in a tag never closed; and a script never closed, which never runs
        "<a title=\"a>b<script>location.href='/new/path'</script>\">Moved</a>",
        "<p>Moved.</p><plaintext><script>location.href='/new/path'</script>",
        "<p>Moved.</p><a title=\"a><script>location.href='/new/path'</script>",
        '<p>Moved.</p><script>location.href = "/new/path"',
        '<p>Moved.</p><script>location.href = "/new/path"; //</script',
        # a target no URL parser takes: setting it throws
        stub('location.href = "http://[::1"'),
        stub('location.href = "http://example.org:99999/"'),
        stub('location.href = "https://"'),
        stub('location.href = "http://exa mple.org/"'),
        # inline scripts forbidden by a Content-Security-Policy before them
        stub('location.href = "/new/path"').replace(
            "<head>", "<head>" + CSP.format("default-src 'self'")
        ),
        stub('location.href = "/new/path"').replace(
            "<head>", "<head>" + CSP.format("script-src 'unsafe-inline' 'nonce-r4nd0m'")
        ),
        stub('location.href = "/new/path"').replace(
            "<head>", "<head>" + CSP.format("script-src-elem 'self'; script-src 'unsafe-inline'")
        ),
        # no valid JavaScript: a browser does not run it
        stub('location.href = "/new/path";\n<%= tracking_code %>'),
        stub('{% if tracking %}\nlocation.href = "/new/path";\n{% endif %}'),
        stub('location.href = "/new/path"; render(<Banner />)'),
        stub('location.href = "/new/path"; var n = 1st'),
        stub('location.href = "/new/path";\n/* moved'),
        stub('location.href = "/new/path";\nvar s = `moved'),
        stub('location.href = "/new/path";\nvar s = "moved'),
        stub('location.href = "/new/path"; ; = 1'),
        stub('location.href = "/new/path"; a = b +'),
    ],
)
def test_what_a_browser_never_runs_or_may_not_finish_is_not_followed(page: str) -> None:
    assert script_redirect(page) is None


def test_a_page_with_content_is_no_stub_whatever_its_script_does() -> None:
    script = 'location.href = "/new/path"'
    short = stub(script, words=" ".join(["word"] * (STUB_MAX_WORDS - 20)))
    long = stub(script, words=" ".join(["word"] * (STUB_MAX_WORDS + 1)))
    assert script_redirect(short) == (0.0, "/new/path")
    assert script_redirect(long) is None
    hidden = "<style>p{}</style><noscript>" + "Enable scripts. " * 100 + "</noscript>"
    assert script_redirect(stub(script) + hidden) == (0.0, "/new/path")


def test_scripts_too_long_for_a_stub_are_not_read() -> None:
    # Past the bound, scripts naming the location are an application, whose other paths
    # are not known; a few hundred characters are a stub's analytics snippet.
    redirect = 'location.href = "/new/path"'

    def padded(length: int) -> str:
        code = "var a = [1];\n" * ((length - len(redirect)) // 13) + redirect
        return " " * (length - len(code)) + code

    assert script_redirect(stub("var a = [1];\n" * 100 + redirect)) == NEW
    assert script_redirect(stub(padded(STUB_MAX_SCRIPT_CHARS))) == NEW
    assert script_redirect(stub(padded(STUB_MAX_SCRIPT_CHARS + 1))) is None
    # The bound is on the scripts naming the location together; others are not read.
    half = padded(STUB_MAX_SCRIPT_CHARS // 2 + 1)
    assert script_redirect(stub(half) + f"<script>{half}</script>") is None
    other = "var a = [1];\n" * (STUB_MAX_SCRIPT_CHARS // 13 + 1)
    assert script_redirect(stub(half) + f"<script>{other}</script>") == NEW


def test_an_article_that_uses_the_location_in_its_scripts_is_not_a_redirect() -> None:
    page = (
        "<!doctype html><html><head><title>Labour market report</title><script>"
        "function share() { window.location.href = 'https://social.example/share'; }\n"
        "if (location.protocol !== 'https:') { location.replace('https://stats.example.gov/r'); }"
        "\nvar here = window.location.href;</script></head><body><h1>Labour market report</h1>"
        f"<p>{ARTICLE_WORDS}</p><button onclick=\"window.location.href='/print'\">Print</button>"
        "</body></html>"
    )
    assert script_redirect(page) is None
    # The same scripts on a page of a few words: still nothing runs unasked.
    assert script_redirect(page.replace(ARTICLE_WORDS, "Contents.")) is None


# --- as a refresh: where it sends the reader from the page's URL ---


def test_the_target_is_resolved_against_the_page() -> None:
    body = stub('location.href = "../2023/report.html"').encode()
    target = refresh_target(PAGE_URL, HTML, body)
    assert target == "https://old.example.gov/2023/report.html"


def test_a_target_that_is_the_page_itself_is_no_redirect() -> None:
    for written in (PAGE_URL, "2019.html#top", "/reports/2019.html"):
        body = stub(f'location.href = "{written}"').encode()
        assert refresh_target(PAGE_URL, HTML, body) is None


def test_a_meta_refresh_comes_before_a_script_redirect() -> None:
    page = stub('location.href = "/by-script"').replace(
        "<head>", '<head><meta http-equiv="refresh" content="0; url=/by-meta">'
    )
    assert refresh_target(PAGE_URL, HTML, page.encode()) == "https://old.example.gov/by-meta"


def test_a_refresh_header_comes_before_a_script_redirect() -> None:
    headers = {**HTML, "refresh": "0; url=/by-header"}
    body = stub('location.href = "/by-script"').encode()
    assert refresh_target(PAGE_URL, headers, body) == "https://old.example.gov/by-header"


def test_a_page_longer_than_the_bytes_scanned_is_no_stub() -> None:
    page = stub('location.href = "/new/path"')
    padded = page.replace("</html>", "<!--" + "x" * 70_000 + "--></html>")
    assert refresh_target(PAGE_URL, HTML, page.encode()) == "https://old.example.gov/new/path"
    assert refresh_target(PAGE_URL, HTML, padded.encode()) is None


def test_a_malformed_script_target_is_no_redirect_where_a_malformed_refresh_is() -> None:
    # location.href = "http://[::1" throws, and the reader stays on the page; a
    # browser's refresh to it goes nowhere either, but that one is reported as broken.
    body = stub('location.href = "http://[::1"').encode()
    assert refresh_target(PAGE_URL, HTML, body) is None
    refresh = b'<html><head><meta http-equiv="refresh" content="0; url=http://[::1"></head>'
    with pytest.raises(BadLocation):
        refresh_target(PAGE_URL, HTML, refresh)


def test_only_an_html_page_is_read() -> None:
    body = stub('location.href = "/new/path"').encode()
    assert refresh_target(PAGE_URL, {"content-type": "text/plain"}, body) is None


# --- a real check ---


def script_stub(target: str) -> Reply:
    return Reply(body=stub(f'window.location.href = "{target}";').encode())


def test_a_stub_sending_the_reader_to_a_new_page_is_a_redirect(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/old", script_stub("/new"))
    server.route("/new", Reply(body=REPORT))
    result = check(server.url("/old"))
    assert result.verdict is Verdict.MOVED
    assert result.final_url == server.url("/new")
    assert result.suggested_url == server.url("/new")
    assert result.reason == f"moved (page redirect): cite {server.url('/new')} instead"
    assert [(h.url, h.status, h.location) for h in result.hops] == [
        (server.url("/old"), 200, server.url("/new"))
    ]
    assert len(server.requests_to("/new")) == 1


def test_a_stub_sending_the_reader_home_is_judged_as_a_refresh_home_is(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/reports/2019-annual", script_stub("/"))
    server.route("/", Reply(body=HOME))
    by_script = check(server.url("/reports/2019-annual"))
    refresh = b'<html><head><meta http-equiv="refresh" content="0; url=/"></head></html>'
    server.route("/reports/2019-annual", Reply(body=refresh))
    by_refresh = check(server.url("/reports/2019-annual"))
    assert by_script.verdict is Verdict.SOFT_404
    assert "home page" in by_script.reason
    assert (by_script.verdict, by_script.reason) == (by_refresh.verdict, by_refresh.reason)
    assert [(h.status, h.location) for h in by_script.hops] == [(200, server.url("/"))]


def test_stubs_sending_the_reader_round_in_a_loop_are_broken(
    server: LoopbackServer, check: Check
) -> None:
    server.route("/a", script_stub("/b"))
    server.route("/b", script_stub("/a"))
    result = check(server.url("/a"))
    assert result.verdict is Verdict.BROKEN
    assert result.error_kind is ErrorKind.REDIRECT_LOOP
    assert len(server.requests_to("/a")) == 1


def test_a_chain_of_stubs_past_the_redirect_limit_is_broken(
    server: LoopbackServer, check: Check
) -> None:
    def next_stub(seen: Seen) -> Reply:
        return script_stub(f"/hop/{int(seen.path.rsplit('/', 1)[1]) + 1}")

    server.fallback = next_stub
    result = check(server.url("/hop/0"))
    assert result.error_kind is ErrorKind.TOO_MANY_REDIRECTS
    assert len(result.hops) == 11


@pytest.mark.parametrize(
    "page",
    [
        SPA_SHELL,
        EARLY_RETURN.replace("/new/path", "/"),
        stub('location.href = "http://[::1"'),
        stub('location.href = "/unsupported-browser.html";\n<%= tracking_code %>'),
    ],
    ids=["nomodule", "early-return", "malformed-target", "syntax-error"],
)
def test_a_page_whose_script_does_not_run_or_go_anywhere_is_judged_itself(
    server: LoopbackServer, check: Check, page: str
) -> None:
    server.route("/maps/flood", Reply(body=page.encode()))
    server.route("/unsupported-browser.html", Reply(status=404, body=b"<p>Not found</p>"))
    server.route("/", Reply(body=HOME))
    result = check(server.url("/maps/flood"))
    assert result.hops == ()
    assert result.final_url == server.url("/maps/flood")
    assert result.verdict not in (Verdict.BROKEN, Verdict.SOFT_404, Verdict.INVALID)
    assert server.requests_to("/unsupported-browser.html") == []
    assert server.requests_to("/") == []


def test_a_page_whose_script_only_might_leave_is_judged_itself(
    server: LoopbackServer, check: Check
) -> None:
    page = stub('if (!document.referrer) location.href = "/new"')
    server.route("/old", Reply(body=page.encode()))
    result = check(server.url("/old"))
    assert result.hops == ()
    assert result.final_url == server.url("/old")
    assert server.requests_to("/new") == []


# --- any input: no exception, and time linear in the page ---

# Pieces of scripts and pages, whole and broken, that have tripped readers: escapes past
# U+10FFFF, unclosed comments, strings, templates and tags, malformed targets.
JS_PIECES = (
    'location.href = "/x";',
    "location.replace('/y')",
    'location = "http://[::1"',
    'location.href = "http://h:99999/"',
    r'"\u{FFFFFFFFFFFFFFFFFFFF}"',
    r"'\u{110000}'",
    r'"\x"',
    r"\u",
    "`",
    "`${",
    "${",
    "}",
    "{",
    "(",
    ")",
    "[",
    "]",
    ";",
    "\n",
    " ",
    "/",
    "/*",
    "*/",
    "//",
    "<!--",
    "-->",
    "<%",
    "%>",
    "if (x)",
    "else",
    "return",
    "throw e",
    "setTimeout(function () {",
    "}, 100)",
    "() =>",
    "=",
    "==",
    "+",
    "?",
    ":",
    ",",
    ".",
    "/[",
    "]/g",
    "#p",
    "1e3",
    "0x1F",
    "5n",
    "1a",
    "\u2028",
    "\\",
    '"',
    "'",
    "cookie=1",
)
HTML_PIECES = (
    "<script>",
    "</script>",
    "<script nomodule>",
    "<script type=module>",
    '<script type="',
    "<script type=text/plain type=text/javascript>",
    "</script",
    "<!--",
    "-->",
    "--!>",
    "<!-->",
    "<p>",
    "Moved. ",
    '<a title="',
    '">',
    "'",
    "<",
    ">",
    "<plaintext>",
    "<textarea>",
    "</textarea>",
    "<noscript>",
    "</noscript>",
    "<title>",
    "<!doctype html>",
    "<?xml?>",
    "</",
    "&amp;",
    "&#x110000;",
    CSP.format("script-src 'none'"),
    "<meta ",
    "<style>",
    "</style>",
)


def random_page(rng: random.Random) -> str:
    script = "".join(rng.choice(JS_PIECES) for _ in range(rng.randint(1, 30)))
    if rng.random() < 0.5:
        return stub(script)
    pieces = [rng.choice(HTML_PIECES) for _ in range(rng.randint(1, 30))]
    pieces.insert(rng.randrange(len(pieces) + 1), f"<script>{script}</script>")
    return "".join(pieces)


def mutated(page: str, rng: random.Random) -> str:
    chars = list(page)
    for _ in range(rng.randint(1, 10)):
        at = rng.randrange(len(chars) + 1)
        if rng.random() < 0.5 and chars:
            del chars[min(at, len(chars) - 1)]
        else:
            chars.insert(at, rng.choice((*JS_PIECES, *HTML_PIECES)))
    return "".join(chars)


def test_no_page_makes_the_reading_fail_or_take_long() -> None:
    rng = random.Random(20240611)
    seeds = [stub('location.href = "/new/path"'), SPA_SHELL, EARLY_RETURN]
    slowest = 0.0
    for _ in range(3000):
        page = random_page(rng) if rng.random() < 0.7 else mutated(rng.choice(seeds), rng)
        started = time.perf_counter()
        found = script_redirect(page)
        target = refresh_target(PAGE_URL, HTML, page.encode())  # never BadLocation
        slowest = max(slowest, time.perf_counter() - started)
        assert found is None or (isinstance(found[0], float) and isinstance(found[1], str))
        assert target is None or target.startswith(("http://", "https://"))
    assert slowest < 0.5


def filled(prefix: str, unit: str, suffix: str = "") -> str:
    """A 64 KB page: ``prefix``, ``unit`` repeated, ``suffix``."""
    return prefix + unit * ((64 * 1024 - len(prefix) - len(suffix)) // len(unit)) + suffix


REDIRECT = '<script>location.href="/x"</script>'
OPEN_SCRIPT = '<script>location.href="/x";\n'


ADVERSARIAL = {
    # scripts: comments, strings and templates never closed, dense tokens, brackets
    "unclosed-block-comments": filled(OPEN_SCRIPT, "/* ", "</script>"),
    "line-comments": filled(OPEN_SCRIPT, "//\n", "</script>"),
    "html-comments": filled(OPEN_SCRIPT, "<!--\n", "</script>"),
    "html-close-comments": filled(OPEN_SCRIPT, "-->\n", "</script>"),
    "dense-tokens": filled(OPEN_SCRIPT, "a.b(c);", "</script>"),
    "open-brackets": filled(OPEN_SCRIPT, "((", "</script>"),
    "nested-brackets": filled(OPEN_SCRIPT, "([{", "") + "</script>",
    "unclosed-strings": filled(OPEN_SCRIPT, '"', "</script>"),
    "open-substitutions": filled(OPEN_SCRIPT, "`${", "</script>"),
    "regexes": filled(OPEN_SCRIPT, "a=/x/g;", "</script>"),
    "string-timers": filled(OPEN_SCRIPT, "setTimeout(\"location.href='/x'\",1);", "</script>"),
    "escapes": filled('<script>location.href="', r"\u002F", '";</script>'),
    # markup: stray "<", tags never closed, many tags, scripts and comments
    "lone-lt": filled(REDIRECT, "<"),
    "unclosed-tags": filled(REDIRECT, "<a "),
    "unclosed-tag-attributes": filled(REDIRECT + "<a ", "b='c' "),
    "unclosed-metas": filled(REDIRECT, "<meta "),
    "tags": filled(REDIRECT, "<b>"),
    "entities-and-tags": filled(REDIRECT, "&nbsp;<b>"),
    "empty-comments": filled(REDIRECT, "<!---->"),
    "titles": filled(REDIRECT, "<title></title>"),
    "metas": filled(REDIRECT, '<meta http-equiv="x">'),
    "scripts": filled("", REDIRECT),
    "location-scripts": filled(REDIRECT, "<script>location</script>"),
    "location-words": filled(REDIRECT, "location "),
}


@pytest.mark.parametrize("page", list(ADVERSARIAL.values()), ids=list(ADVERSARIAL))
def test_a_64_kb_page_is_read_in_bounded_time(page: str) -> None:
    started = time.perf_counter()
    script_redirect(page)
    # Each takes well under 100 ms; the bound leaves room for a slow machine.
    assert time.perf_counter() - started < 0.5
