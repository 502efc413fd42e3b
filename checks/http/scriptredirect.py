"""Script redirects: a stub page whose only job is to send the reader elsewhere from an
inline script (``location.href = "/new/place"``), read as a refresh is.

Browsers run such a script as they parse it, so every reader lands on the target while
the stub itself holds nothing of the source (retired pages replaced by "This page has
moved", static-site ``redirect_from`` stubs, a CMS's "Redirecting..." page). Only what
a browser surely does is read: a string literal assigned to the location at a script's
top level, or in a short ``setTimeout``, on a page with next to no text of its own.
Whatever needs the script run to be known (a condition, a computed URL, a cookie the
script sets first, a click) is left alone: following a redirect that readers do not
all get would judge another page than the one cited.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum

from checks.http.refresh import META_REFRESH_MAX_DELAY_S

# A stub's own words are a line or two ("This page has moved. If you are not
# redirected, click here."), sometimes under a site's banner and above its footer line.
# A page with more has content of its own that a reader might be meant to see (a short
# news item runs to several hundred words); 100 is also the bound the soft-404 rules
# use for a page as bare as a parking lander.
STUB_MAX_WORDS = 100

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
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
# Parking services send a parked domain's every page to "/lander" this way: the stub is
# what the parked-domain rules recognise (checks.soft404), so it is judged, not followed.
_PARKING_LANDER = re.compile(r"/lander\b", re.IGNORECASE)

# --- the page: its scripts, and how much text it shows ---

# Elements whose content is not markup: a <script> inside one is no script. Those in
# _UNSEEN show nothing either (noscript: a browser running scripts skips it).
_RAW_TEXT = ("script", "style", "noscript", "template", "iframe", "noembed", "noframes")
_SHOWN_RAW_TEXT = ("textarea", "title", "xmp")
_UNSEEN = frozenset(_RAW_TEXT)
_RAW_NAMES = "|".join(_RAW_TEXT + _SHOWN_RAW_TEXT)
# One piece of a page: a comment's start, a raw-text element's start tag, a run of
# other tags and blanks (taken at once: markup-heavy pages have thousands of tags), a
# run of text, or a "<" that starts none of these (text, but never a word).
_PIECE = re.compile(
    rf"<!--|<({_RAW_NAMES})\b([^>]*)>"
    rf"|(?:<(?!!--|(?:{_RAW_NAMES})\b)[A-Za-z/!?][^>]*>|\s+)+"
    r"|[^<]+|<",
    re.IGNORECASE,
)
_END_TAG = {
    name: re.compile(rf"</{name}\b[^>]*>", re.IGNORECASE) for name in _RAW_TEXT + _SHOWN_RAW_TEXT
}
_ATTR = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")
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
        "module",
    }
)


def script_redirect(html_text: str) -> tuple[float, str] | None:
    """The (delay in seconds, target as written) of a stub page's script redirect, or
    None when the page is not one.

    The page must show at most :data:`STUB_MAX_WORDS` words outside scripts, styles
    and ``<noscript>``. Its inline JavaScript (not event handler attributes, not
    ``<script src>``, not JSON or templates) must assign a string literal to the
    location at its top level: ``location = "..."``, ``location.href = "..."`` or
    ``location.replace("...")`` / ``.assign("...")``, on ``location`` itself or that of
    ``window``, ``self``, ``top``, ``parent``, ``document`` or ``globalThis``; or do so
    in the only code of a ``setTimeout``/``setInterval`` with a literal delay (its
    delay is returned). Every such redirect on the page must name the same target.
    An empty target, a ``#fragment``, or a URL of another scheme than http(s)
    (``javascript:``) sends no one anywhere; a parking service's ``/lander`` is left
    for the parked-domain rules to read on the stub.
    """
    # "location" in a page is cheap to rule out; the pattern only runs where it is.
    if "location" not in html_text or _CANDIDATE.search(html_text) is None:
        return None
    scripts = _stub_scripts(html_text)
    if scripts is None or any(_SETS_COOKIE.search(code) for code in scripts):
        return None
    delays: dict[str, float] = {}
    for code in scripts:
        if "location" not in code:
            continue
        for delay, target in _redirects_in(code):
            delays[target] = min(delay, delays.get(target, delay))
    if len(delays) != 1:
        return None  # none, or several places: which one a reader gets depends on timing
    ((target, delay),) = delays.items()
    return (delay, target) if _leaves_the_page(target) else None


def _leaves_the_page(target: str) -> bool:
    if not target or target.startswith("#") or _PARKING_LANDER.match(target):
        return False
    # The URL parser drops tabs and line breaks first: "java\tscript:" is javascript:.
    scheme = _SCHEME.match(_TAB_OR_NEWLINE.sub("", target))
    return scheme is None or scheme.group(1).lower() in ("http", "https")


def _stub_scripts(html_text: str) -> tuple[str, ...] | None:
    """The code of a page's inline scripts, or None when it shows more words than a
    stub does, read as a browser tokenises HTML: comments hide what they hold, a
    raw-text element ends only at its own end tag.

    The reading stops as soon as the words run past the bound: a page with content
    says so in its first lines, and is not read to its end."""
    scripts: list[str] = []
    words, pos = 0, 0
    while pos < len(html_text) and words <= STUB_MAX_WORDS:
        piece = _PIECE.match(html_text, pos)
        assert piece is not None  # a lone "<" at the least
        pos = piece.end()
        name = piece.group(1)
        if piece.group(0) == "<!--":
            pos = _comment_end(html_text, pos)
        elif name is not None:
            name = name.lower()
            end_tag = _END_TAG[name].search(html_text, pos)
            content = html_text[pos : len(html_text) if end_tag is None else end_tag.start()]
            if name == "script":
                if _runs_as_javascript(piece.group(2)):
                    scripts.append(content)
            elif name not in _UNSEEN:
                words += _words(content)
            pos = len(html_text) if end_tag is None else end_tag.end()
        elif not piece.group(0).startswith("<"):
            words += _words(piece.group(0))
    return tuple(scripts) if words <= STUB_MAX_WORDS else None


def _comment_end(html_text: str, start: int) -> int:
    """Where a comment whose "<!--" ends at ``start`` ends ("<!-->" and "<!--->" end
    where they begin; one never closed runs to the end)."""
    if html_text.startswith((">", "->"), start):
        return html_text.index(">", start) + 1
    end = html_text.find("-->", start)
    return len(html_text) if end < 0 else end + 3


def _words(text: str) -> int:
    return len(html.unescape(text).split(maxsplit=STUB_MAX_WORDS))


def _runs_as_javascript(attributes: str) -> bool:
    """Whether a browser runs the inline code of a ``<script>`` with these attributes."""
    attrs = {
        name.lower(): html.unescape(value.strip("\"'")) for name, value in _ATTR.findall(attributes)
    }
    if "src" in attrs:
        return False  # the external script runs instead of the inline text
    kind = attrs.get("type", "").strip()
    if not kind:
        language = attrs.get("language", "").strip()
        kind = f"text/{language}" if language else "text/javascript"
    return kind.lower() in _JS_TYPES


# --- the script: tokens, top-level statements, and the redirect shapes ---


class _Kind(Enum):
    NAME = "name"
    NUMBER = "number"
    STRING = "string"
    TEMPLATE = "template"
    REGEX = "regex"
    PUNCT = "punct"


@dataclass(frozen=True, slots=True)
class _Token:
    kind: _Kind
    text: str  # as written
    value: str | None = None  # a literal's decoded text; None with ${...} or a bad escape
    newline_before: bool = False
    closes_control: bool = False  # the ")" ending the head of an if, while, for...


class _Unreadable(ValueError):
    """Code this reader cannot tokenise: none of its statements is taken as read."""


_LINE_END = "\r\n\u2028\u2029"
_JS_TOKEN = re.compile(
    r"""
      (?P<blank>[^\S\r\n\u2028\u2029]+)
    | (?P<newline>[\r\n\u2028\u2029])
    | (?P<comment>//[^\r\n\u2028\u2029]*|<!--[^\r\n\u2028\u2029]*|/\*.*?\*/)
    | (?P<string>"(?:[^"\\\r\n]|\\(?:\r\n|[\s\S]))*"|'(?:[^'\\\r\n]|\\(?:\r\n|[\s\S]))*')
    | (?P<template>`(?:[^`\\]|\\[\s\S])*`)
    | (?P<number>\.?\d(?:[\w.]|(?<=[eE])[+-])*)
    | (?P<name>(?:[^\W\d]|\$)(?:\w|\$)*)
    | (?P<punct>>>>=|\.\.\.|===|!==|\*\*=|<<=|>>=|>>>|&&=|\|\|=|\?\?=|=>|==|!=|<=|>=|&&
        |\|\||\?\?|\?\.|\+\+|--|\*\*|<<|>>|[-+*/%&|^]=|[-+*/%&|^<>=!~?:;,.(){}\[\]])
    """,
    re.VERBOSE | re.DOTALL,
)
_REGEX_LITERAL = re.compile(r"/(?:[^/\\\[\r\n]|\\[^\r\n]|\[(?:[^\]\\\r\n]|\\[^\r\n])*\])+/[\w$]*")
_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\r\n|[\s\S])")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_SURROGATE = re.compile("[\ud800-\udfff]")
# A "(" after these opens the head of a statement whose body follows its ")".
_CONTROL = frozenset({"if", "while", "for", "with", "switch", "catch"})
# Words after which an expression, not an operator, comes: a "/" there starts a regex.
_BEFORE_EXPRESSION = frozenset(
    {"return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw"}
    | {"case", "do", "else", "yield", "await"}
)
# Words after which a statement goes on past a line break.
_CONTINUING = (
    _BEFORE_EXPRESSION
    | _CONTROL
    | frozenset({"try", "finally", "var", "let", "const", "function", "class", "extends", "async"})
)
_OPENERS = {")": "(", "]": "[", "}": "{"}


def _redirects_in(code: str) -> Iterator[tuple[float, str]]:
    """The (delay, target) of every redirect at the top level of ``code``."""
    try:
        tokens = _tokens(code)
    except _Unreadable:
        return
    for statement in _statements(tokens):
        target = _assigned_target(statement)
        if target is not None:
            yield 0.0, target
            continue
        timed = _timed_target(statement)
        if timed is not None:
            yield timed


def _tokens(code: str) -> list[_Token]:
    """``code`` as JavaScript tokens, comments and blanks dropped. Raises
    :class:`_Unreadable` for what is no JavaScript this reader knows."""
    tokens: list[_Token] = []
    brackets: list[tuple[str, bool]] = []  # open brackets, and whether each opens a head
    pos, newline, line_start = 0, False, True
    while pos < len(code):
        previous = tokens[-1] if tokens else None
        if line_start and code.startswith("-->", pos):
            pos = _line_end(code, pos)  # an HTML close comment starting a line
            continue
        if _starts_regex(code, pos, previous):
            found = _REGEX_LITERAL.match(code, pos)
            if found is None:
                raise _Unreadable(code[pos : pos + 40])
            tokens.append(_Token(_Kind.REGEX, found.group(0), newline_before=newline))
            pos, newline, line_start = found.end(), False, False
            continue
        found = _JS_TOKEN.match(code, pos)
        if found is None:
            raise _Unreadable(code[pos : pos + 40])
        pos = found.end()
        group, text = found.lastgroup, found.group(0)
        if group == "blank":
            continue
        if group == "newline" or (group == "comment" and any(c in text for c in _LINE_END)):
            newline = line_start = True
            continue
        if group == "comment":
            continue
        tokens.append(_token(group, text, newline, previous, brackets))
        newline = line_start = False
    if brackets:
        raise _Unreadable("unclosed bracket")
    return tokens


def _line_end(code: str, pos: int) -> int:
    ends = [i for i in (code.find(c, pos) for c in _LINE_END) if i >= 0]
    return min(ends, default=len(code))


def _token(
    group: str | None,
    text: str,
    newline: bool,
    previous: _Token | None,
    brackets: list[tuple[str, bool]],
) -> _Token:
    if group == "string":
        return _Token(_Kind.STRING, text, _unescape(text[1:-1]), newline)
    if group == "template":
        body = text[1:-1]
        value = None if "${" in body else _unescape(body)
        return _Token(_Kind.TEMPLATE, text, value, newline)
    if group == "number":
        return _Token(_Kind.NUMBER, text, newline_before=newline)
    if group == "name":
        return _Token(_Kind.NAME, text, newline_before=newline)
    closes_control = False
    if text in ("(", "[", "{"):
        head = text == "(" and _is_name(previous, _CONTROL)
        brackets.append((text, head))
    elif text in _OPENERS:
        if not brackets or brackets[-1][0] != _OPENERS[text]:
            raise _Unreadable(f"unbalanced {text!r}")
        closes_control = brackets.pop()[1]
    return _Token(_Kind.PUNCT, text, newline_before=newline, closes_control=closes_control)


def _starts_regex(code: str, pos: int, previous: _Token | None) -> bool:
    """Whether a regular expression starts at ``pos``: a "/" that starts no comment,
    after ``previous`` where an expression comes (else it divides)."""
    if code[pos] != "/" or code[pos + 1 : pos + 2] in ("/", "*"):
        return False
    if previous is None:
        return True
    if previous.kind is _Kind.PUNCT:
        return previous.text not in (")", "]")
    return previous.kind is _Kind.NAME and previous.text in _BEFORE_EXPRESSION


def _unescape(literal: str) -> str | None:
    """A string literal's value, its escapes (``\\/``, ``\\u002F``, ``\\x2F``...)
    decoded; None for an escape no browser accepts (the script would not run)."""
    if "\\" not in literal:
        return literal
    try:
        value = _ESCAPE.sub(_decode_escape, literal)
    except ValueError:
        return None
    if _SURROGATE.search(value):
        # \uD83D\uDE00 is one character; a lone half becomes U+FFFD, as in a URL.
        value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value


def _decode_escape(escape: re.Match[str]) -> str:
    code = escape.group(1)
    if code[0] in "ux" and len(code) > 1:
        return chr(int(code[1:].strip("{}"), 16))  # ValueError past U+10FFFF
    if code in ("u", "x"):
        raise ValueError(f"malformed \\{code} escape")
    if code in ("\r\n", *_LINE_END):
        return ""  # a line continuation
    return _SIMPLE_ESCAPES.get(code, code)


def _statements(tokens: Sequence[_Token]) -> Iterator[list[_Token]]:
    """The statements of ``tokens`` at their own top level, split at semicolons and at
    line breaks where JavaScript inserts one (and not after the head of an ``if``, an
    ``else``, an operator...: the next line belongs to the same statement)."""
    current: list[_Token] = []
    depth = 0
    for token in tokens:
        if depth == 0 and current and token.newline_before and _breaks_after(current[-1], token):
            yield current
            current = []
        if depth == 0 and token.kind is _Kind.PUNCT and token.text == ";":
            if current:
                yield current
            current = []
            continue
        current.append(token)
        if token.kind is _Kind.PUNCT:
            if token.text in ("(", "[", "{"):
                depth += 1
            elif token.text in _OPENERS:
                depth -= 1
    if current:
        yield current


def _breaks_after(last: _Token, following: _Token) -> bool:
    """Whether a line break between ``last`` and ``following`` ends a statement."""
    if last.kind is _Kind.NAME:
        ends = last.text not in _CONTINUING
    elif last.kind is _Kind.PUNCT:
        ends = last.text in ("]", "}", "++", "--") or (last.text == ")" and not last.closes_control)
    else:
        ends = True
    if not ends:
        return False
    if following.kind is _Kind.PUNCT:
        return following.text in ("{", "!", "~", "++", "--")
    if following.kind is _Kind.NAME:
        return following.text not in ("in", "instanceof")
    return following.kind is not _Kind.TEMPLATE  # a template there is tagged by ``last``


_LITERAL = "<literal>"
_GLOBALS = ("window", "self", "top", "parent", "document", "globalThis")
_ASSIGNMENTS = frozenset(
    (*owner, "location", *how)
    for owner in ((), *((name, ".") for name in _GLOBALS))
    for how in (
        ("=", _LITERAL),
        (".", "href", "=", _LITERAL),
        (".", "replace", "(", _LITERAL, ")"),
        (".", "assign", "(", _LITERAL, ")"),
    )
)
_TIMERS = frozenset({"setTimeout", "setInterval"})


def _shape(tokens: Sequence[_Token]) -> tuple[str, ...]:
    """``tokens`` as written, but for a literal of a known value, which reads as one."""
    return tuple(
        _LITERAL if t.kind in (_Kind.STRING, _Kind.TEMPLATE) and t.value is not None else t.text
        for t in tokens
    )


def _assigned_target(statement: Sequence[_Token]) -> str | None:
    """The literal a statement such as ``window.location.href = "..."`` assigns."""
    if _shape(statement) not in _ASSIGNMENTS:
        return None
    values = [t.value for t in statement if t.value is not None]
    return values[0].strip()


def _timed_target(statement: Sequence[_Token]) -> tuple[float, str] | None:
    """The (delay, target) of ``setTimeout(() => { location.href = "..." }, 2000)``:
    a timer whose only code (a function without parameters, or a string of code) is a
    top-level redirect, and whose delay, if given, is a number."""
    call = statement[2:] if _shape(statement[:2]) == ("window", ".") else statement
    if len(call) < 4 or not _is_name(call[0], _TIMERS) or _shape(call[1:2]) != ("(",):
        return None
    if _shape(call[-1:]) != (")",) or _closing(call, 1) != len(call) - 1:
        return None
    arguments = _arguments(call[2:-1])
    if not 1 <= len(arguments) <= 2:
        return None
    delay_ms = 0.0
    if len(arguments) == 2:
        given = arguments[1]
        if len(given) != 1 or given[0].kind is not _Kind.NUMBER:
            return None
        try:
            delay_ms = float(given[0].text)
        except ValueError:
            return None  # 0x... or 1e3 written oddly: not worth reading
    target = _callback_target(arguments[0])
    # A longer wait is a page that moves on later, as a slow meta refresh is.
    if target is None or delay_ms / 1000.0 > META_REFRESH_MAX_DELAY_S:
        return None
    return delay_ms / 1000.0, target


def _callback_target(callback: Sequence[_Token]) -> str | None:
    """The target a timer's callback sends the reader to, when that is all it does."""
    shape = _shape(callback)
    if len(callback) == 1 and callback[0].kind is _Kind.STRING and callback[0].value is not None:
        found = [target for delay, target in _redirects_in(callback[0].value) if delay == 0.0]
        return found[0] if len(set(found)) == 1 else None
    if shape[:3] == ("(", ")", "=>") and shape[3:4] != ("{",):
        return _assigned_target(callback[3:])
    if shape[:3] in (("(", ")", "=>"), ("function", "(", ")")):
        body = callback[3:]
    elif shape[:1] == ("function",) and _is_named(callback[1:2]) and shape[2:4] == ("(", ")"):
        body = callback[4:]
    else:
        return None
    if _shape(body[:1]) != ("{",) or _closing(body, 0) != len(body) - 1:
        return None
    found = [t for t in map(_assigned_target, _statements(body[1:-1])) if t is not None]
    return found[0] if len(set(found)) == 1 else None


def _closing(tokens: Sequence[_Token], opening: int) -> int:
    """The index of the bracket closing the one at ``opening`` (-1 if none)."""
    depth = 0
    for index in range(opening, len(tokens)):
        token = tokens[index]
        if token.kind is not _Kind.PUNCT:
            continue
        if token.text in ("(", "[", "{"):
            depth += 1
        elif token.text in _OPENERS:
            depth -= 1
            if depth == 0:
                return index
    return -1


def _arguments(tokens: Sequence[_Token]) -> list[list[_Token]]:
    """A call's arguments, split at its own commas."""
    arguments: list[list[_Token]] = [[]]
    depth = 0
    for token in tokens:
        if token.kind is _Kind.PUNCT:
            if token.text in ("(", "[", "{"):
                depth += 1
            elif token.text in _OPENERS:
                depth -= 1
            elif token.text == "," and depth == 0:
                arguments.append([])
                continue
        arguments[-1].append(token)
    return arguments if arguments[0] else []


def _is_named(tokens: Sequence[_Token]) -> bool:
    return len(tokens) == 1 and tokens[0].kind is _Kind.NAME


def _is_name(token: _Token | None, names: frozenset[str]) -> bool:
    return token is not None and token.kind is _Kind.NAME and token.text in names
