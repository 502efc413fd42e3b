"""Problems a user can cause in the registry, each pinned to a file, line and field."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# Longest value quoted in a message: a problem is one line a person reads, and a value
# can be a megabyte of pasted text.
QUOTE_LIMIT = 80
# Longest message passed on from elsewhere (the gate's or the notifier's own checks).
MESSAGE_LIMIT = 300


@dataclass(frozen=True)
class RegistryProblem:
    """One thing wrong with the registry, located precisely enough to fix it."""

    file: str
    line: int | None
    field: str  # dotted path such as ``sources[2].url``; empty for the whole file
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return (
            f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"
        )


class RegistryInvalid(Exception):
    """The registry cannot be used; carries every problem found, not only the first."""

    def __init__(self, problems: Iterable[RegistryProblem]) -> None:
        self.problems: tuple[RegistryProblem, ...] = tuple(problems)
        # The problems themselves as args, so the exception survives pickling intact.
        super().__init__(self.problems)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def quote(value: str, limit: int = QUOTE_LIMIT) -> str:
    """``repr(value)``, cut after *limit* characters with the full length said."""
    if len(value) <= limit:
        return repr(value)
    return f"{value[:limit]!r}... ({len(value)} characters)"


def clip(text: str, limit: int = QUOTE_LIMIT) -> str:
    """*text* as it is, cut after *limit* characters: for values shown without quotes."""
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def char_name(char: str) -> str:
    """A character as a person can find it: ``U+200B (ZERO WIDTH SPACE)``."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} ({name})" if name else f"U+{ord(char):04X}"
