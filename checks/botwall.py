"""Recognise walls: the page that answered stands in front of the source.

A bot challenge (:func:`challenge_reason`, :func:`interstitial_reason`), a page that
only its scripts fill (:func:`script_shell_reason`) and a password form
(:func:`login_wall_reason`) say nothing about whether the cited page is alive, so a
caller turns a reason from here into an inconclusive ``blocked`` verdict. Precision
matters more than recall: many live pages carry a vendor's sensor script or a CAPTCHA
on a form, so a marker that also appears on ordinary pages only counts together with a
refusing status or a page that is nearly empty.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import SplitResult, parse_qsl, urlsplit

from lxml import etree

from checks.verdict import ChallengeProof

# A challenge page is small; a body larger than this is a real page naming a vendor.
_MAX_CHALLENGE_HTML = 256 * 1024
# Visible words on a page that is nothing but a challenge or a CAPTCHA widget.
_BARE_WORDS = 60
# Visible words on a page that could still be an interstitial with some explanation.
_SHORT_WORDS = 300
# A "verify you are human" line on a page this short is the page's whole point.
_HUMAN_CHECK_WORDS = 150

_REFUSING = frozenset({401, 403, 405, 406, 429, 503})

# The interstitial's own markers; live pages carry "/cdn-cgi/challenge-platform/scripts"
# and Turnstile widgets, which are not listed here.
_CF_CHALLENGE = re.compile(r"_cf_chl_opt|cf-chl-|cf_chl_|cf-browser-verification", re.I)
_CF_WAIT_TITLE = re.compile(r"<title>\s*just a moment\.\.\.\s*</title>", re.I)
_CF_BLOCK = re.compile(
    r"attention required! \| cloudflare|sorry, you have been blocked"
    r"|used cloudflare to restrict access",
    re.IGNORECASE,
)
_AKAMAI = re.compile(
    r"<title>\s*access denied\s*</title>.{0,2000}?reference(?:\s|&#32;)*(?:#|&#35;)",
    re.IGNORECASE | re.DOTALL,
)
_DATADOME = re.compile(r"captcha-delivery\.com", re.I)
_PERIMETERX = re.compile(r"px-captcha\b|/captcha\.js\?[^\"']*\bappId=PX", re.I)
_INCAPSULA_INCIDENT = re.compile(r"incapsula incident id", re.I)
_INCAPSULA_RESOURCE = re.compile(r"_Incapsula_Resource", re.I)
_AWS_WAF = re.compile(r"aws-waf-token|awswaf\.com|AwsWafIntegration|gokuProps", re.I)
_SUCURI = re.compile(
    r"sucuri website firewall|sucuri\.net/privacy-policy|cloudproxy@sucuri\.net", re.I
)
_HUMAN_CHECK = re.compile(
    r"verify(?:ing)? (?:that )?you are (?:a )?human|are you a robot\??|i'?m not a robot"
    r"|unusual traffic from your (?:computer )?network"
    r"|checking (?:if the site connection is secure|your browser before accessing)"
    r"|needs to review the security of your connection"
    r"|please (?:complete|solve) the (?:security check|captcha)"
    r"|enable javascript and cookies to continue|press (?:&amp;|&) hold",
    re.IGNORECASE,
)
_CAPTCHA_WIDGET = re.compile(
    r"class=[\"'][^\"']*\b(?:g-recaptcha|h-captcha|cf-turnstile)\b"
    r"|google\.com/recaptcha/|recaptcha/api\.js|hcaptcha\.com/1/api\.js|js\.hcaptcha\.com",
    re.IGNORECASE,
)
_CAPTCHA_TITLE = re.compile(
    r"captcha|security check|verification|are you (?:a )?(?:human|robot)|access denied"
    r"|one more step|attention required",
    re.IGNORECASE,
)
# A field a person types into: the CAPTCHA guards a form, not the page.
_USER_INPUT = re.compile(
    r"<textarea\b"
    r"|<input\b(?![^>]*\btype\s*=\s*[\"']?(?:hidden|submit|button|checkbox|image|reset)\b)",
    re.IGNORECASE,
)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)

# For each pattern, lower-case strings of which any match holds at least one. A page
# whose lower-cased text holds none of them cannot match, and the search, slow over a
# long page with IGNORECASE, is skipped. Rare strings make a good choice: a common one
# ("human") would send many live pages to the full search.
_ANCHORS: dict[re.Pattern[str], tuple[str, ...]] = {
    _CF_CHALLENGE: ("chl", "cf-browser"),
    _CF_WAIT_TITLE: ("just a moment...",),
    _CF_BLOCK: ("cloudflare", "been blocked"),
    _AKAMAI: ("access denied",),
    _DATADOME: ("captcha",),
    _PERIMETERX: ("captcha",),
    _INCAPSULA_INCIDENT: ("incapsula",),
    _INCAPSULA_RESOURCE: ("incapsula",),
    _AWS_WAF: ("waf", "gokuprops"),
    _SUCURI: ("sucuri",),
    _HUMAN_CHECK: (
        "verify",
        "robot",
        "unusual traffic",
        "site connection is secure",
        "browser before accessing",
        "review the security",
        "security check",
        "captcha",
        "enable javascript and cookies",
        "press &",
    ),
    _CAPTCHA_WIDGET: ("captcha", "turnstile"),
}
# IGNORECASE also matches these to ASCII letters (I, S, K), as str.lower() does not:
# on a page holding one, the anchors prove nothing and every search runs.
_CASE_ODDITIES = re.compile("[\u0130\u0131\u017f\u212a]")


_STATUS_999 = "bot wall (status 999, refused by the site's crawler defence)"


@dataclass(frozen=True)
class Challenge:
    """A bot wall seen in an answer: what to tell a person, and how sure it is."""

    reason: str
    proof: ChallengeProof


def challenge_reason(status: int, headers: Mapping[str, str], html: str) -> str | None:
    """A short reason such as ``"bot challenge (Cloudflare)"`` when the response is a
    bot wall or challenge rather than the page itself, else None.

    ``headers`` may use any letter case. ``html`` is the (possibly truncated) body text.
    """
    found = find_challenge(status, headers, html)
    return found.reason if found is not None else None


def find_challenge(status: int, headers: Mapping[str, str], html: str) -> Challenge | None:
    """The bot wall the response is, with the kind of evidence for it, or None (as
    :func:`challenge_reason`)."""
    head = {str(k).lower(): str(v) for k, v in headers.items()}
    if status == 999:
        return Challenge(_STATUS_999, ChallengeProof.VENDOR)
    page = _Page(html)
    for vendor, test in _VENDOR_TESTS:
        proof = test(status, head, page)
        if proof is not None:
            return Challenge(f"bot challenge ({vendor})", proof)
    generic = _generic_reason(status, page)
    return Challenge(generic, ChallengeProof.WORDING) if generic is not None else None


class _Page:
    """The body, with its lower-cased text and visible word count worked out at most
    once."""

    def __init__(self, html: str) -> None:
        self.html = html
        # A challenge page is small; a large page is a real one that names a vendor.
        self.small = len(html) <= _MAX_CHALLENGE_HTML
        self._anchors: dict[str, bool] = {}

    def has(self, pattern: re.Pattern[str]) -> bool:
        if not self.small:
            return False
        anchors = _ANCHORS.get(pattern)
        if anchors is not None and not any(self._holds(anchor) for anchor in anchors):
            return False
        return pattern.search(self.html) is not None

    def _holds(self, anchor: str) -> bool:
        """Whether the page may hold ``anchor``: False only when it surely does not."""
        found = self._anchors.get(anchor)
        if found is None:
            folded = self._folded
            found = folded is None or anchor in folded
            self._anchors[anchor] = found
        return found

    @cached_property
    def _folded(self) -> str | None:
        html = self.html
        if not html.isascii() and _CASE_ODDITIES.search(html):
            return None
        return html.lower()

    @cached_property
    def words(self) -> int:
        return _visible_words(self.html)


# Each vendor test says how it knows the answer is that vendor's wall: by the vendor's
# own header naming it a challenge (explicit), or by the vendor's page markers.
_EXPLICIT, _VENDOR = ChallengeProof.EXPLICIT, ChallengeProof.VENDOR


def _cloudflare(status: int, head: Mapping[str, str], page: _Page) -> ChallengeProof | None:
    if head.get("cf-mitigated", "").strip().lower() == "challenge":
        return _EXPLICIT
    if page.has(_CF_BLOCK) and (status in _REFUSING or page.words <= _SHORT_WORDS):
        return _VENDOR
    on_cloudflare = "cloudflare" in head.get("server", "").lower()
    marked = page.has(_CF_CHALLENGE) or (on_cloudflare and page.has(_CF_WAIT_TITLE))
    return _VENDOR if marked and (status in _REFUSING or page.words <= _BARE_WORDS) else None


def _datadome(status: int, head: Mapping[str, str], page: _Page) -> ChallengeProof | None:
    # DataDome tags every response it proxies with x-datadome; only a refusal is a wall.
    if "x-datadome" in head and status in _REFUSING:
        return _VENDOR
    return _VENDOR if page.has(_DATADOME) and page.words <= _SHORT_WORDS else None


def _akamai(status: int, head: Mapping[str, str], page: _Page) -> ChallengeProof | None:
    return _VENDOR if status in _REFUSING and page.has(_AKAMAI) else None


def _perimeterx(status: int, head: Mapping[str, str], page: _Page) -> ChallengeProof | None:
    # The sensor (window._pxAppId) is on live pages too; the CAPTCHA element is not.
    return _VENDOR if page.has(_PERIMETERX) and page.words <= _SHORT_WORDS else None


def _incapsula(status: int, head: Mapping[str, str], page: _Page) -> ChallengeProof | None:
    if page.has(_INCAPSULA_INCIDENT) and (status in _REFUSING or page.words <= _SHORT_WORDS):
        return _VENDOR
    # Incapsula injects its resource script into live pages; a bare page is the challenge.
    return _VENDOR if page.has(_INCAPSULA_RESOURCE) and page.words <= _BARE_WORDS else None


def _aws_waf(status: int, head: Mapping[str, str], page: _Page) -> ChallengeProof | None:
    action = head.get("x-amzn-waf-action", "").strip().lower()
    if action in {"challenge", "captcha", "block"}:
        return _EXPLICIT
    if not page.has(_AWS_WAF):
        return None
    walled = status in _REFUSING or status == 202 or page.words <= _BARE_WORDS
    return _VENDOR if walled else None


def _sucuri(status: int, head: Mapping[str, str], page: _Page) -> ChallengeProof | None:
    if "x-sucuri-block" in head:
        return _EXPLICIT
    return _VENDOR if status in _REFUSING and page.has(_SUCURI) else None


_VendorTest = Callable[[int, Mapping[str, str], _Page], ChallengeProof | None]
_VENDOR_TESTS: tuple[tuple[str, _VendorTest], ...] = (
    ("Cloudflare", _cloudflare),
    ("DataDome", _datadome),
    ("Akamai", _akamai),
    ("PerimeterX/HUMAN", _perimeterx),
    ("Imperva Incapsula", _incapsula),
    ("AWS WAF", _aws_waf),
    ("Sucuri", _sucuri),
)


def _generic_reason(status: int, page: _Page) -> str | None:
    human_check = page.has(_HUMAN_CHECK)
    widget = page.has(_CAPTCHA_WIDGET)
    if not (human_check or widget) or page.words > _SHORT_WORDS:
        return None
    if human_check and (status in _REFUSING or page.words <= _HUMAN_CHECK_WORDS):
        return "bot challenge (human verification)"
    if not widget:
        return None
    # A CAPTCHA guarding a contact or login form is normal; a wall has nothing to fill in.
    if status in _REFUSING or _CAPTCHA_TITLE.search(_title(page.html)):
        return "bot challenge (CAPTCHA)"
    if page.words <= _BARE_WORDS and not _USER_INPUT.search(page.html):
        return "bot challenge (CAPTCHA)"
    return None


def _title(html: str) -> str:
    match = _TITLE.search(html)
    return match.group(1) if match else ""


def _visible_words(html: str) -> int:
    """Number of words a reader would see; scripts, styles and markup excluded."""
    if not html.strip():
        return 0
    parser = etree.HTMLParser(recover=True, no_network=True, encoding="utf-8")
    try:
        root = etree.fromstring(html.encode("utf-8", "surrogatepass"), parser)
    except (etree.LxmlError, ValueError):
        root = None
    if root is None:
        return len(re.sub(r"<[^>]*>", " ", html).split())
    for element in root.iter("script", "style", "noscript", "template"):
        element.text = None
    return sum(len(chunk.split()) for chunk in root.itertext())


# --- pages only a browser, or a person, gets past ------------------------------------

# Fewer letters than this outside scripts: the page's text is written by its scripts
# (the threshold content extraction uses to call such a page unreadable).
SHELL_LETTERS = 30
_SCRIPT_TAG = re.compile(r"<script\b", re.IGNORECASE)
_PASSWORD_INPUT = re.compile(r"<input\b[^>]*\btype\s*=\s*[\"']?password\b", re.IGNORECASE)
# Words a page may show besides its password form (a heading, a line of help) and
# still be a login page rather than a page with a login box.
_LOGIN_OTHER_WORDS = 30
_UNSEEN = ("script", "style", "noscript", "template", "title")
_FURNITURE = ("nav", "header", "footer", "aside")
# Path words of the places challenge interstitials send a reader to.
_CHALLENGE_PATH = re.compile(r"captcha|challenge", re.IGNORECASE)
# Content that is no text but is the page all the same: a picture, a document shown
# in the page, a player.
_MEDIA = ("img", "picture", "embed", "object", "iframe", "video", "audio")
# The elements single-page frameworks mount themselves in (React, Vue, Next.js, Nuxt,
# Gatsby, Angular, Quasar...).
_MOUNT_IDS = frozenset(
    {"root", "app", "__next", "__nuxt", "___gatsby", "app-root", "application", "q-app"}
    | {"react-root", "main-app", "svelte"}
)
_MOUNT_TAGS = frozenset({"app-root"})
_SCRIPTS = frozenset({"script", "noscript", "template", "style"})
# Some frameworks (ASP.NET WebForms, SharePoint) wrap the whole page in one <form>:
# such a form is the page, not a login form. It holds a main part, a section or a top
# heading, or more blocks of prose than a form's few lines of help (content extraction
# tells these forms apart the same way).
_PAGE_PARTS = ("main", "article", "section", "h1", "h2")
_PROSE_BLOCKS = ("p", "table", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "blockquote")
_PAGE_PROSE = 3
# The most elements a login box outside a form of its own holds (fields, labels, a
# button, a link or two, some layout).
_BOX_ELEMENTS = 30
# The most elements and words a login form of its own holds: its fields, a heading,
# a line of help, terms of use and links to reset a password or register. A form
# that wraps a page holds more of either.
_LOGIN_FORM_ELEMENTS = 2 * _BOX_ELEMENTS
_LOGIN_FORM_WORDS = 100


def script_shell_reason(html: str) -> str | None:
    """Why a page is an application shell whose text its scripts write, or None.

    Such a page (a single-page app) looks the same for every path, live or not, so
    neither its text nor a comparison with another path says whether the source is
    there. Little text is not enough: the page must also have the place an
    application mounts itself in, still empty (or a body of nothing but scripts),
    and no picture, embedded document or player, which are content without text.
    """
    if not html or len(html) > _MAX_CHALLENGE_HTML or not _SCRIPT_TAG.search(html):
        return None
    root = _parse(html)
    if root is None:
        return None
    only_scripts = _body_of_scripts(root)
    # Media inside <noscript> (a tag manager's iframe, a tracking pixel) is no content
    # a reader sees: only what is left once the unseen parts are gone counts.
    _drop(root, _UNSEEN)
    if next(root.iter(*_MEDIA), None) is not None:
        return None
    letters = sum(1 for chunk in root.itertext() for c in chunk if c.isalpha())
    if letters >= SHELL_LETTERS or not (only_scripts or _empty_mount(root)):
        return None
    return "page needs a browser (no text without JavaScript: the page is built by its scripts)"


def _body_of_scripts(root: etree._Element) -> bool:
    """Whether the body holds scripts and nothing else (no element, no text)."""
    body = root.find("body")
    if body is None or (body.text or "").strip():
        return False
    if any((child.tail or "").strip() for child in body):
        return False
    tags = [child.tag for child in body if isinstance(child.tag, str)]  # not comments
    return "script" in tags and all(tag in _SCRIPTS for tag in tags)


def _empty_mount(root: etree._Element) -> bool:
    """Whether an application's mount point is on the page with no text in it."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        mount = element.tag in _MOUNT_TAGS or (element.get("id") or "") in _MOUNT_IDS
        if mount and not "".join(element.itertext()).strip():
            return True
    return False


