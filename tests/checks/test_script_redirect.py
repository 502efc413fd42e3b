"""Script redirects: a stub page whose inline script sends every reader elsewhere is
followed as a zero-delay refresh; a script that only might (a condition, a click, a
function, a comment, a long wait, a page with content) is not."""

from __future__ import annotations

import pytest

from checks.http.location import refresh_target
from checks.http.scriptredirect import STUB_MAX_WORDS, script_redirect
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


def test_a_page_with_content_is_no_stub_whatever_its_script_does() -> None:
    script = 'location.href = "/new/path"'
    short = stub(script, words=" ".join(["word"] * (STUB_MAX_WORDS - 20)))
    long = stub(script, words=" ".join(["word"] * (STUB_MAX_WORDS + 1)))
    assert script_redirect(short) == (0.0, "/new/path")
    assert script_redirect(long) is None
    hidden = "<style>p{}</style><noscript>" + "Enable scripts. " * 100 + "</noscript>"
    assert script_redirect(stub(script) + hidden) == (0.0, "/new/path")


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


def test_a_page_that_never_names_the_location_is_not_parsed() -> None:
    # Markup that would make a parse fail: never looked at without "location".
    assert script_redirect("<script>window.go = '/x'; (</script>") is None


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


def test_a_page_whose_script_only_might_leave_is_judged_itself(
    server: LoopbackServer, check: Check
) -> None:
    page = stub('if (!document.referrer) location.href = "/new"')
    server.route("/old", Reply(body=page.encode()))
    result = check(server.url("/old"))
    assert result.hops == ()
    assert result.final_url == server.url("/old")
    assert server.requests_to("/new") == []
