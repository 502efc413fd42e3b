"""Script redirects: reading a stub page, whose only job is to send the reader elsewhere
from an inline script (``location.href = "/new/place"``), for the scripts a browser runs
and the text it shows, so that its redirect is read as a refresh is.

Browsers run such a script as they parse it, so every reader lands on the target while
the stub itself holds nothing of the source (retired pages replaced by "This page has
moved", static-site ``redirect_from`` stubs, a CMS's "Redirecting..." page). Only what
a browser surely does is read: a string literal assigned to the location at a script's
top level, or in a short ``setTimeout``, on a page with next to no text of its own.
Whatever needs the script run to be known (a condition, a computed URL, a cookie the
script sets first, a click) is left alone: following a redirect that readers do not
all get would judge another page than the one cited. The scripts themselves are read
by :mod:`checks.http.jsreader`.

The reading is linear in the page: every scan moves on, the end of a comment or a
raw-text element is found in one search, and scripts are read only when they are no
longer than :data:`STUB_MAX_SCRIPT_CHARS` in all.
"""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

from checks.http.jsreader import redirects_in

# A stub's own words are a line or two ("This page has moved. If you are not
# redirected, click here."), sometimes under a site's banner and above its footer line.
# A page with more has content of its own that a reader might be meant to see (a short
# news item runs to several hundred words); 100 is also the bound the soft-404 rules
# use for a page as bare as a parking lander.
STUB_MAX_WORDS = 100

# A stub's scripts are a line or two, with at most an analytics snippet beside them
# (a few hundred characters to a few KB); scripts naming the location that run past this
# many characters in all are an application, not a stub, and are not read at all.
STUB_MAX_SCRIPT_CHARS = 16_000

# Every redirect read here holds one of these, "location" followed by an assignment or
# a replace()/assign() call of a quoted literal (a backslash before the quote when the
# code is itself in a string). A page without one (nearly every page, even those whose
# scripts read location.href) needs no parse at all.
_CANDIDATE = re.compile(
    r"""location\s*(?:(?:\.\s*href\s*)?=\s*|\.\s*(?:replace|assign)\s*\(\s*)\\?["'`]"""
)
# A script that writes a cookie before sending the reader on (free hosts' bot checks)
# sends a browser somewhere that answers differently to a client without the cookie.
_SETS_COOKIE = re.compile(r"\bcookie\s*=(?!=)")
# Parking services send a parked domain's every page to "/lander" this way: the stub is
# what the parked-domain rules recognise (checks.soft404), so it is judged, not followed.
_PARKING_LANDER = re.compile(r"/lander\b", re.IGNORECASE)
# The URL standard's forbidden domain code points: a host holding one (a space, "|")
# is no host, even where Python's URL functions take it.
_FORBIDDEN_IN_HOST = re.compile(r"[\x00-\x20#%/:<>?@\[\\\]^|\x7f]")

# --- the page: its scripts, and how much text it shows ---