def login_wall_reason(html: str) -> str | None:
    """Why a page is a login page standing in for the content, or None.

    Its main content is a password form: little text is left once the login box and
    the site's navigation, header and footer are set aside. The login box is the
    password field's own form when that form is small or holds no page; in a form
    that wraps the whole page, it is the field's largest enclosing element that holds
    few elements and little text. A page with a
    login box beside its own text is not a login page.
    """
    if not html or len(html) > _MAX_CHALLENGE_HTML or not _PASSWORD_INPUT.search(html):
        return None
    root = _parse(html)
    if root is None:
        return None
    _drop(root, _UNSEEN)
    boxes = [box for field in _password_fields(root) if (box := _login_box(field)) is not None]
    if not boxes:
        return None
    _drop(root, _FURNITURE)
    for box in boxes:
        _remove(box)
    if _words(root) > _LOGIN_OTHER_WORDS:
        return None
    return "login page (a password form stands in for the content)"


def _password_fields(root: etree._Element) -> list[etree._Element]:
    return [
        field
        for field in root.iter("input")
        if (field.get("type") or "").strip().lower() == "password"
    ]


def _login_box(field: etree._Element) -> etree._Element | None:
    """The login box around a password field, or None outside any form."""
    form = next(field.iterancestors("form"), None)
    if form is None:
        return None  # a field that scripts handle: no telling what it guards
    if _small_form(form) or not _wraps_page(form):
        return form
    box = field
    for ancestor in field.iterancestors():
        if ancestor is form or not _box_sized(ancestor):
            break
        box = ancestor
    return box


