"""The link farm's content: which URLs exist, what each one answers, and the truth.

Everything here is pure: the same spec always yields the same URLs and the same
answers, so the runner can score every tool against :attr:`Link.expected`.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

# One fixed modification date: a second run sees every page unchanged.
LAST_MODIFIED = "Mon, 01 Jan 2024 00:00:00 GMT"
_LAST_MODIFIED_TS = parsedate_to_datetime(LAST_MODIFIED).timestamp()

_TOPICS = (
    "county services",
    "youth outreach",
    "annual survey",
    "court protocol",
    "agency statistics",
    "program review",
    "federal estimate",
    "support network",
)
_SENTENCES = (
    "The department publishes this report to document how its programmes reached families.",
    "Figures below come from the annual survey and were reviewed by an independent panel.",
    "Each section lists the agencies involved, the period covered and the method used.",
    "Questions about the data can be sent to the statistics office named at the end.",
    "An earlier edition of this page gave provisional numbers that have since been revised.",
)


class Kind(enum.StrEnum):
    """What a farm URL does; the value is its name in a mix (``soft404=7``) and, for the
    four plain kinds, the first segment of its path."""

    OK = "ok"  # 200, an HTML page with a little text
    MOVED = "moved"  # 301 to /new/<i>, which is a 200 page
    GONE = "gone"  # 404
    ERROR = "error"  # 500, every time
    # Real-world trouble: ways a cited page dies while its URL still answers, or only
    # looks dead to a program. None of them is in the default mix. Their paths are
    # ordinary section names (see _SEGMENTS), which tell a checker nothing.
    SOFT_404 = "soft404"  # 200, the site's own "page not found" page
    TO_HOME = "to_home"  # 301 (even i) or 302 (odd i) from a deep link to the home page
    REFRESH_GONE = "refresh_gone"  # 200 stub whose meta refresh leads to a 404
    SCRIPT_GONE = "script_gone"  # 200 "this page has moved" stub whose script leads to a 404
    PARKED = "parked"  # 200, a parking service's "this domain may be for sale" lander
    LOGIN_PDF = "login_pdf"  # a .pdf URL that answers 200 text/html with a sign-in form
    CHALLENGE = "challenge"  # 403, a Cloudflare "Just a moment..." challenge
    CONSENT = "consent"  # 200, a cookie consent dialog and nothing of the page behind it
    RATE_LIMITED = "rate_limited"  # 429 Retry-After: 1 to the first request, then 200

    @property
    def expected(self) -> str:
        """The monitor's verdict for this kind of URL."""
        return _EXPECTED[self]

    @property
    def passes(self) -> bool | None:
        """Whether a reader following the citation gets the cited content, which a link
        checker should then call working (a redirect that ends in a page works; lychee
        and LinkChecker report it as fine). None: it cannot be told from a program, as
        behind a bot challenge, where people get the page and checkers get the wall, or
        behind a consent dialog, which people click through to read the page."""
        return _PASSES[self]

    @property
    def plain(self) -> bool:
        """One of the four kinds of the default mix."""
        return self in _PLAIN

    @property
    def about(self) -> str:
        """What the farm answers, in a few words, for reports."""
        return _ABOUT[self]

    def path(self, index: int) -> str:
        """The path of URL ``index`` of this kind."""
        return f"/{_SEGMENTS.get(self, self.value)}/{index}{_SUFFIXES.get(self, '')}"


