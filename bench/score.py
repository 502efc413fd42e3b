"""Scoring a tool's answers against the farm's truth."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bench.site import Link

_PASSING = frozenset({"ok", "moved"})


@dataclass(frozen=True)
class Score:
    """How many URLs a tool judged, and how many it judged right."""

    total: int  # URLs on the farm
    answered: int  # URLs the tool reported on
    right: int  # working vs not working, as the truth says
    exact: int  # the same verdict name as the monitor's expected one
    wrong: tuple[str, ...]  # a few "URL: said X, expected Y" lines for the record

    @property
    def right_share(self) -> float:
        return self.right / self.total if self.total else 0.0

    @property
    def exact_share(self) -> float:
        return self.exact / self.total if self.total else 0.0


def score(truth: Sequence[Link], verdicts: Mapping[str, str], *, keep: int = 5) -> Score:
    """Compare ``verdicts`` (URL -> verdict name) with the truth; a missing URL is wrong."""
    right = exact = answered = 0
    wrong: list[str] = []
    for link in truth:
        said = verdicts.get(link.url)
        if said is None:
            if len(wrong) < keep:
                wrong.append(f"{link.url}: no answer, expected {link.expected}")
            continue
        answered += 1
        exact += said == link.expected
        if (said in _PASSING) == link.passes:
            right += 1
        elif len(wrong) < keep:
            wrong.append(f"{link.url}: said {said}, expected {link.expected}")
    return Score(len(truth), answered, right, exact, tuple(wrong))