# Elements whose content is not markup: a <script> inside one is no script. Those in
# _UNSEEN show nothing either (noscript: a browser running scripts skips it).
_RAW_TEXT = ("script", "style", "noscript", "template", "iframe", "noembed", "noframes")
_SHOWN_RAW_TEXT = ("textarea", "title", "xmp")
_UNSEEN = frozenset(_RAW_TEXT)
# Start tags read one at a time: raw-text elements, <plaintext> (all that follows it is
# text) and <meta> (a Content-Security-Policy may forbid the scripts after it).
_SPECIAL = "|".join((*_RAW_TEXT, *_SHOWN_RAW_TEXT, "plaintext", "meta"))
# HTML's tag grammar: quoted attribute values are taken whole (a ">" in one ends no
# tag). Each name and unquoted value is read to its end ("(?![...])") and the two
# forms of an attribute exclude each other, so a tag never closed fails in one pass.
_SPACE = r"[\t\n\f\r ]"
_ATTRIBUTES = (
    rf"(?:{_SPACE}|/"
    r"|[^\t\n\f\r />][^\t\n\f\r /=>]*(?![^\t\n\f\r /=>])"
    rf"(?:{_SPACE}*={_SPACE}*"
    r"""(?:"[^"]*"|'[^']*'|[^\t\n\f\r >"'][^\t\n\f\r >]*(?![^\t\n\f\r >])|(?=>))"""
    rf"|(?!{_SPACE}*=)))*"
)
_TAG_NAME = r"[A-Za-z][^\t\n\f\r />]*(?![^\t\n\f\r />])"
_TAG = re.compile(rf"</?{_TAG_NAME}{_ATTRIBUTES}>")
_ATTRIBUTE = re.compile(
    rf"""([^\t\n\f\r />][^\t\n\f\r /=>]*)(?:{_SPACE}*={_SPACE}*("[^"]*"|'[^']*'|[^\t\n\f\r >]*))?"""
)
# One piece of a page: a comment's start, a special start tag, a run of other tags,
# bogus comments (<!doctype>, <?xml?>) and blanks (taken at once: markup-heavy pages
# have thousands of tags), a run of text (a "<" that starts no tag is text), or the "<"
# of a tag never closed, which holds the rest of the page.
_PIECE = re.compile(
    r"(?P<comment><!--)"
    rf"|<(?P<special>{_SPECIAL})(?![^\t\n\f\r />])(?P<attributes>{_ATTRIBUTES})>"
    rf"|(?P<markup>(?:<(?!(?:{_SPECIAL})(?![^\t\n\f\r />]))/?{_TAG_NAME}{_ATTRIBUTES}>"
    rf"|<(?:!(?!--)|\?|/(?![A-Za-z]))[^>]*>?|{_SPACE}+)+)"
    r"|(?P<text>(?:[^<]+|<(?![A-Za-z/!?]))+)"
    r"|(?P<unclosed><)",
    re.IGNORECASE,
)
_END_TAG = {
    name: re.compile(rf"</{name}(?=[\t\n\f\r />])", re.IGNORECASE)
    for name in _RAW_TEXT + _SHOWN_RAW_TEXT
}
_COMMENT_END = re.compile(r"--!?>")
_HTML_SPACE = "\t\n\f\r "
# The types a browser runs as JavaScript (HTML's "JavaScript MIME type essence match"),
# and modules. Any other (application/ld+json, text/template, a type with parameters)
# is data the page's own scripts read.
_JS_TYPES = frozenset(
    {
        "application/ecmascript",
        "application/javascript",
        "application/x-ecmascript",
        "application/x-javascript",
        "text/ecmascript",
        "text/javascript",
        "text/javascript1.0",
        "text/javascript1.1",
        "text/javascript1.2",
        "text/javascript1.3",
        "text/javascript1.4",
        "text/javascript1.5",
        "text/jscript",
        "text/livescript",
        "text/x-ecmascript",
        "text/x-javascript",
    }
)
# CSP directives that govern an inline <script>, the first present applying; and the
# sources that make a browser ignore 'unsafe-inline' (then only a script whose nonce or
# hash matches runs, which is not worked out here).
_SCRIPT_DIRECTIVES = ("script-src-elem", "script-src", "default-src")
_OVERRIDES_UNSAFE_INLINE = re.compile(r"'(?:nonce-|sha256-|sha384-|sha512-|strict-dynamic')")


