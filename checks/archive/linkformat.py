"""A parser for ``Link`` headers and ``application/link-format`` documents
(RFC 8288 / RFC 6690), the syntax of Memento TimeMaps.

Written by hand rather than with a split on commas because real TimeMaps put commas
inside quoted parameters and URIs, use several relation types in one ``rel``
(``"first memento"``), spread one link over several lines and leave stray whitespace
around every separator.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

_SEPARATORS = frozenset(";,=")


@dataclass(frozen=True)
class Link:
    """One link-value: a target URI and its parameters (names lower-cased)."""

    uri: str
    params: tuple[tuple[str, str], ...] = ()

    def get(self, name: str) -> str | None:
        """The value of parameter ``name`` (first occurrence), or None."""
        name = name.lower()
        for key, value in self.params:
            if key == name:
                return value
        return None

    @property
    def rels(self) -> frozenset[str]:
        """The relation types, e.g. ``{"first", "memento"}`` for ``rel="first memento"``."""
        return frozenset((self.get("rel") or "").lower().split())


def parse_links(text: str, *, base: str | None = None) -> list[Link]:
    """All link-values in ``text``; relative URIs resolved against ``base``.

    Malformed pieces are skipped rather than failing the whole document: one bad entry
    in a TimeMap should not hide the other mementos.
    """
    links: list[Link] = []
    scanner = _Scanner(text)
    while True:
        if not scanner.skip_to("<"):
            return links
        uri = scanner.read_until(">")
        if uri is None:
            return links
        params = _read_params(scanner)
        uri = uri.strip()
        if uri:
            links.append(Link(urljoin(base, uri) if base else uri, params))


def _read_params(scanner: _Scanner) -> tuple[tuple[str, str], ...]:
    params: list[tuple[str, str]] = []
    seen: set[str] = set()
    while True:
        scanner.skip_space()
        char = scanner.peek()
        if char is None or char == ",":
            scanner.advance()
            return tuple(params)
        if char == "<":
            # A missing comma between two links: start the next one here.
            return tuple(params)
        if char != ";":
            scanner.skip_junk()
            continue
        scanner.advance()
        scanner.skip_space()
        name = scanner.read_token().lower()
        scanner.skip_space()
        value = ""
        if scanner.peek() == "=":
            scanner.advance()
            scanner.skip_space()
            value = scanner.read_quoted() if scanner.peek() == '"' else scanner.read_token()
        # RFC 8288: occurrences of a parameter after the first are ignored.
        if name and name not in seen:
            seen.add(name)
            params.append((name, value))


class _Scanner:
    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0

    def peek(self) -> str | None:
        return self._text[self._pos] if self._pos < len(self._text) else None

    def advance(self) -> None:
        self._pos += 1

    def skip_space(self) -> None:
        while self._pos < len(self._text) and self._text[self._pos].isspace():
            self._pos += 1

    def skip_to(self, char: str) -> bool:
        found = self._text.find(char, self._pos)
        if found < 0:
            self._pos = len(self._text)
            return False
        self._pos = found + 1
        return True

    def read_until(self, char: str) -> str | None:
        found = self._text.find(char, self._pos)
        if found < 0:
            self._pos = len(self._text)
            return None
        value = self._text[self._pos : found]
        self._pos = found + 1
        return value

    def read_token(self) -> str:
        start = self._pos
        while self._pos < len(self._text):
            char = self._text[self._pos]
            if char in _SEPARATORS or char.isspace() or char == "<":
                break
            self._pos += 1
        return self._text[start : self._pos]

    def read_quoted(self) -> str:
        self._pos += 1  # opening quote
        out: list[str] = []
        while self._pos < len(self._text):
            char = self._text[self._pos]
            self._pos += 1
            if char == "\\" and self._pos < len(self._text):
                out.append(self._text[self._pos])
                self._pos += 1
            elif char == '"':
                break
            else:
                out.append(char)
        return "".join(out)

    def skip_junk(self) -> None:
        # Recover from text that is neither a parameter nor a separator, stepping over
        # quoted strings so that a comma inside them is not taken as a separator.
        while self._pos < len(self._text):
            char = self._text[self._pos]
            if char in ";,<":
                return
            if char == '"':
                self.read_quoted()
                continue
            self._pos += 1