_PLAIN = frozenset({Kind.OK, Kind.MOVED, Kind.GONE, Kind.ERROR})
_EXPECTED = {
    Kind.OK: "ok",
    Kind.MOVED: "moved",
    Kind.GONE: "broken",
    Kind.ERROR: "transient",
    Kind.SOFT_404: "soft_404",
    Kind.TO_HOME: "soft_404",
    Kind.REFRESH_GONE: "broken",
    Kind.SCRIPT_GONE: "broken",
    Kind.PARKED: "soft_404",
    Kind.LOGIN_PDF: "type_mismatch",
    Kind.CHALLENGE: "blocked",
    Kind.CONSENT: "blocked",
    Kind.RATE_LIMITED: "ok",
}
_PASSES: dict[Kind, bool | None] = {
    Kind.OK: True,
    Kind.MOVED: True,
    Kind.GONE: False,
    Kind.ERROR: False,
    Kind.SOFT_404: False,
    Kind.TO_HOME: False,
    Kind.REFRESH_GONE: False,
    Kind.SCRIPT_GONE: False,
    Kind.PARKED: False,
    Kind.LOGIN_PDF: False,
    Kind.CHALLENGE: None,
    Kind.CONSENT: None,
    Kind.RATE_LIMITED: True,
}
_ABOUT = {
    Kind.OK: "200 page",
    Kind.MOVED: "301 to a page",
    Kind.GONE: "404",
    Kind.ERROR: "500",
    Kind.SOFT_404: '200 "page not found" page of the site',
    Kind.TO_HOME: "301/302 from a deep link to the home page",
    Kind.REFRESH_GONE: "200 stub whose meta refresh leads to a 404",
    Kind.SCRIPT_GONE: '200 "this page has moved" stub whose script redirect leads to a 404',
    Kind.PARKED: '200 "this domain may be for sale" parking page',
    Kind.LOGIN_PDF: "a .pdf URL answering 200 HTML with a sign-in form",
    Kind.CHALLENGE: '403 Cloudflare "Just a moment..." challenge',
    Kind.CONSENT: "200 cookie consent dialog (or consent-or-pay wall) and nothing else",
    Kind.RATE_LIMITED: "429 (Retry-After: 1) to the first request, then 200",
}
_SEGMENTS = {
    Kind.SOFT_404: "publications",
    Kind.TO_HOME: "reports",
    Kind.REFRESH_GONE: "archive",
    Kind.SCRIPT_GONE: "guidance",
    Kind.PARKED: "programs",
    Kind.LOGIN_PDF: "files",
    Kind.CHALLENGE: "research",
    Kind.CONSENT: "news",
    Kind.RATE_LIMITED: "data",
}
_SUFFIXES = {Kind.LOGIN_PDF: ".pdf"}
# Where the refresh stubs and the script redirect stubs send readers: sections of the
# site that are gone.
_REFRESH_TARGET = "documents"
_SCRIPT_TARGET = "resources"