def script_redirect(html_text: str) -> tuple[float, str] | None:
    """The (delay in seconds, target as written) of a stub page's script redirect, or
    None when the page is not one.

    The page must show at most :data:`STUB_MAX_WORDS` words outside scripts, styles
    and ``<noscript>``. Its inline JavaScript (not event handler attributes, not
    ``<script src>``, not JSON or templates, not ``<script nomodule>``, which browsers
    with modules skip, not a script left without its end tag, not one after a
    ``<meta http-equiv="Content-Security-Policy">`` that forbids inline scripts) must
    assign a string literal to the location at its top level: ``location = "..."``,
    ``location.href = "..."`` or ``location.replace("...")`` / ``.assign("...")``, on
    ``location`` itself or that of ``window``, ``self``, ``top``, ``parent``,
    ``document`` or ``globalThis``; or do so in the only code of a
    ``setTimeout``/``setInterval`` with a literal delay (its delay is returned), code
    with no condition, loop, ``try``, ``return`` or ``throw`` that could skip it.
    A script with a ``throw``, or one that is no valid JavaScript as far as a
    tokeniser can tell, redirects no one; scripts naming the location that are longer
    than a stub's (past :data:`STUB_MAX_SCRIPT_CHARS` in all) leave the page unread.
    Every such redirect on the page must name the same target. An empty target, a
    ``#fragment``, a URL of another scheme than http(s) (``javascript:``), or one no
    URL parser takes, sends no one anywhere; a parking service's ``/lander`` is left
    for the parked-domain rules to read on the stub.

    A ``Content-Security-Policy`` response header can forbid the scripts too; it is
    not seen here, and a page it governs may be taken for a redirect it is not.
    """
    # "location" in a page is cheap to rule out; the pattern only runs where it is.
    if "location" not in html_text or _CANDIDATE.search(html_text) is None:
        return None
    scripts = _stub_scripts(html_text)
    if scripts is None or any(_SETS_COOKIE.search(code) for code in scripts):
        return None
    # A script that never names the location sends no one anywhere: it is not read.
    naming = [code for code in scripts if "location" in code]
    if sum(map(len, naming)) > STUB_MAX_SCRIPT_CHARS:
        return None  # scripts too long to be a stub's: what they do is not known
    delays: dict[str, float] = {}
    for code in naming:
        for delay, target in redirects_in(code):
            delays[target] = min(delay, delays.get(target, delay))
    if len(delays) != 1:
        return None  # none, or several places: which one a reader gets depends on timing
    ((target, delay),) = delays.items()
    return (delay, target) if _leaves_the_page(target) and _is_url(target) else None


def _leaves_the_page(target: str) -> bool:
    # Another scheme than http(s) ("javascript:", "java\tscript:") is refused by _is_url.
    return bool(target) and not target.startswith("#") and not _PARKING_LANDER.match(target)


def _is_url(target: str) -> bool:
    """Whether ``target`` makes a URL a check can fetch: an http(s) one (the URL parser
    drops tabs and line breaks first, so ``java\\tscript:`` is none). Setting the
    location to one a URL parser refuses (no host, a port past 65535, an unclosed "[")
    throws, and the reader stays on the page."""
    # Imported here: both modules lead back to this one (checks.http.location reads a
    # page's script redirect through it).
    from checks.http.location import BadLocation, resolve
    from checks.netpolicy import InvalidURL, parse_http_url

    # A relative target takes the page's host, which was fetched; against a page of
    # the other scheme (Python's urljoin reads "https://" and "http:page" relative to
    # one of the same) an absolute one is read as written.
    try:
        for base in ("http://example.org/", "https://example.org/"):
            host = unquote(parse_http_url(resolve(base, target)).hostname or "")
            if ":" not in host and _FORBIDDEN_IN_HOST.search(host):  # an IPv6 address has ":"
                return False
    except (BadLocation, InvalidURL):
        return False
    return True


def _stub_scripts(html_text: str) -> tuple[str, ...] | None:
    """The code of a page's inline scripts that run, or None when it shows more words
    than a stub does, read as a browser tokenises HTML: comments hide what they hold,
    a raw-text element ends only at its own end tag, a tag never closed holds the rest
    of the page.

    The reading stops as soon as the words run past the bound: a page with content
    says so in its first lines, and is not read to its end."""
    scripts: list[str] = []
    words, pos = 0, 0
    inline_allowed = True
    while pos < len(html_text) and words <= STUB_MAX_WORDS:
        piece = _PIECE.match(html_text, pos)
        assert piece is not None  # a lone "<" at the least
        pos = piece.end()
        special = (piece.group("special") or "").lower()
        if piece.group("comment") is not None:
            pos = _comment_end(html_text, pos)
        elif piece.group("text") is not None:
            # A "<" that starts no tag is shown, but is never a word.
            words += _words(piece.group("text").replace("<", " "))
        elif piece.group("unclosed") is not None:
            break
        elif special == "meta":
            inline_allowed = inline_allowed and not _forbids_inline(piece.group("attributes"))
        elif special == "plaintext":
            words += _words(html_text[pos:])
            break
        elif special:
            content, pos, closed = _raw_text(html_text, special, pos)
            if special == "script":
                runs = closed and inline_allowed and _runs_as_javascript(piece.group("attributes"))
                if runs:
                    scripts.append(content)
            elif special not in _UNSEEN:
                words += _words(content)
    return tuple(scripts) if words <= STUB_MAX_WORDS else None


