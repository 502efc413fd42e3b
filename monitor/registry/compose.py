"""From ``registry.yaml`` on disk to its YAML node tree, or a located problem.

Composing keeps every value's line. An alias is one shared node, so composing never
copies what it names; but libyaml composes nesting by recursion (a few hundred
thousand brackets crash the process), and the readers walk what an alias names each
time it appears, merge keys included. So the parser's events are read first, and the
document is held to limits no real registry comes near: nesting, with aliases followed
or not, size with aliases followed, and no alias inside the value it names.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import yaml
from yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, NodeEvent
from yaml.nodes import Node

from monitor.registry.errors import RegistryInvalid, RegistryProblem, char_name, clip

# libyaml when present: the same safe resolver, much faster on large registries.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# libyaml counts a reader error's position in bytes of UTF-8, PyYAML in characters.
_POSITION_IN_BYTES = _Loader is not yaml.SafeLoader

# A registry nests six levels (sources, a source, its claims, a claim, a value).
MAX_DEPTH = 32
# Values the readers may visit with aliases followed: at least this many, and at most
# this many times the values written. Merging shared defaults into every entry stays
# far below; aliases of aliases ("billion laughs") grow as a power and do not.
MIN_EXPANDED = 1_000_000
# A quoted value as YAML reads one: it opens where a value starts (at the line's start,
# after its "- " entries, or after "[", "{", ", ", ": ") and closes before a
# separator. A quote anywhere else is inside a plain value, and so are the brackets
# after it.
_QUOTED = re.compile(
    r"""(?P<lead>^[ \t]*(?:-[ \t]+)*|[\[{]|[\[{,:][ \t]+)"""
    r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*')(?=[ \t]*(?:[,\]}]|:[ \t]|$))"""
)
# A line's indentation and block indicators.
_BLOCK_PREFIX = re.compile(r"(?:[ \t]|[-?:](?=[ \t]|$))*")
EXPANSION_RATIO = 10


def compose_file(path: Path, file: str, expected_start: str) -> Node:
    """The node tree of the YAML file at *path*; RegistryInvalid when it is unreadable,
    malformed, empty (*expected_start* says what it should start with) or hostile."""
    text = _read(path, file)
    try:
        if not _plainly_within_limits(text):
            _check_events(text, file)
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = None if mark is None else mark.line + 1
        detail = exc.problem or exc.context or "unreadable"
        if exc.problem and exc.context and exc.context_mark is not None:
            detail += f" ({exc.context} on line {exc.context_mark.line + 1})"
        _refuse(file, line, f"malformed YAML: {detail}")
    except yaml.reader.ReaderError as exc:
        # Not a marked error: it carries an offset, and its text spans two lines.
        line, char = _at(text, exc.position)
        message = f"malformed YAML: unacceptable character {char_name(char)}: {exc.reason}"
        _refuse(file, line, message)
    except yaml.YAMLError as exc:
        _refuse(file, None, f"malformed YAML: {exc}")
    if root is None:
        _refuse(file, None, f"the file is empty; expected a mapping starting {expected_start!r}")
    return root


def _refuse(file: str, line: int | None, message: str) -> NoReturn:
    raise RegistryInvalid([RegistryProblem(file, line, "", message)])


def _read(path: Path, file: str) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        _refuse(file, None, "file not found")
    except OSError as exc:
        _refuse(file, None, f"cannot read the file: {exc.strerror}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # The offset counts from after a byte-order mark, as the decoder saw the bytes.
        line = data.removeprefix(codecs.BOM_UTF8)[: exc.start].count(b"\n") + 1
        _refuse(file, line, f"not UTF-8 text (byte {exc.start})")


def _at(text: str, position: int) -> tuple[int, str]:
    """The line of a reader error's position, and the character there."""
    if _POSITION_IN_BYTES:
        position = len(text.encode("utf-8")[:position].decode("utf-8", "ignore"))
    return text.count("\n", 0, position) + 1, text[position : position + 1] or "\0"


def _plainly_within_limits(text: str) -> bool:
    """Whether the text alone shows the limits hold, sparing the event pass (a fifth of
    a large registry's reading): no alias (no "*" anywhere), and no line deeper than
    the limit. A block level needs a character of the line's indentation or indicators
    ("- ", "? ", ": ") for every two levels, every two flow levels an opening bracket; a line
    whose brackets do not close on it (a flow collection over lines), or that has a
    bracket beside a comment or a quote (where one may not count), proves nothing."""
    if "*" in text:
        return False
    for written in text.splitlines():
        # Brackets inside quoted values are text; one beside a comment or a quote left
        # open (a value over lines) may be too.
        line = _QUOTED.sub(r"\g<lead>", written)
        opening = line.count("[") + line.count("{")
        if opening != line.count("]") + line.count("}"):
            return False
        if opening and ("#" in line or '"' in line or "'" in line):
            return False
        prefix = _BLOCK_PREFIX.match(line)
        # A flow level may hold an implicit one-pair mapping ("[a: b]"): two levels.
        if 2 * (prefix.end() if prefix else 0) + 2 + 2 * opening > MAX_DEPTH:
            return False
    return True


@dataclass
class _Open:
    """A mapping or list whose end the scan has not reached."""

    anchor: str | None
    values: int = 1  # itself and everything in it, aliases followed
    deepest: int = 0  # levels below it, aliases followed


def _check_events(text: str, file: str) -> None:
    """Refuse documents nested too deep, and aliases that make one endless, too deep or
    much larger than written, from the parser's events: a loop, not a recursion, and
    stopping at the first such problem spares libyaml's scanner, which slows
    quadratically with open brackets."""
    stack = [_Open(None)]
    measured: dict[str, tuple[int, int]] = {}  # anchor -> values, levels
    written = 0
    worst_alias = (0, 0)  # values the first of the largest aliases stands for, its line
    for event in yaml.parse(text, Loader=_Loader):
        if not isinstance(event, NodeEvent | CollectionEndEvent):
            continue
        line = 1 if event.start_mark is None else event.start_mark.line + 1
        if isinstance(event, CollectionEndEvent):
            done = stack.pop()
            _add(stack[-1], done.anchor, done.values, done.deepest + 1, measured)
            continue
        written += 1
        if isinstance(event, CollectionStartEvent):
            stack.append(_Open(event.anchor))
            if len(stack) - 1 > MAX_DEPTH:
                _refuse(file, line, f"nested more than {MAX_DEPTH} levels deep")
        elif isinstance(event, AliasEvent):
            name = str(event.anchor)
            shown = clip(name)
            if any(o.anchor == name for o in stack):
                message = f"the alias *{shown} is inside the value it names (an endless value)"
                _refuse(file, line, message)
            if name not in measured:
                continue  # undefined: composing reports it
            values, levels = measured[name]
            if len(stack) - 1 + levels > MAX_DEPTH:
                _refuse(file, line, f"the alias *{shown} nests values more than {MAX_DEPTH} deep")
            if values > worst_alias[0]:
                worst_alias = (values, line)
            _add(stack[-1], None, values, levels, measured)
        else:
            _add(stack[-1], event.anchor, 1, 1, measured)
    limit = max(MIN_EXPANDED, EXPANSION_RATIO * written)
    if stack[0].values > limit:
        message = (
            f"aliases such as the one on this line make the registry more than {limit:,}"
            " values long; write the values out or share fewer of them"
        )
        _refuse(file, worst_alias[1], message)


def _add(
    parent: _Open,
    anchor: str | None,
    values: int,
    levels: int,
    measured: dict[str, tuple[int, int]],
) -> None:
    if anchor is not None:
        measured[anchor] = (values, levels)
    parent.values += values
    parent.deepest = max(parent.deepest, levels)