def _small_form(form: etree._Element) -> bool:
    """Whether a form is small enough to be a login box of its own, whatever headings
    or lines of help it holds: a form that wraps a page holds far more elements, or
    the page's prose."""
    inside = itertools.islice(form.iterdescendants(), _LOGIN_FORM_ELEMENTS + 1)
    if sum(1 for _ in inside) > _LOGIN_FORM_ELEMENTS:
        return False
    return _words(form) <= _LOGIN_FORM_WORDS


def _wraps_page(element: etree._Element) -> bool:
    """Whether an element holds a page's content rather than a few fields."""
    if next(element.iterdescendants(*_PAGE_PARTS), None) is not None:
        return True
    prose = itertools.islice(element.iterdescendants(*_PROSE_BLOCKS), _PAGE_PROSE)
    return sum(1 for _ in prose) >= _PAGE_PROSE


def _box_sized(element: etree._Element) -> bool:
    """Whether an element is small enough to be a login box and nothing more."""
    if element.tag in ("body", "html") or _wraps_page(element):
        return False
    inside = itertools.islice(element.iterdescendants(), _BOX_ELEMENTS + 1)
    return sum(1 for _ in inside) <= _BOX_ELEMENTS and _words(element) <= _LOGIN_OTHER_WORDS


def _words(element: etree._Element) -> int:
    return sum(len(chunk.split()) for chunk in element.itertext())