def _comment_end(html_text: str, start: int) -> int:
    """Where a comment whose "<!--" ends at ``start`` ends ("<!-->" and "<!--->" end
    where they begin; one never closed runs to the end)."""
    if html_text.startswith((">", "->"), start):
        return html_text.index(">", start) + 1
    end = _COMMENT_END.search(html_text, start)
    return len(html_text) if end is None else end.end()


def _raw_text(html_text: str, name: str, start: int) -> tuple[str, int, bool]:
    """The content of a raw-text element whose start tag ends at ``start``, where the
    reading goes on, and whether the element was closed by its end tag (a script
    left open at the end of the page never runs)."""
    end_tag = _END_TAG[name].search(html_text, start)
    if end_tag is None:
        return html_text[start:], len(html_text), False
    content = html_text[start : end_tag.start()]
    tag = _TAG.match(html_text, end_tag.start())
    if tag is None:
        return content, len(html_text), False  # an end tag never closed
    return content, tag.end(), True


def _words(text: str) -> int:
    return len(html.unescape(text).split(maxsplit=STUB_MAX_WORDS))


def _attributes(text: str) -> dict[str, str]:
    """A tag's attributes, by lower-case name; the first of a name counts, as in
    browsers."""
    attributes: dict[str, str] = {}
    for name, value in _ATTRIBUTE.findall(text):
        if value[:1] in ('"', "'"):
            value = value[1:-1]
        attributes.setdefault(name.lower(), html.unescape(value))
    return attributes


def _runs_as_javascript(attribute_text: str) -> bool:
    """Whether a browser runs the inline code of a ``<script>`` with these attributes
    (HTML's "prepare the script element")."""
    attributes = _attributes(attribute_text)
    if "src" in attributes:
        return False  # the external script runs instead of the inline text
    kind = attributes.get("type")
    language = attributes.get("language", "")
    if kind == "" or (kind is None and not language):
        kind = "text/javascript"
    elif kind is None:
        kind = f"text/{language}"
    kind = kind.strip(_HTML_SPACE).lower()
    if kind == "module":
        return True
    # Browsers that run modules skip a classic script marked nomodule (a fallback for
    # old ones, often "your browser is not supported").
    return kind in _JS_TYPES and "nomodule" not in attributes


def _forbids_inline(attribute_text: str) -> bool:
    """Whether a ``<meta>`` with these attributes is a Content-Security-Policy under
    which inline scripts may not run (one allowed only by a nonce or a hash counts as
    forbidden: which scripts match is not worked out)."""
    if "http-equiv" not in attribute_text.lower():
        return False
    attributes = _attributes(attribute_text)
    if attributes.get("http-equiv", "").strip(_HTML_SPACE).lower() != "content-security-policy":
        return False
    directives: dict[str, list[str]] = {}
    for directive in attributes.get("content", "").lower().split(";"):
        name, *sources = directive.split() or [""]
        directives.setdefault(name, sources)  # a repeated directive is ignored
    for name in _SCRIPT_DIRECTIVES:
        if name in directives:
            sources = directives[name]
            overridden = any(_OVERRIDES_UNSAFE_INLINE.match(source) for source in sources)
            return overridden or "'unsafe-inline'" not in sources
    return False