@dataclass(frozen=True)
class Mix:
    """Relative weights of the kinds of URL (percentages by convention); each field is
    named after its kind's value."""

    ok: int = 90
    moved: int = 4
    gone: int = 5
    error: int = 1
    # Real-world trouble (see Kind), none by default.
    soft404: int = 0
    to_home: int = 0
    refresh_gone: int = 0
    script_gone: int = 0
    parked: int = 0
    login_pdf: int = 0
    challenge: int = 0
    consent: int = 0
    rate_limited: int = 0

    @classmethod
    def parse(cls, text: str) -> Mix:
        """``ok=90,moved=4,gone=5,error=1``; kinds left out get weight 0."""
        weights = dict.fromkeys((kind.value for kind in Kind), 0)
        for part in text.split(","):
            name, _, value = part.partition("=")
            name = name.strip()
            if name not in weights or not value.strip().isdigit():
                raise ValueError(f"expected KIND=WEIGHT with KIND in {sorted(weights)}: {part!r}")
            weights[name] = int(value)
        if not any(weights.values()):
            raise ValueError("the mix needs at least one non-zero weight")
        return cls(**weights)

    def __str__(self) -> str:
        # The plain kinds always, as results written before the others existed show
        # them; the others only where they have a weight.
        shown = [kind for kind in Kind if kind.plain or self.weight(kind)]
        return ",".join(f"{kind.value}={self.weight(kind)}" for kind in shown)

    def weight(self, kind: Kind) -> int:
        weight: int = getattr(self, kind.value)
        return weight

    @property
    def trouble(self) -> bool:
        """Whether any kind beyond the plain four has a weight."""
        return any(self.weight(kind) for kind in Kind if not kind.plain)

    def kinds(self, count: int, seed: int) -> list[Kind]:
        """``count`` kinds in exactly these proportions (rounded), in a seeded order."""
        # In the order of Kind, the plain ones first: a mix without the others gives the
        # same URLs as before they existed.
        weights = {kind: self.weight(kind) for kind in Kind}
        total = sum(weights.values())
        result: list[Kind] = []
        for kind, weight in weights.items():
            result.extend([kind] * (count * weight // total))
        # Rounding leftovers go to the heaviest kind.
        result.extend([max(weights, key=lambda k: weights[k])] * (count - len(result)))
        random.Random(seed).shuffle(result)
        return result


@dataclass(frozen=True)
class Link:
    """One URL of the farm and the truth about it."""

    url: str
    kind: Kind

    @property
    def expected(self) -> str:
        return self.kind.expected

    @property
    def passes(self) -> bool | None:
        return self.kind.passes

    @property
    def expect_content_type(self) -> str | None:
        """The type a citation of this URL names, as a registry records it: a PDF for
        a ``.pdf`` path."""
        return "application/pdf" if self.url.lower().endswith(".pdf") else None


def host_addresses(count: int) -> tuple[str, ...]:
    """Loopback addresses 127.0.0.2 ... 127.0.0.(count + 1), one per simulated host."""
    if not 1 <= count <= 250:
        raise ValueError("between 1 and 250 hosts")
    return tuple(f"127.0.0.{i}" for i in range(2, count + 2))


def links(kinds: list[Kind], hosts: tuple[str, ...], port: int) -> list[Link]:
    """The farm's URLs: URL ``i`` lives on host ``i mod len(hosts)``."""
    return [
        Link(f"http://{hosts[i % len(hosts)]}:{port}{kind.path(i)}", kind)
        for i, kind in enumerate(kinds)
    ]


@dataclass(frozen=True)
class Reply:
    """An HTTP answer before encoding."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""


_HTML = "text/html; charset=utf-8"
_NOT_FOUND = b"<!doctype html><title>404 Not Found</title><h1>Not Found</h1>"
_SERVER_ERROR = b"<!doctype html><title>500 Internal Server Error</title><h1>Server Error</h1>"


def reply(
    kinds: list[Kind],
    path: str,
    if_none_match: str | None = None,
    if_modified_since: str | None = None,
    page_bytes: int = 0,
    *,
    first_request: bool = False,
) -> Reply:
    """What the farm answers to a GET of ``path`` (HEAD is the same without a body).

    Pages are padded with more text to about ``page_bytes`` (0: about 550 bytes).
    ``first_request``: nothing asked for ``path`` before (since the farm's counts were
    last reset), which a rate-limited URL refuses.
    """
    if path.split("?", 1)[0] == "/":
        return Reply(200, (("Content-Type", _HTML),), home_page())
    prefix, index, suffix = _route(path)
    if index is None or index >= len(kinds):
        return _not_found()
    kind = kinds[index]
    if prefix == "new" and kind is Kind.MOVED and not suffix:
        return _page(index, if_none_match, if_modified_since, page_bytes)
    if f"/{prefix}/{index}{suffix}" != kind.path(index):
        return _not_found()
    if kind is Kind.OK or (kind is Kind.RATE_LIMITED and not first_request):
        return _page(index, if_none_match, if_modified_since, page_bytes)
    if kind is Kind.MOVED:
        return Reply(301, (("Location", f"/new/{index}"), ("Content-Type", _HTML)))
    if kind is Kind.GONE:
        return _not_found()
    if kind is Kind.ERROR:
        return Reply(500, (("Content-Type", _HTML),), _SERVER_ERROR)
    return _TROUBLE[kind](index)


def _not_found() -> Reply:
    return Reply(404, (("Content-Type", _HTML),), _NOT_FOUND)


def _route(path: str) -> tuple[str, int | None, str]:
    """``/ok/17`` -> ("ok", 17, ""), ``/files/3.pdf`` -> ("files", 3, ".pdf"); anything
    else has no index."""
    parts = path.split("?", 1)[0].strip("/").split("/")
    if len(parts) != 2:
        return "", None, ""
    number, suffix = parts[1], ""
    if number.endswith(".pdf"):
        number, suffix = number.removesuffix(".pdf"), ".pdf"
    if not number.isdigit():
        return "", None, ""
    return parts[0], int(number), suffix


def _page(
    index: int, if_none_match: str | None, if_modified_since: str | None, page_bytes: int
) -> Reply:
    etag = f'"p{index}-v1"'
    validators = (("ETag", etag), ("Last-Modified", LAST_MODIFIED))
    if _matches(etag, if_none_match) or (
        if_none_match is None and _not_modified_since(if_modified_since)
    ):
        return Reply(304, validators)
    return Reply(200, (("Content-Type", _HTML), *validators), page_body(index, page_bytes))


def _matches(etag: str, if_none_match: str | None) -> bool:
    if if_none_match is None:
        return False
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return "*" in tags or etag in tags


def _not_modified_since(value: str | None) -> bool:
    if value is None:
        return False
    try:
        return parsedate_to_datetime(value).timestamp() >= _LAST_MODIFIED_TS
    except (TypeError, ValueError, IndexError):
        return False


def page_body(index: int, size: int = 0) -> bytes:
    """An HTML page with a title and a few sentences (about 550 bytes), padded with
    more paragraphs up to about ``size`` bytes."""
    topic = _TOPICS[index % len(_TOPICS)]
    sentences = " ".join(_SENTENCES[(index + k) % len(_SENTENCES)] for k in range(3))
    padding: list[str] = []
    room = size - 550
    k = 0
    while room > 0:
        paragraph = f"<p>{_SENTENCES[(index + k) % len(_SENTENCES)]} (note {k + 1})</p>"
        padding.append(paragraph)
        room -= len(paragraph)
        k += 1
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Report {index}: {topic}</title></head><body><main>"
        f"<h1>Report {index}: {topic}</h1><p>{sentences}</p>"
        f"<p>In the period covered, {1000 + index * 7 % 9000:,} people took part in the "
        f"{topic} programme, up {index % 17 + 1} percent on the year before.</p>"
        f"{''.join(padding)}</main></body></html>"
    ).encode()


# --- real-world trouble: pages as live sites serve them ---

_SITE = "County Services Department"


def _site_page(title: str, main: str) -> bytes:
    """A page of the farm's sites: their header (logo, navigation, search box), ``main``
    and their footer."""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{title}</title><link rel='stylesheet' href='/assets/css/site.css'>"
        "<link rel='icon' href='/favicon.ico'></head><body>"
        "<a class='skip-link' href='#main'>Skip to main content</a>"
        f"<header class='site-header'><a class='logo' href='/'>{_SITE}</a>"
        "<nav aria-label='Main'><ul><li><a href='/'>Home</a></li>"
        "<li><a href='/services/'>Services</a></li>"
        "<li><a href='/publications/'>Publications</a></li><li><a href='/news/'>News</a></li>"
        "<li><a href='/about/'>About us</a></li><li><a href='/contact/'>Contact</a></li>"
        "</ul></nav><form class='site-search' role='search' action='/search' method='get'>"
        "<label for='site-q'>Search</label>"
        "<input id='site-q' type='search' name='q' placeholder='Search this site'>"
        "<button type='submit'>Search</button></form></header>"
        f"<main id='main'>{main}</main>"
        f"<footer class='site-footer'><p>&copy; 2024 {_SITE}</p><ul>"
        "<li><a href='/accessibility/'>Accessibility</a></li>"
        "<li><a href='/privacy/'>Privacy notice</a></li>"
        "<li><a href='/contact/'>Contact us</a></li></ul></footer></body></html>"
    ).encode()


def home_page() -> bytes:
    """The sites' home page, at ``/``."""
    return _site_page(
        f"Home | {_SITE}",
        f"<h1>Welcome to the {_SITE}</h1>"
        "<p>We support families, young people and communities across the county with "
        "services, programmes and the statistics we publish every year.</p>"
        "<h2>Latest news</h2><ul>"
        "<li><a href='/news/annual-survey-2024'>Annual survey results published</a></li>"
        "<li><a href='/news/youth-outreach-grants'>Youth outreach grants open</a></li>"
        "<li><a href='/news/court-protocol-update'>Court protocol updated</a></li></ul>"
        "<h2>Popular pages</h2><ul>"
        "<li><a href='/services/family-support'>Family support</a></li>"
        "<li><a href='/publications/'>Reports and publications</a></li>"
        "<li><a href='/contact/'>Contact the department</a></li></ul>",
    )


def soft_404_page(index: int) -> bytes:
    """The site's own "page not found" page, served with a 200 (two designs)."""
    if index % 2 == 0:
        title, heading = f"Page not found | {_SITE}", "Page not found"
        lead = (
            "<p>If you typed the web address, check it is correct.</p>"
            "<p>If you pasted the web address, check you copied the entire address.</p>"
        )
    else:
        heading = "Sorry, we couldn't find that page"
        title = f"{heading} - {_SITE}"
        lead = (
            "<p>The link you followed may be broken, or the page may have been moved "
            "or removed.</p>"
        )
    return _site_page(
        title,
        f"<h1>{heading}</h1>{lead}"
        "<form class='search-again' role='search' action='/search' method='get'>"
        "<label for='q'>Search the site</label><input id='q' type='search' name='q'>"
        "<button type='submit'>Search</button></form>"
        "<h2>Popular pages</h2><ul><li><a href='/'>Home</a></li>"
        "<li><a href='/services/'>Our services</a></li>"
        "<li><a href='/publications/'>Reports and publications</a></li>"
        "<li><a href='/contact/'>Contact us</a></li></ul>",
    )


def refresh_stub(index: int) -> bytes:
    """A static site's redirect stub (jekyll-redirect-from's template) to a page of a
    section that is gone."""
    target = f"/{_REFRESH_TARGET}/{index}"
    return (
        '<!DOCTYPE html>\n<html lang="en-US">\n  <meta charset="utf-8">\n'
        "  <title>Redirecting&hellip;</title>\n"
        f'  <link rel="canonical" href="{target}">\n'
        f'  <script>location="{target}"</script>\n'
        f'  <meta http-equiv="refresh" content="0; url={target}">\n'
        '  <meta name="robots" content="noindex">\n'
        "  <h1>Redirecting&hellip;</h1>\n"
        f'  <a href="{target}">Click here if you are not redirected.</a>\n</html>\n'
    ).encode()


def moved_stub(index: int) -> bytes:
    """A retired page replaced by a "This page has moved" stub whose inline script sends
    the reader to the page's new address, in a section that has since gone too (two
    designs: a hand-written stub, and a CMS's page in the site's dress with a timer)."""
    target = f"/{_SCRIPT_TARGET}/{index}"
    if index % 2 == 0:
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            "<title>This page has moved</title>\n"
            '<meta name="robots" content="noindex">\n'
            '<script type="text/javascript">\n'
            f'  window.location.href = "{target}";\n'
            "</script>\n</head>\n<body>\n<h1>This page has moved</h1>\n"
            "<p>This page has moved to a new address. If you are not redirected "
            f'automatically, <a href="{target}">follow this link</a>.</p>\n'
            "</body>\n</html>\n"
        ).encode()
    return _site_page(
        f"This page has moved | {_SITE}",
        "<h1>This page has moved</h1>"
        "<p>The page you were looking for has moved to our new resources section. "
        "You will be taken there in 5 seconds.</p>"
        f"<p><a href='{target}'>Go to the new page now</a>, and please update your "
        "bookmarks.</p>"
        "<script>\n  setTimeout(function () {\n"
        f"    window.location.replace('{target}');\n"
        "  }, 5000);\n</script>",
    )


_RELATED_SEARCHES = (
    "Youth Programs",
    "County Services",
    "Family Support Near Me",
    "Annual Survey Results",
    "Community Grants",
    "Court Records Search",
)


def parked_page(index: int) -> bytes:
    """A parking service's lander: a for-sale banner, sponsored "related searches" and
    their disclaimer."""
    searches = "".join(
        f"<li><a href='/?search={term.replace(' ', '+')}&amp;afdToken=t{index}'>{term}</a></li>"
        for term in _RELATED_SEARCHES
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        "<title>This domain may be for sale</title><style>"
        "body{margin:0;font-family:Arial,Helvetica,sans-serif;background:#f5f5f5;color:#333}"
        ".banner{background:#202020;color:#fff;padding:12px;text-align:center}"
        ".banner a{color:#8fd3ff;font-weight:bold}.container{max-width:720px;margin:40px auto}"
        ".searches a{display:block;padding:14px;margin:6px 0;background:#fff;"
        "border:1px solid #ddd;color:#1a0dab}footer{font-size:12px;text-align:center}"
        "</style></head><body>"
        "<div class='banner'>This domain may be for sale! "
        "<a href='https://sedo.com/search/details/?partnerid=324561&amp;language=us'>"
        "Buy this domain</a></div>"
        "<div class='container'><h2>Related Searches</h2>"
        f"<ul class='searches'>{searches}</ul></div>"
        "<footer><p>Copyright &copy; 2024. All rights reserved.</p>"
        "<p>The Sponsored Listings displayed above are served automatically by a third "
        "party. Neither the service provider nor the domain owner maintain any "
        "relationship with the advertisers.</p><a href='/privacy'>Privacy Policy</a>"
        "</footer></body></html>"
    ).encode()


def login_page(index: int) -> bytes:
    """A portal's sign-in page, served in place of a document its visitors must sign
    in to read."""
    back = f"%2F{_SEGMENTS[Kind.LOGIN_PDF]}%2F{index}.pdf"
    return _site_page(
        f"Sign in | {_SITE}",
        "<div class='login-box'><h1>Sign in</h1>"
        "<p>Sign in with your staff or partner account to continue.</p>"
        f"<form method='post' action='/account/login?ReturnUrl={back}'>"
        f"<input type='hidden' name='__RequestVerificationToken' value='CfDJ8{index:08d}'>"
        "<label for='username'>Email or username</label>"
        "<input id='username' name='username' type='text' autocomplete='username'>"
        "<label for='password'>Password</label>"
        "<input id='password' name='password' type='password' "
        "autocomplete='current-password'>"
        "<label><input type='checkbox' name='remember'> Keep me signed in</label>"
        "<button type='submit'>Sign in</button></form>"
        "<p><a href='/account/forgot-password'>Forgot your password?</a></p>"
        "<p><a href='/account/request-access'>Request an account</a></p></div>",
    )


def challenge_page(index: int) -> bytes:
    """Cloudflare's managed challenge interstitial ("Just a moment...")."""
    ray = _ray(index)
    path = f"\\/{_SEGMENTS[Kind.CHALLENGE]}\\/{index}"
    return (
        '<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>'
        '<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">'
        '<meta http-equiv="X-UA-Compatible" content="IE=Edge">'
        '<meta name="robots" content="noindex,nofollow">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        "<style>*{box-sizing:border-box;margin:0;padding:0}html{line-height:1.15;"
        "color:#313131;font-family:system-ui,-apple-system,sans-serif}body{display:flex;"
        "flex-direction:column;height:100vh;min-height:100vh}.main-content{margin:8rem auto;"
        "max-width:60rem;padding-left:1.5rem}.h2{font-size:1.5rem;font-weight:500}</style>"
        '<meta http-equiv="refresh" content="390"></head><body class="no-js">'
        '<div class="main-wrapper" role="main"><div class="main-content"><noscript>'
        '<div class="h2"><span id="challenge-error-text">Enable JavaScript and cookies to '
        "continue</span></div></noscript></div></div><script>(function(){"
        f"window._cf_chl_opt={{cvId: '3',cZone: \"{_SITE.split()[0].lower()}.example\","
        f"cType: 'managed',cRay: '{ray}',cH: 'x{index:06d}',"
        f"cUPMDTk: \"{path}?__cf_chl_tk=t{index:06d}\",cFPWv: 'b',cTTimeMs: '1000',"
        f"cMTimeMs: '390000',cTplV: 5,cTplB: 'cf',fa: \"{path}?__cf_chl_f_tk=t{index:06d}\"}};"
        "var cpo = document.createElement('script');"
        "cpo.src = '/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1?ray="
        f"{ray}';document.getElementsByTagName('head')[0].appendChild(cpo);}}());"
        "</script></body></html>"
    ).encode()


# The purposes of the IAB's Transparency and Consent Framework, which consent managers
# list in a dialog's second layer (shown on "Manage options").
_TCF_PURPOSES = (
    "Store and/or access information on a device",
    "Use limited data to select advertising",
    "Create profiles for personalised advertising",
    "Use profiles to select personalised advertising",
    "Measure advertising performance",
    "Understand audiences through statistics or combinations of data from different sources",
    "Develop and improve services",
)


def consent_page(index: int) -> bytes:
    """What a site whose consent manager walls its pages answers a reader without a
    consent cookie: the dialog alone (two designs: a Sourcepoint message with the IAB
    framework's wording, and a German news site's consent-or-pay wall)."""
    return _consent_dialog(index) if index % 2 == 0 else _consent_or_pay(index)


def _consent_dialog(index: int) -> bytes:
    purposes = "".join(f"<li>{purpose}</li>" for purpose in _TCF_PURPOSES)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_SITE}</title><style>"
        "body{margin:0;font-family:Arial,Helvetica,sans-serif;background:rgba(0,0,0,.6)}"
        ".message-container{max-width:640px;margin:8vh auto;padding:24px 32px;"
        "background:#fff;border-radius:4px}.message-buttons{display:flex;gap:12px;"
        "justify-content:flex-end}.message-button{padding:10px 18px;border:0;"
        "border-radius:2px;font-weight:bold}.sp_choice_type_11{background:#1a6fb5;"
        "color:#fff}</style></head><body>"
        f'<div id="sp_message_container_{812000 + index}" class="message-container" '
        'role="dialog" aria-modal="true" aria-labelledby="sp-title">'
        '<div class="message-logo"><a href="/"><img src="/assets/img/logo.svg" '
        f'alt="{_SITE}" width="160" height="40"></a></div>'
        '<h2 id="sp-title">We value your privacy</h2>'
        "<p>We and our 168 partners store and/or access information on a device, such "
        "as cookies, and process personal data, such as unique identifiers and standard "
        "information sent by a device, for personalised advertising and content, "
        "advertising and content measurement, audience research and services "
        "development.</p>"
        "<p>With your permission we and our partners may use precise geolocation data "
        "and identification through device scanning. You may click to consent to our "
        "and our partners' processing as described above. Alternatively you may access "
        "more detailed information and change your preferences before consenting or to "
        "refuse consenting.</p>"
        "<p>Please note that some processing of your personal data may not require your "
        "consent, but you have a right to object to such processing. Your preferences "
        "will apply to this website only. You can change your preferences at any time "
        "by returning to this site or visit our <a href='/privacy/'>privacy "
        "policy</a>.</p>"
        '<div class="message-buttons">'
        '<button class="message-button sp_choice_type_12" title="Manage options">'
        "Manage options</button>"
        '<button class="message-button sp_choice_type_13" title="Reject all">'
        "Reject all</button>"
        '<button class="message-button sp_choice_type_11" title="Accept all">'
        "Accept all</button></div>"
        '<div class="message-purposes" hidden><h3>Manage your preferences</h3>'
        f"<ul>{purposes}</ul>"
        '<button class="message-button sp_choice_type_SAVE_AND_EXIT">Save and exit'
        "</button></div></div>"
        "<script>window._sp_queue = [];window._sp_ = {config: {accountId: 1842, "
        "baseEndpoint: 'https://cdn.privacy-mgmt.com', "
        "propertyHref: 'https://www.county-services.example'}};</script>"
        '<script src="https://cdn.privacy-mgmt.com/unified/wrapperMessagingWithout'
        'Detection.js" async></script></body></html>'
    ).encode()


