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
    PARKED = "parked"  # 200, a parking service's "this domain may be for sale" lander
    LOGIN_PDF = "login_pdf"  # a .pdf URL that answers 200 text/html with a sign-in form
    CHALLENGE = "challenge"  # 403, a Cloudflare "Just a moment..." challenge
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
        behind a bot challenge, where people get the page and checkers get the wall."""
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
    Kind.PARKED: "soft_404",
    Kind.LOGIN_PDF: "type_mismatch",
    Kind.CHALLENGE: "blocked",
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
    Kind.PARKED: False,
    Kind.LOGIN_PDF: False,
    Kind.CHALLENGE: None,
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
    Kind.PARKED: '200 "this domain may be for sale" parking page',
    Kind.LOGIN_PDF: "a .pdf URL answering 200 HTML with a sign-in form",
    Kind.CHALLENGE: '403 Cloudflare "Just a moment..." challenge',
    Kind.RATE_LIMITED: "429 (Retry-After: 1) to the first request, then 200",
}
_SEGMENTS = {
    Kind.SOFT_404: "publications",
    Kind.TO_HOME: "reports",
    Kind.REFRESH_GONE: "archive",
    Kind.PARKED: "programs",
    Kind.LOGIN_PDF: "files",
    Kind.CHALLENGE: "research",
    Kind.RATE_LIMITED: "data",
}
_SUFFIXES = {Kind.LOGIN_PDF: ".pdf"}
# Where the refresh stubs send readers: a section of the site that is gone.
_REFRESH_TARGET = "documents"


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
    parked: int = 0
    login_pdf: int = 0
    challenge: int = 0
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


def _rate_limited(index: int) -> Reply:
    return Reply(429, (("Content-Type", "text/html"), ("Retry-After", "1")), _RATE_LIMITED)


_TROUBLE: dict[Kind, Callable[[int], Reply]] = {
    Kind.SOFT_404: _soft_404,
    Kind.TO_HOME: _to_home,
    Kind.REFRESH_GONE: _refresh,
    Kind.PARKED: _parked,
    Kind.LOGIN_PDF: _login,
    Kind.CHALLENGE: _challenge,
    Kind.RATE_LIMITED: _rate_limited,
}