def interstitial_reason(requested_url: str, locations: Sequence[str]) -> str | None:
    """Why a redirect chain ended at a challenge interstitial, or None.

    ``locations`` are where each redirect (or refresh) of the chain pointed. A hop to
    a CAPTCHA or challenge path that carries the requested path back in its query
    (``?r=/reports/x``, ``continue=``, ``returnUrl=``) is a wall that sends a person
    on once solved; the page behind it was never seen.
    """
    try:
        requested = urlsplit(requested_url)
    except ValueError:
        return None
    for target, values in _hops(locations):
        if not _CHALLENGE_PATH.search(target.path):
            continue
        if any(_names(value, requested) for value in values):
            host = target.hostname or ""
            return f"bot challenge (interstitial at {host}{target.path})"
    return None


def consent_wall_reason(requested_url: str, locations: Sequence[str], final_url: str) -> str | None:
    """Why a redirect chain ended at a cookie consent wall, or None.

    Consent managers send a reader who has not chosen yet to a consent page, on the
    site (``/cookie-consent?returnUrl=/reports/x``) or on a consent host of their own
    (``consent.google.com/ml?continue=...``, ``guce.yahoo.com``,
    ``myprivacy.dpgmedia.nl``), and back once a choice is stored in a cookie. A hop to
    such a page that carries the requested URL back, or to a consent host other than
    the requested one, is a wall when the chain ends on a consent page; the page behind
    it was never seen. A chain that went on from the consent page, back to the
    requested page (the choice was stored at once) or to where it has moved, saw a
    page after all. A path segment the requested URL has itself
    (``/research/consent/guidance``) names the page's topic, not a consent page.
    """
    try:
        requested, final = urlsplit(requested_url), urlsplit(final_url)
    except ValueError:
        return None
    own = frozenset(segment.lower() for segment in requested.path.split("/"))
    if _same_document(final, requested) or not _consent_page(final, own):
        return None
    for target, values in _hops(locations):
        if not _consent_page(target, own):
            continue
        host = (target.hostname or "").lower()
        foreign_host = _consent_host(target) and host != (requested.hostname or "").lower()
        if foreign_host or any(_names(value, requested, nested=True) for value in values):
            return f"consent wall (cookie consent page at {host}{target.path or '/'})"
    return None


