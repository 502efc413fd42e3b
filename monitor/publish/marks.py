"""How a citation's state is shown to readers: text and icon, never colour alone."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class MarkKind(enum.StrEnum):
    OK = "ok"
    MOVED = "moved"
    DEAD = "dead"
    DRIFTED = "drifted"
    UNVERIFIABLE = "unverifiable"


@dataclass(frozen=True)
class Mark:
    kind: MarkKind
    icon: str
    label: str


MARKS = {
    MarkKind.OK: Mark(MarkKind.OK, "✓", "source checked"),
    MarkKind.MOVED: Mark(MarkKind.MOVED, "↪", "source moved"),
    MarkKind.DEAD: Mark(MarkKind.DEAD, "✗", "source unavailable"),
    MarkKind.DRIFTED: Mark(MarkKind.DRIFTED, "!", "cited figure not found in source"),
    MarkKind.UNVERIFIABLE: Mark(MarkKind.UNVERIFIABLE, "?", "could not be verified"),
}

_KIND_BY_VERDICT = {
    "ok": MarkKind.OK,
    "moved": MarkKind.MOVED,
    "broken": MarkKind.DEAD,
    "soft_404": MarkKind.DEAD,
    "type_mismatch": MarkKind.DEAD,
    "tls_error": MarkKind.DEAD,
    "invalid": MarkKind.DEAD,
    "claim_missing": MarkKind.DRIFTED,
    "anchor_missing": MarkKind.DRIFTED,
    "blocked": MarkKind.UNVERIFIABLE,
    "transient": MarkKind.UNVERIFIABLE,
}


def mark_for(verdict: str | None) -> Mark:
    return MARKS[_KIND_BY_VERDICT.get(verdict or "", MarkKind.UNVERIFIABLE)]
