"""Scoring a tool's answers against the farm's truth.

Each tool's answer for a URL is first mapped to the monitor's verdict names
(:mod:`bench.tools`), then counted twice, against every URL of the farm (a URL the tool
did not report on is wrong on both counts):

- *working/not right*: the answer says working (``ok`` or ``moved``) where a reader
  following the citation gets the cited content (:attr:`bench.site.Link.passes`), and
  anything else where they do not. A URL that cannot be judged from a program
  (``passes`` is None: behind a bot challenge, people get the page and checkers get the
  wall; past a consent dialog, people click through and read) is right unless the
  answer says the page is gone (``broken``, ``soft_404``, ``type_mismatch``): working,
  blocked or failing for now are all fair answers there.
- *same verdict*: the answer is the monitor's expected verdict name.

Both are also counted per kind of URL, with what the tool answered, so that a report
can show where each tool goes wrong.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.site import Kind, Link

_PASSING = frozenset({"ok", "moved"})
# Answers that tell the reader the cited content is not there.
_GONE = frozenset({"broken", "soft_404", "type_mismatch"})
NO_ANSWER = "(no answer)"


@dataclass(frozen=True)
class KindScore:
    """One kind of URL's share of a score."""

    total: int
    right: int
    exact: int
    said: tuple[tuple[str, int], ...]  # each answer and how often, most frequent first

    def as_record(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "right": self.right,
            "exact": self.exact,
            "said": dict(self.said),
        }


@dataclass(frozen=True)
class Score:
    """How many URLs a tool judged, and how many it judged right."""

    total: int  # URLs on the farm
    answered: int  # URLs the tool reported on
    right: int  # working vs not working, as the truth says
    exact: int  # the same verdict name as the monitor's expected one
    wrong: tuple[str, ...]  # a few "URL: said X, expected Y" lines for the record
    by_kind: Mapping[str, KindScore] = field(default_factory=dict)  # in the order of Kind

    @property
    def right_share(self) -> float:
        return self.right / self.total if self.total else 0.0

    @property
    def exact_share(self) -> float:
        return self.exact / self.total if self.total else 0.0

    def by_kind_record(self) -> dict[str, dict[str, Any]]:
        return {kind: part.as_record() for kind, part in self.by_kind.items()}


def judged_right(link: Link, said: str) -> bool:
    """Whether ``said`` (a verdict name) tells working from not as the truth does."""
    if link.passes is None:
        return said not in _GONE
    return (said in _PASSING) == link.passes


def score(truth: Sequence[Link], verdicts: Mapping[str, str], *, keep: int = 5) -> Score:
    """Compare ``verdicts`` (URL -> verdict name) with the truth; a missing URL is wrong."""
    right = exact = answered = 0
    wrong: list[str] = []
    totals: Counter[Kind] = Counter()
    rights: Counter[Kind] = Counter()
    exacts: Counter[Kind] = Counter()
    said_by_kind: dict[Kind, Counter[str]] = {}
    for link in truth:
        said = verdicts.get(link.url)
        totals[link.kind] += 1
        said_by_kind.setdefault(link.kind, Counter())[said or NO_ANSWER] += 1
        if said is None:
            if len(wrong) < keep:
                wrong.append(f"{link.url}: no answer, expected {link.expected}")
            continue
        answered += 1
        if said == link.expected:
            exact += 1
            exacts[link.kind] += 1
        if judged_right(link, said):
            right += 1
            rights[link.kind] += 1
        elif len(wrong) < keep:
            wrong.append(f"{link.url}: said {said}, expected {link.expected}")
    by_kind = {
        kind.value: KindScore(
            totals[kind],
            rights[kind],
            exacts[kind],
            tuple(said_by_kind[kind].most_common()),
        )
        for kind in Kind
        if totals[kind]
    }
    return Score(len(truth), answered, right, exact, tuple(wrong), by_kind)


def truth_record(truth: Sequence[Link]) -> dict[str, dict[str, Any]]:
    """The truth per kind of URL on the farm, for a scenario's record: how many URLs,
    what the farm answers, the expected verdict and whether they work (None: cannot be
    judged from a program)."""
    counts = Counter(link.kind for link in truth)
    return {
        kind.value: {
            "urls": counts[kind],
            "about": kind.about,
            "expected": kind.expected,
            "passes": kind.passes,
        }
        for kind in Kind
        if counts[kind]
    }