def _hops(locations: Sequence[str]) -> Iterator[tuple[SplitResult, list[str]]]:
    """Each place a chain pointed to that can be read, with its query's values."""
    for location in locations:
        try:
            target = urlsplit(location)
            values = [value for _, value in parse_qsl(target.query)]
        except ValueError:
            continue
        yield target, values


def _consent_host(url: SplitResult) -> bool:
    return (url.hostname or "").lower().split(".", 1)[0] in _CONSENT_HOST_LABELS


def _consent_page(url: SplitResult, own: frozenset[str]) -> bool:
    """Whether a URL names a consent page: on a consent host, or with a consent path
    segment other than those of the requested URL (``own``)."""
    segments = {segment.lower() for segment in url.path.split("/")} - own
    return _consent_host(url) or not segments.isdisjoint(_CONSENT_SEGMENTS)


# First labels of hosts that serve nothing but consent pages (consent.google.com,
# consent.youtube.com, consent.yahoo.com, guce.yahoo.com, myprivacy.dpgmedia.nl).
_CONSENT_HOST_LABELS = frozenset({"consent", "consents", "guce", "myprivacy", "cookieconsent"})
# Path segments of consent pages that send the reader back once a choice is made.
_CONSENT_SEGMENTS = frozenset(
    {
        "consent",
        "collectconsent",
        "cookieconsent",
        "cookie-consent",
        "cookie_consent",
        "cookiewall",
        "cookie-wall",
        "consent-wall",
        "privacy-wall",
        "privacywall",
        "privacy-gate",
        "gdpr-consent",
    }
)


