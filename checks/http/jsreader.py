"""Reading JavaScript for the redirects it surely makes: the (delay, target) of every
string literal a script assigns to the location at its top level, or in the only code
of a short ``setTimeout``/``setInterval``.

Only what a browser surely does is read. A script that is no valid JavaScript as far
as a tokeniser can tell, or that holds a ``throw``, redirects no one; an assignment
under a condition, in a function, or computed is not one. The reading is linear in the
code: every scan moves on, and the end of a comment, string or template is found in one
search (one never closed is a syntax error).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import Enum

from checks.http.refresh import META_REFRESH_MAX_DELAY_S


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
    value: str | None = None  # a literal's decoded text; None for a template with ${...}
    newline_before: bool = False
    closes_control: bool = False  # the ")" ending the head of an if, while, for...


@dataclass(frozen=True, slots=True)
class _Script:
    """A script's tokens at its own level (a template with substitutions is one token,
    what it substitutes unseen), and whether it holds a ``throw`` anywhere."""

    tokens: tuple[_Token, ...]
    throws: bool


@dataclass(frozen=True, slots=True)
class _Open:
    """An open bracket: "(", "[", "{", or the "${" of a template substitution."""

    text: str
    head: bool = False  # the "(" of an if, while, for... head
    function: bool = False  # the "{" of a function's body


@dataclass(slots=True)
class _OpenTemplate:
    start: int
    newline_before: bool
    substituted: bool = False


class _Unreadable(ValueError):
    """Code that is no JavaScript this reader knows, a syntax error as far as it can
    tell: a browser would not run it, so none of its statements is taken as read."""


_JS_SPACE = "\t\v\f \xa0\ufeff\u1680\u2000-\u200a\u202f\u205f\u3000"
_LINE_END = "\r\n\u2028\u2029"
_LINE_END_CHARACTER = re.compile(f"[{_LINE_END}]")
_JS_TOKEN = re.compile(
    rf"""
      (?P<newline>[{_JS_SPACE}]*[{_LINE_END}][{_JS_SPACE}{_LINE_END}]*)
    | (?P<blank>[{_JS_SPACE}]+)
    | (?P<number>(?:0[xX][0-9a-fA-F](?:_?[0-9a-fA-F])*|0[oO][0-7](?:_?[0-7])*|0[bB][01](?:_?[01])*
        |(?:[0-9](?:_?[0-9])*(?:\.(?:[0-9](?:_?[0-9])*)?)?|\.[0-9](?:_?[0-9])*)
        (?:[eE][+-]?[0-9](?:_?[0-9])*)?)n?(?![\w$]))
    | (?P<name>\#?(?:[^\W\d]|\$)(?:\w|\$)*)
    | (?P<punct>>>>=|\.\.\.|===|!==|\*\*=|<<=|>>=|>>>|&&=|\|\|=|\?\?=|=>|==|!=|<=|>=|&&
        |\|\||\?\?|\?\.|\+\+|--|\*\*|<<|>>|[-+*/%&|^]=|[-+*/%&|^<>=!~?:;,.(){{}}\[\]])
    """,
    re.VERBOSE,
)
_STRING = re.compile(
    r'"[^"\\\r\n]*(?:\\(?:\r\n|[\s\S])[^"\\\r\n]*)*"'
    r"|'[^'\\\r\n]*(?:\\(?:\r\n|[\s\S])[^'\\\r\n]*)*'"
)
# A template's text up to its end, a "${", or the end of the code.
_TEMPLATE_TEXT = re.compile(r"[^`\\$]*(?:(?:\\[\s\S]|\$(?!\{))[^`\\$]*)*")
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
# Operators with an operand on either side, and those needing one after them: one of
# these followed by another, or by a closing bracket, is a syntax error ("<%= %>").
_INFIX = frozenset(
    {"=", "+=", "-=", "*=", "/=", "%=", "**=", "<<=", ">>=", ">>>=", "&=", "|=", "^="}
    | {"&&=", "||=", "??=", "==", "===", "!=", "!==", "<", ">", "<=", ">=", "<<", ">>"}
    | {">>>", "&", "|", "^", "&&", "||", "??", "*", "/", "%", "**", "?", "=>", ".", "?."}
)
_NEEDS_OPERAND = _INFIX | {"+", "-", "!", "~", "..."}
_ENDS_OPERAND = frozenset({")", "]", "}", ";", ",", ":"})
# Punctuation after which an expression or a statement starts.
_STARTS = frozenset({"(", "[", "{", ";", ",", "${"})
_SUBSTITUTION = _Token(_Kind.PUNCT, "${")
_MEMBER_ACCESS = frozenset({".", "?."})
# What can make code leave before its redirect, or pass it by: such a timer callback
# is no redirect.
_SKIPPING_WORDS = frozenset(
    {"return", "throw", "if", "else", "switch", "case", "for", "while", "do", "try"}
    | {"catch", "finally", "break", "continue", "with", "yield", "await"}
)
_CONDITIONAL_OPERATORS = frozenset({"?", "&&", "||", "??", "&&=", "||=", "??="})


def redirects_in(code: str) -> Iterator[tuple[float, str]]:
    """The (delay, target) of every redirect at the top level of ``code``."""
    try:
        script = _read(code)
    except _Unreadable:
        return
    if script.throws:
        return  # it may end before its redirect
    for statement in _statements(script.tokens):
        target = _assigned_target(statement)
        if target is not None:
            yield 0.0, target
            continue
        timed = _timed_target(statement)
        if timed is not None:
            yield timed


def _read(code: str) -> _Script:
    """``code`` as JavaScript tokens, comments and blanks dropped. Raises
    :class:`_Unreadable` for what is no JavaScript this reader knows."""
    return _Reader(code).read()


class _Reader:
    """A JavaScript tokeniser that checks what a tokeniser cheaply can: brackets that
    match, operators with their operands, well-formed numbers and escapes, ``return``
    only in a function, private names only in a class. Every step moves on, and a
    comment, string or template never closed is an error found in one search, so a
    script is read in time linear in its length."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.pos = 0
        self.tokens: list[_Token] = []
        self.brackets: list[_Open] = []
        self.templates: list[_OpenTemplate] = []
        self.previous: _Token | None = None  # also inside a template's substitutions
        self.newline = False
        self.line_start = True
        self.functions = 0  # function bodies open
        self.throws = False

    def read(self) -> _Script:
        while self.pos < len(self.code):
            self._step()
        if self.brackets:
            raise _Unreadable("unclosed bracket")
        if self.previous is not None and _is_punct(self.previous, _NEEDS_OPERAND):
            raise _Unreadable(f"{self.previous.text!r} at the end")
        return _Script(tuple(self.tokens), self.throws)

    def _step(self) -> None:
        code, pos = self.code, self.pos
        char = code[pos]
        if char == "/" and code[pos + 1 : pos + 2] in ("/", "*"):
            self._comment()
        elif char in "\"'":
            self._string()
        elif char == "`":
            self.templates.append(_OpenTemplate(pos, self.newline))
            self.pos += 1
            self._template_text()
        elif char == "}" and self.brackets and self.brackets[-1].text == "${":
            self._check_order(_Token(_Kind.PUNCT, "}"))
            self.brackets.pop()
            self.pos += 1
            self._template_text()
        elif code.startswith("<!--", pos) or (self.line_start and code.startswith("-->", pos)):
            self._skip_line()  # HTML-like comments, from the days of hiding scripts
        elif char == "/" and self._regex_allowed():
            found = _REGEX_LITERAL.match(code, pos)
            if found is None:
                raise _Unreadable(code[pos : pos + 40])
            self.pos = found.end()
            self._emit(_Token(_Kind.REGEX, found.group(0), newline_before=self.newline))
        else:
            self._plain_token()

    def _plain_token(self) -> None:
        found = _JS_TOKEN.match(self.code, self.pos)
        if found is None:
            raise _Unreadable(self.code[self.pos : self.pos + 40])
        self.pos = found.end()
        group, text = found.lastgroup, found.group(0)
        if group == "newline":
            self.newline = self.line_start = True
        elif group == "name":
            self._name(text)
        elif group == "number":
            self._emit(_Token(_Kind.NUMBER, text, newline_before=self.newline))
        elif group == "punct":
            self._punct(text)

    def _comment(self) -> None:
        if self.code[self.pos + 1] == "/":
            self._skip_line()
            return
        end = self.code.find("*/", self.pos + 2)
        if end < 0:
            raise _Unreadable("unclosed comment")
        if _LINE_END_CHARACTER.search(self.code, self.pos, end):
            self.newline = self.line_start = True
        self.pos = end + 2

    def _skip_line(self) -> None:
        end = _LINE_END_CHARACTER.search(self.code, self.pos)
        self.pos = len(self.code) if end is None else end.start()

    def _string(self) -> None:
        found = _STRING.match(self.code, self.pos)
        if found is None:
            raise _Unreadable("unclosed string")
        self.pos = found.end()
        text = found.group(0)
        self._emit(_Token(_Kind.STRING, text, _decoded(text), self.newline))

    def _template_text(self) -> None:
        """Reads a template's text from ``pos``, inside its backquotes, to its end (the
        template is then a token) or to the next substitution."""
        part = _TEMPLATE_TEXT.match(self.code, self.pos)
        assert part is not None  # it may be empty
        end = part.end()
        if self.code.startswith("${", end):
            self.templates[-1].substituted = True
            self.brackets.append(_Open("${"))
            self.pos = end + 2
            self.previous = _SUBSTITUTION  # an expression comes next
            return
        if not self.code.startswith("`", end):
            raise _Unreadable("unclosed template")
        self.pos = end + 1
        template = self.templates.pop()
        text = self.code[template.start : self.pos]
        value = None if template.substituted else _decoded(text)
        self._emit(_Token(_Kind.TEMPLATE, text, value, template.newline_before))

    def _name(self, text: str) -> None:
        if text.startswith("#") and not self.brackets:
            raise _Unreadable(f"private name {text} outside a class")
        if not _is_punct(self.previous, _MEMBER_ACCESS):  # not a property
            if text == "return" and not self.functions:
                raise _Unreadable("return outside a function")
            self.throws = self.throws or text == "throw"
        self._emit(_Token(_Kind.NAME, text, newline_before=self.newline))

    def _punct(self, text: str) -> None:
        closes_control = False
        previous = self.previous
        if text in ("(", "[", "{"):
            # A "{" after "=>", or after the ")" of parameters (not of an if's head),
            # opens a function's body.
            function = (
                text == "{"
                and previous is not None
                and previous.kind is _Kind.PUNCT
                and (
                    previous.text == "=>" or (previous.text == ")" and not previous.closes_control)
                )
            )
            head = text == "(" and _is_name(previous, _CONTROL)
            self.brackets.append(_Open(text, head, function))
            self.functions += function
        elif text in _OPENERS:
            if not self.brackets or self.brackets[-1].text != _OPENERS[text]:
                raise _Unreadable(f"unbalanced {text!r}")
            opened = self.brackets.pop()
            self.functions -= opened.function
            closes_control = opened.head
        self._emit(
            _Token(_Kind.PUNCT, text, newline_before=self.newline, closes_control=closes_control)
        )

    def _regex_allowed(self) -> bool:
        """Whether a "/" that starts no comment starts a regular expression: after
        ``previous`` an expression comes (else it divides)."""
        previous = self.previous
        if previous is None:
            return True
        if previous.kind is _Kind.PUNCT:
            return previous.text not in (")", "]") or previous.closes_control
        return previous.kind is _Kind.NAME and previous.text in _BEFORE_EXPRESSION

    def _check_order(self, token: _Token) -> None:
        """Raises :class:`_Unreadable` for punctuation where an operand must come:
        after an operator (``<%=``, ``= ;``), or starting an expression or a statement
        (``(=``, ``; ,``)."""
        previous = self.previous
        after = ";" if previous is None else previous.text if previous.kind is _Kind.PUNCT else ""
        text = token.text
        if after in _NEEDS_OPERAND:
            misplaced = text in _INFIX or text in _ENDS_OPERAND
        elif after in _STARTS:
            # "*" starts a generator method in a class or an object; "[,," skips items.
            generator = text == "*" and after in ("{", ";", ",")
            misplaced = (
                (text in _INFIX and not generator)
                or text == ":"
                or (text == "," and after not in ("[", ","))
            )
        else:
            return
        if misplaced:
            raise _Unreadable(f"{text!r} where an operand is expected")

    def _emit(self, token: _Token) -> None:
        if token.kind is _Kind.PUNCT:
            self._check_order(token)
        if not self.templates:
            self.tokens.append(token)
        self.previous = token
        self.newline = self.line_start = False


def _is_punct(token: _Token | None, texts: frozenset[str]) -> bool:
    return token is not None and token.kind is _Kind.PUNCT and token.text in texts


def _decoded(literal: str) -> str:
    """The value of a string or template ``literal`` (quotes included). Raises
    :class:`_Unreadable` for an escape no browser accepts (``\\u{110000}``, ``\\x4``):
    the script would not compile."""
    value = _unescape(literal[1:-1])
    if value is None:
        raise _Unreadable(f"bad escape in {literal[:40]}")
    return value


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
        digits = code[1:].strip("{}").lstrip("0") or "0"
        if len(digits) > 6 or int(digits, 16) > 0x10FFFF:
            raise ValueError(f"\\{code} is past U+10FFFF")
        return chr(int(digits, 16))
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
        try:
            code = _read(callback[0].value)
        except _Unreadable:
            return None  # the timer throws as it compiles the code
        return None if code.throws else _only_target(code.tokens)
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
    return _only_target(body[1:-1])


def _only_target(code: Sequence[_Token]) -> str | None:
    """The one target a callback's code assigns, when nothing in it (a condition, a
    loop, a ``try``, a ``return`` or ``throw``) can make it leave or pass by the
    assignment."""
    for token in code:
        if _is_name(token, _SKIPPING_WORDS) or _is_punct(token, _CONDITIONAL_OPERATORS):
            return None
    found = {t for t in map(_assigned_target, _statements(code)) if t is not None}
    return found.pop() if len(found) == 1 else None


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
