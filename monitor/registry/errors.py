"""Problems a user can cause in the registry, each pinned to a file, line and field."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


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