def _names(value: str, requested: SplitResult, *, nested: bool = False) -> bool:
    """Whether a query value names the requested URL (its path, or all of it); with
    ``nested``, also a URL in that value's own query (``callbackUrl=/accept?r=/x``)."""
    try:
        named = urlsplit(value.strip())
        inner = [v for _, v in parse_qsl(named.query)] if nested else []
    except ValueError:
        return False
    if any(_names(v, requested) for v in inner):
        return True
    if named.netloc and named.hostname != requested.hostname:
        return False
    return bool(named.path) and named.path.rstrip("/") == (requested.path or "/").rstrip("/")


def _parse(html: str) -> etree._Element | None:
    parser = etree.HTMLParser(recover=True, no_network=True, encoding="utf-8")
    try:
        root = etree.fromstring(html.encode("utf-8", "surrogatepass"), parser)
    except (etree.LxmlError, ValueError):
        return None
    return root


def _drop(root: etree._Element, tags: tuple[str, ...]) -> None:
    for element in list(root.iter(*tags)):
        _remove(element)


# Characters the HTML parser keeps in a text but lxml refuses to be given one: control
# characters (a form feed pasted from a PDF), and the noncharacters U+FFFE and U+FFFF.
# A space stands in for them: HTML reads a form feed as one, and words stay apart.
_NOT_XML_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _remove(element: etree._Element) -> None:
    """Take an element out, keeping the text that follows it."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = _NOT_XML_TEXT.sub(" ", (previous.tail or "") + tail)
    else:
        parent.text = _NOT_XML_TEXT.sub(" ", (parent.text or "") + tail)
    parent.remove(element)


# --- maintenance pages -------------------------------------------------------------

# Last path segments (without extension) of the pages a site sends every reader to
# while it is down: a hand-made maintenance page, a load balancer's "sorry" page
# (F5, Akamai), IIS's app_offline. Not "unavailable" or "offline": sites also send
# readers they will not serve (from another country, say) to such pages.
_MAINTENANCE_STEMS = frozenset(
    {
        "maintenance",
        "maintenance-mode",
        "maintenance_mode",
        "maintenancemode",
        "site-maintenance",
        "sitemaintenance",
        "outage",
        "site-down",
        "sitedown",
        "app_offline",
        "sorry",
        "sorrypage",
        "sorry-page",
        "downtime",
        "temporarily-unavailable",
        "mantenimiento",
        "wartung",
    }
)
# What a maintenance page says of itself, folded (lower-case ASCII, one line per line
# of text). Each wording names the site itself as what is down: "we", or the site
# opening a line or sentence or after "this", "the" or "our"; so that a page about road
# maintenance, or a news story saying that some agency's website is offline, does not.
_SELF = r"(?:^|(?<=[.!?:;|(\"-] )|\b(?:this|the|our) )"
_SELF_ES = r"(?:^|(?<=[.!?:;|(\"-] )|\b(?:el|este|nuestro|la|esta|nuestra) )"
_SITE = r"(?:web ?)?(?:site|page|system|server|service|portal|application)"
_MAINTENANCE_WORDING = re.compile(
    rf"(?:{_SELF}{_SITE}|\bwe|\bwe're)"
    r"(?: is| are)?(?: currently| temporarily| now)? (?:under(?:going)?|down for|offline for"
    r"|unavailable (?:due to|for|during)) (?:[a-z]+ ){0,2}maintenance\b"
    r"|\b(?:site|website|system|scheduled|planned) maintenance (?:is )?(?:in progress|underway)\b"
    rf"|{_SELF}(?:web ?)?(?:site|system) (?:is )?in maintenance mode\b"
    rf"|{_SELF}{_SITE} (?:is )?(?:temporarily|currently) (?:unavailable|down|offline)\b"
    r"|\b(?:503 service unavailable|service temporarily unavailable)\b"
    r"|\bwe(?:'ll| will) be back (?:soon|shortly|online)\b"
    rf"|{_SELF_ES}(?:sitio|pagina|pagina web|servicio|portal) (?:esta |se encuentra )?"
    r"en mantenimiento\b"
    r"|\bestamos en mantenimiento\b",
    re.MULTILINE,
)
# A title or heading (or a part of one, between separators) this short that names
# maintenance or being unavailable heads a notice: "Site Maintenance", "Service
# Unavailable". Not "outage": utilities publish outage maps and statistics.
_NOTICE_HEADLINE = re.compile(
    r"^(?:[a-z']+ ){0,3}(?:maintenance|mantenimiento|wartung|unavailable|offline"
    r"|back soon)(?: [a-z']+){0,2}$"
)
_HEADLINE_SPLIT = re.compile(r"\s[-|:/]+\s|\|")
_HEADINGS = ("h1", "h2", "h3")
# A maintenance page is a notice, not a document: a page longer than this that says
# "under maintenance" is more likely a report that mentions it.
_MAINTENANCE_WORDS = 150
# Redirects that send a reader somewhere for now; a permanent one moves the page.
_TEMPORARY = frozenset({302, 303, 307})


def maintenance_reason(
    requested_url: str,
    final_url: str,
    redirects: Sequence[int],
    title: str | None,
    text: str,
    html: str | None = None,
) -> str | None:
    """Why the page that answered is a "down for maintenance" notice standing in for
    the source, or None.

    Sites down for maintenance often answer 200 (or redirect every path to one page)
    instead of 503: the source is not gone, nor has its content changed; it will be
    back. ``redirects`` are the statuses of the chain's hops, ``html`` the page's
    markup (for its first heading).

    A site sends readers to its maintenance page for now: a chain with a temporary
    redirect (302, 303, 307) that ended at a page named for it (``/maintenance.html``,
    ``/sorry.html``), other than the one cited, is such a notice; a page moved there for
    good, or the cited page itself under another scheme or with a trailing slash, is
    not. Otherwise a short page must say so in so many words, in its title or first
    heading, or in its text under a title or heading that names the outage
    ("Site Maintenance"), or as the page a temporary redirect sent the reader to.
    """
    try:
        requested, final = urlsplit(requested_url), urlsplit(final_url)
    except ValueError:
        return None
    # A refresh (a hop recorded with its page's 2xx status) sends the reader on as a
    # temporary redirect does: it is how a page says "down, see there" without a 30x.
    sent_away = any(
        status in _TEMPORARY or 200 <= status < 300 for status in redirects
    ) and not _same_document(final, requested)
    landed = _stem(final.path)
    if sent_away and landed in _MAINTENANCE_STEMS and _stem(requested.path) != landed:
        return f"the site sent the request to a maintenance page ({final.hostname}{final.path})"
    if len(text.split(maxsplit=_MAINTENANCE_WORDS)) > _MAINTENANCE_WORDS:
        return None
    headline = _fold(title or "")
    found = _says_maintenance(headline)
    in_text = None if found else _says_maintenance(_fold(text))
    if in_text is not None:
        # The first heading is part of the text: only then is the markup parsed again.
        headings = [_fold(heading) for heading in _first_heading(html)]
        found = next(filter(None, map(_says_maintenance, headings)), None)
        if found is None and (sent_away or any(map(_notice_headline, [headline, *headings]))):
            found = in_text
    if found is None:
        return None
    return f'the page says the site is down for maintenance ("{found.group(0)}")'


# Every wording of _MAINTENANCE_WORDING holds one of these: a text without any is
# passed over without the pattern's many alternatives tried at every word.
_MAINTENANCE_KEYS = ("mainten", "mantenim", "unavailable", "offline", "down", "be back")


def _says_maintenance(folded: str) -> re.Match[str] | None:
    if not any(key in folded for key in _MAINTENANCE_KEYS):
        return None
    return _MAINTENANCE_WORDING.search(folded)


def _notice_headline(folded: str) -> bool:
    parts = (" ".join(re.findall(r"[a-z0-9']+", p)) for p in _HEADLINE_SPLIT.split(folded))
    return any(_NOTICE_HEADLINE.match(part) for part in parts)


def _first_heading(html: str | None) -> list[str]:
    """The text of the page's first heading, if it has one."""
    root = _parse(html) if html else None
    if root is None:
        return []
    for element in root.iter(*_HEADINGS):
        text = " ".join("".join(element.itertext()).split())
        if text:
            return [text]
    return []


def _same_document(url: SplitResult, other: SplitResult) -> bool:
    """Whether two URLs name one document: scheme, ``www.``, a trailing slash and an
    ``index.*`` name aside."""

    def host(parts: SplitResult) -> str:
        return (parts.hostname or "").lower().removeprefix("www.")

    def path(parts: SplitResult) -> str:
        return _INDEX.sub("", parts.path or "/").rstrip("/")

    return host(url) == host(other) and path(url) == path(other)


_INDEX = re.compile(r"(?<=/)index\.[a-z0-9]{1,5}$", re.IGNORECASE)


def _stem(path: str) -> str:
    last = path.rstrip("/").rpartition("/")[2].lower()
    return re.sub(r"\.[a-z0-9]{1,5}$", "", last)


def _fold(text: str) -> str:
    """Lower-case ASCII with straight apostrophes, single spaces and its line breaks."""
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'").casefold())
    ascii_text = text.encode("ascii", "ignore").decode("ascii")
    return "\n".join(" ".join(line.split()) for line in ascii_text.splitlines())