def _consent_or_pay(index: int) -> bytes:
    """A German news site's consent-or-pay wall (worded as Golem.de's): read with
    advertising and tracking by accepting every cookie, or subscribe to read without."""
    back = f"%2F{_SEGMENTS[Kind.CONSENT]}%2F{index}"
    return (
        '<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>Nordwest-Rundschau</title>"
        '<link rel="stylesheet" href="/static/css/zustimmung.css"></head><body>'
        '<div class="cmp-wall" role="dialog" aria-modal="true" aria-label="Zustimmung">'
        '<a class="cmp-logo" href="/"><img src="/static/img/logo-nwr.svg" '
        'alt="Nordwest-Rundschau"></a>'
        '<div class="cmp-options"><div class="cmp-option cmp-consent">'
        "<p>Besuchen Sie nwr.de wie gewohnt mit Werbung und Tracking, indem Sie der "
        "Nutzung aller Cookies zustimmen.</p>"
        '<p>Details zum Tracking finden Sie im <a href="/privacy-center">Privacy '
        "Center</a>.</p>"
        '<button type="button" class="cmp-button" data-choice="accept-all">'
        "Zustimmen und weiter</button>"
        "<noscript><p>Skript wurde nicht geladen. Informationen zu Cookies und Tracking "
        'finden Sie in unserer <a href="/datenschutz">Datenschutzerklärung</a>.</p>'
        "</noscript></div>"
        '<div class="cmp-option cmp-pur">'
        "<p>Mit NWR pur ab 3,99 Euro im Monat lesen Sie nwr.de ohne Werbung und ohne "
        "Tracking.</p>"
        f'<a class="cmp-button" href="/pur/abo?returnUrl={back}">Zu NWR pur</a>'
        f'<p>Bereits Pur-Leser? <a href="/pur/login?returnUrl={back}">Hier anmelden</a>.'
        "</p></div></div></div>"
        '<script src="/static/js/zustimmung.js" defer></script></body></html>'
    ).encode()


