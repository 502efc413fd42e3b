"""Typed reads from YAML nodes that record a located problem instead of failing.

The loader walks composed nodes rather than loaded Python objects so that every value
keeps the line it came from. Each read returns the value, or None when the value is
absent or wrong; a wrong value also adds a :class:`RegistryProblem`, and the loader
refuses the registry when any were added, so a None never reaches a model by mistake.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from yaml.constructor import ConstructorError, SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from monitor.registry.durations import EXPECTED as DURATION
from monitor.registry.durations import parse_duration
from monitor.registry.errors import RegistryProblem, char_name, clip, quote
from monitor.registry.urls import url_problem

_TAG = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (_TAG + t for t in ("str", "int", "float", "bool", "null"))
TIMESTAMP, MAP, SEQ, MERGE = (_TAG + t for t in ("timestamp", "map", "seq", "merge"))
_SCALAR_TAGS = frozenset({STR, INT, FLOAT, BOOL, NULL, TIMESTAMP})

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# The store keeps ids in columns of this many characters (PostgreSQL refuses longer).
MAX_ID_LENGTH = 200
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_MEDIA_TYPE = re.compile(r"[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_NOT_VISIBLE_ASCII = re.compile(r"[^\x20-\x7e]")
# Numbers as people write them. YAML 1.1 also reads 0x1F, 012 (octal), 1_000 and 1:30
# (base 60, so 90) as numbers; a registry refuses those rather than guess.
_DECIMAL_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_DECIMAL_FLOAT = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")
_NOT_FINITE = re.compile(r"[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)")
# More digits than any setting needs; int() of thousands of digits is refused, or slow.
_MAX_DIGITS = 30


def line_of(node: Node) -> int:
    """The 1-based line on which *node* starts."""
    return int(node.start_mark.line) + 1


def child(field: str, key: str | int) -> str:
    """The dotted path of *key* inside *field*: ``a.b`` for names, ``a[2]`` for indexes."""
    if isinstance(key, int):
        return f"{field}[{key}]"
    return f"{field}.{key}" if field else key


def describe(node: Node) -> str:
    """How a value reads in a message: ``'ftp://x'``, ``42 (a number)``, ``a list``."""
    if node.tag not in _SCALAR_TAGS | {MAP, SEQ}:
        return f"a value tagged {quote(_short(node.tag))}"
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == NULL:
        return "nothing (null)"
    if node.tag in (INT, FLOAT):
        return f"{clip(node.value)} (a number)"
    if node.tag == BOOL:
        return f"{node.value} (a boolean)"
    if node.tag == TIMESTAMP:
        return f"{clip(node.value)} (a date)"
    return quote(str(node.value))


def _short(tag: str) -> str:
    return "!!" + tag.removeprefix(_TAG) if tag.startswith(_TAG) else tag


def is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == NULL


@dataclass(frozen=True)
class Link:
    """An id in one entry that must name an existing entry of *kind*."""

    kind: str  # "owner", "document" or "source"
    target: str
    line: int
    field: str


class Reader:
    """Reads typed values out of YAML nodes and collects what is wrong with them."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[RegistryProblem] = []
        # Ids read that must name an entry; checked once every section is read, so
        # that the order of sections in the file does not matter.
        self.links: list[Link] = []
        self._constructor = SafeConstructor()
        self._ids: dict[tuple[str, str], int] = {}
        self._own: dict[int, set[int]] = {}

    def problem(self, where: Node | int | None, field: str, message: str) -> None:
        line = line_of(where) if isinstance(where, Node) else where
        self.problems.append(RegistryProblem(self.file, line, field, message))

    def _expect(self, node: Node, field: str, what: str) -> None:
        self.problem(node, field, f"expected {what}, got {describe(node)}")

    def _tag_ok(self, node: Node, field: str) -> bool:
        # Only plain YAML types: a registry is data, so "!!python/..." and custom tags
        # are refused rather than silently read as something else.
        allowed = {ScalarNode: _SCALAR_TAGS, MappingNode: {MAP}, SequenceNode: {SEQ}}
        if node.tag in allowed.get(type(node), ()):
            return True
        self.problem(node, field, f"unsupported YAML tag {quote(_short(node.tag))}")
        return False

    def entries(self, node: Node, field: str) -> list[tuple[str, Node, Node]] | None:
        """The (key, key node, value node) triples of a mapping; None if not a mapping."""
        if not isinstance(node, MappingNode):
            self._expect(node, field, "a mapping")
            return None
        if not self._tag_ok(node, field):
            return None
        # Keys written in this mapping itself; "<<" merges may repeat them (and lose).
        # Remembered per node: flattening rewrites it, and an alias reads it again.
        own = self._own.setdefault(id(node), {id(k) for k, _ in node.value if k.tag != MERGE})
        try:
            # Puts merged pairs first, in an order where the last pair of a key wins.
            self._constructor.flatten_mapping(node)
        except ConstructorError as exc:
            self.problem(node, field, f"cannot merge: {exc.problem}")
            return None
        seen: dict[str, int] = {}
        result: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == NULL:
                self._expect(key_node, field, "a name as key")
                continue
            # The key as written: YAML 1.1 would read "on:" or "no:" as booleans.
            key = str(key_node.value)
            if id(key_node) in own:
                if key in seen:
                    msg = f"duplicate key {quote(key)} (first on line {seen[key]})"
                    self.problem(key_node, child(field, key), msg)
                    continue
                seen[key] = line_of(key_node)
            result[key] = (key_node, value_node)
        return [(key, key_node, value_node) for key, (key_node, value_node) in result.items()]

    def mapping(
        self,
        node: Node,
        field: str,
        known: Sequence[str],
        required: Sequence[str] = (),
    ) -> dict[str, Node] | None:
        """A mapping's known keys; reports unknown keys (with a suggestion) and missing ones."""
        entries = self.entries(node, field)
        if entries is None:
            return None
        values: dict[str, Node] = {}
        for key, key_node, value_node in entries:
            if key in known:
                values[key] = value_node
                continue
            close = difflib.get_close_matches(key, known, n=1)
            hint = (
                f"did you mean {close[0]!r}?" if close else f"expected one of: {', '.join(known)}"
            )
            self.problem(key_node, child(field, clip(key)), f"unknown key {quote(key)}; {hint}")
        for key in required:
            if key not in values:
                self.problem(node, child(field, key), "required key is missing")
        return values

    def sequence(self, node: Node, field: str) -> list[Node]:
        """A list's items; an empty list for null (every entry commented out)."""
        if is_null(node):
            return []
        if not isinstance(node, SequenceNode):
            self._expect(node, field, "a list")
            return []
        return list(node.value) if self._tag_ok(node, field) else []

    def text(self, node: Node | None, field: str, required: bool = False) -> str | None:
        """A scalar as written (so ``evidence: 100000`` stays ``"100000"``)."""
        if node is None:
            return None
        if is_null(node):
            if required:
                self._expect(node, field, "text")
            return None
        if not isinstance(node, ScalarNode):
            self._expect(node, field, "text")
            return None
        if not self._tag_ok(node, field):
            return None
        value = str(node.value)
        if not value.strip():
            self.problem(node, field, "expected text, got an empty string")
            return None
        return value

    def ident(self, node: Node | None, field: str, kind: str) -> str | None:
        """An id of *kind*, unique among ids of that kind in the whole registry."""
        value = self.text(node, field, required=True)
        if node is None or value is None:
            return None
        if not _ID.fullmatch(value):
            msg = f"expected an id (letters, digits, '.', '_', '-'), got {quote(value)}"
            self.problem(node, field, msg)
            return None
        if len(value) > MAX_ID_LENGTH:
            msg = f"an id holds at most {MAX_ID_LENGTH} characters, this one {len(value)}"
            self.problem(node, field, msg)
            return None
        self.unique(kind, value, node, field)
        return value

    def unique(self, kind: str, value: str, node: Node, field: str) -> None:
        """Record an id of *kind*, reporting it if the registry already used it."""
        first = self._ids.get((kind, value))
        if first is None:
            self._ids[(kind, value)] = line_of(node)
        else:
            msg = f"duplicate {kind} id {quote(value)} (first on line {first})"
            self.problem(node, field, msg)

    def ids(self, kind: str) -> list[str]:
        """Every id of *kind* seen so far, valid entry or not (so one mistake is one problem)."""
        return [value for (k, value) in self._ids if k == kind]

    def reference(self, node: Node | None, field: str, required: bool = False) -> str | None:
        """An id that points at another entry; whether it exists is checked later."""
        value = self.text(node, field, required)
        if node is not None and value is not None and not _ID.fullmatch(value):
            self.problem(node, field, f"expected an id, got {quote(value)}")
            return None
        return value

    def linked(
        self, kind: str, node: Node | None, field: str, required: bool = False
    ) -> str | None:
        """A :meth:`reference` to an entry of *kind*; whether one exists is checked
        once every section has been read (:attr:`links`)."""
        value = self.reference(node, field, required)
        if node is not None and value is not None:
            self.links.append(Link(kind, value, line_of(node), field))
        return value

    def _typed(self, node: Node, field: str, tags: set[str], what: str) -> object | None:
        if not isinstance(node, ScalarNode) or node.tag not in tags:
            self._expect(node, field, what)
            return None
        try:
            value: object = self._constructor.construct_object(node, deep=True)
        except (ConstructorError, ValueError):
            self._expect(node, field, what)
            return None
        return value

    def boolean(self, node: Node | None, field: str) -> bool | None:
        if node is None:
            return None
        value = self._typed(node, field, {BOOL}, "true or false")
        return value if isinstance(value, bool) else None

    def _decimal(self, node: Node, field: str, what: str, whole: bool) -> int | float | None:
        """A number written in plain decimal, as written (not as YAML 1.1 reads it)."""
        if not isinstance(node, ScalarNode) or node.tag not in ({INT} if whole else {INT, FLOAT}):
            self._expect(node, field, what)
            return None
        text = str(node.value)
        if _NOT_FINITE.fullmatch(text):
            self.problem(node, field, f"expected {what}, got {text}")
            return None
        decimal = _DECIMAL_INT if node.tag == INT else _DECIMAL_FLOAT
        if not decimal.fullmatch(text):
            self.problem(node, field, f"expected {what} in plain decimal, got {clip(text)}")
            return None
        digits = sum(c.isdigit() for c in text)
        if digits > _MAX_DIGITS:
            self.problem(node, field, f"expected {what}, got a number {digits} digits long")
            return None
        return int(text) if node.tag == INT else float(text)

    def number(
        self, node: Node | None, field: str, whole: bool, maximum: float
    ) -> int | float | None:
        """A finite number up to *maximum*; a whole one if *whole*. Lower limits are left to
        the part of the monitor that uses the value."""
        if node is None:
            return None
        what = "a whole number" if whole else "a finite number"
        value = self._decimal(node, field, what, whole)
        if value is None:
            return None
        if not math.isfinite(value) or value > maximum:
            msg = f"expected {what} up to {maximum:g}, got {clip(str(node.value))}"
            self.problem(node, field, msg)
            return None
        return value

    def integer(
        self, node: Node | None, field: str, minimum: int, maximum: int | None = None
    ) -> int | None:
        if node is None:
            return None
        value = self._decimal(node, field, f"a whole number >= {minimum}", whole=True)
        if not isinstance(value, int):
            return None
        if value < minimum:
            self.problem(node, field, f"expected a whole number >= {minimum}, got {value}")
            return None
        if maximum is not None and value > maximum:
            msg = f"expected a whole number from {minimum} to {maximum}, got {value}"
            self.problem(node, field, msg)
            return None
        return value

    def positive(self, node: Node | None, field: str) -> float | None:
        if node is None:
            return None
        value = self._decimal(node, field, "a number greater than 0", whole=False)
        if value is None:
            return None
        if not (math.isfinite(value) and value > 0):
            self.problem(node, field, f"expected a number greater than 0, got {clip(node.value)}")
            return None
        return float(value)

    def url(self, node: Node | None, field: str, required: bool = False) -> str | None:
        value = self.text(node, field, required)
        if node is None or value is None:
            return None
        reason = url_problem(value)
        if reason is not None:
            self.problem(node, field, reason)
            return None
        return value

    def day(self, node: Node | None, field: str) -> date | None:
        """A calendar date written ``YYYY-MM-DD``."""
        value = self.text(node, field)
        if node is None or value is None:
            return None
        try:
            if _DATE.fullmatch(value):
                return date.fromisoformat(value)
        except ValueError:
            pass
        self.problem(node, field, f"expected a date YYYY-MM-DD, got {quote(value)}")
        return None

    def duration(self, node: Node | None, field: str) -> timedelta | None:
        """A duration as :func:`parse_duration` reads it, from the scalar as written."""
        if node is None or is_null(node):
            return None
        if not isinstance(node, ScalarNode) or node.tag not in (INT, STR):
            self._expect(node, field, DURATION)
            return None
        text = str(node.value)
        try:
            if node.tag == STR:
                return parse_duration(text)
            # Unquoted, 1:30 would be 90 seconds to YAML and 012 ten (octal): only plain
            # decimal seconds are read as a number of seconds.
            if not _DECIMAL_INT.fullmatch(text) or len(text) > _MAX_DIGITS:
                self.problem(node, field, f"expected {DURATION}, got {quote(text)}")
                return None
            return parse_duration(int(text))
        except ValueError as exc:
            self.problem(node, field, str(exc))
            return None

    def email(self, node: Node | None, field: str) -> str | None:
        value = self.text(node, field)
        if node is not None and value is not None and not _EMAIL.fullmatch(value):
            self.problem(node, field, f"expected an email address, got {quote(value)}")
            return None
        return value

    def media_type(self, node: Node | None, field: str) -> str | None:
        value = self.text(node, field)
        if node is not None and value is not None and not _MEDIA_TYPE.fullmatch(value):
            msg = f"expected a media type such as 'application/pdf', got {quote(value)}"
            self.problem(node, field, msg)
            return None
        return value.lower() if value is not None else None

    def header_text(self, node: Node | None, field: str) -> str | None:
        """Text that will be sent in an HTTP header: one line of printable ASCII, as
        header values should be (RFC 9110, 5.5) and as HTTP clients can encode them."""
        value = self.text(node, field)
        if node is None or value is None:
            return value
        if _CONTROL.search(value):
            self.problem(node, field, f"expected one line of text, got {quote(value)}")
            return None
        other = _NOT_VISIBLE_ASCII.search(value)
        if other is not None:
            where = f"{char_name(other.group())} at character {other.start() + 1}"
            msg = f"expected printable ASCII text (for an HTTP header), got {quote(value)}: {where}"
            self.problem(node, field, msg)
            return None
        return value