def _ray(index: int) -> str:
    """A Cloudflare ray id: 16 hex digits (fixed per URL here)."""
    return f"{(index + 1) * 0x9E3779B97F4A7C15 % 16**16:016x}"


_RATE_LIMITED = (
    b"<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n<body>\r\n"
    b"<center><h1>429 Too Many Requests</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)


def _soft_404(index: int) -> Reply:
    return Reply(200, (("Content-Type", _HTML),), soft_404_page(index))


def _to_home(index: int) -> Reply:
    return Reply(301 if index % 2 == 0 else 302, (("Location", "/"), ("Content-Type", _HTML)))


def _refresh(index: int) -> Reply:
    return Reply(200, (("Content-Type", _HTML),), refresh_stub(index))


def _script_stub(index: int) -> Reply:
    return Reply(200, (("Content-Type", _HTML),), moved_stub(index))


def _parked(index: int) -> Reply:
    return Reply(200, (("Content-Type", _HTML),), parked_page(index))


def _login(index: int) -> Reply:
    headers = (
        ("Content-Type", _HTML),
        ("Cache-Control", "no-cache, no-store"),
        (
            "Set-Cookie",
            f".AspNetCore.Antiforgery.s{index}=CfDJ8; path=/; samesite=strict; httponly",
        ),
        ("X-Frame-Options", "DENY"),
    )
    return Reply(200, headers, login_page(index))


def _challenge(index: int) -> Reply:
    headers = (
        ("Content-Type", "text/html; charset=UTF-8"),
        ("Server", "cloudflare"),
        ("CF-RAY", f"{_ray(index)}-IAD"),
        ("cf-mitigated", "challenge"),
        ("Cache-Control", "private, max-age=0, no-store, no-cache, must-revalidate"),
        ("Expires", "Thu, 01 Jan 1970 00:00:01 GMT"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "SAMEORIGIN"),
    )
    return Reply(403, headers, challenge_page(index))


def _consent(index: int) -> Reply:
    headers = (
        ("Content-Type", _HTML),
        # The wall is for readers without a consent cookie: no cache may keep it.
        ("Cache-Control", "private, no-store"),
        ("Vary", "Cookie"),
    )
    return Reply(200, headers, consent_page(index))


def _rate_limited(index: int) -> Reply:
    return Reply(429, (("Content-Type", "text/html"), ("Retry-After", "1")), _RATE_LIMITED)


_TROUBLE: dict[Kind, Callable[[int], Reply]] = {
    Kind.SOFT_404: _soft_404,
    Kind.TO_HOME: _to_home,
    Kind.REFRESH_GONE: _refresh,
    Kind.SCRIPT_GONE: _script_stub,
    Kind.PARKED: _parked,
    Kind.LOGIN_PDF: _login,
    Kind.CHALLENGE: _challenge,
    Kind.CONSENT: _consent,
    Kind.RATE_LIMITED: _rate_limited,
}
