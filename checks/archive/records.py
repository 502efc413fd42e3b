"""Records passed between the archive lookup, replay and decision steps."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from checks.model import ArchiveCandidate, ArchiveStatus


@dataclass(frozen=True)
class Capture:
    """One archived copy of a URL as an archive's index describes it."""

    archive: str
    captured_at: datetime | None
    url: str  # what a reader should follow (no replay modifier)
    replay_url: str  # what we fetch to read the archived bytes
    original: str  # the URL as the archive recorded it
    status: int | None = None  # archived HTTP status per the index; None when unknown
    mimetype: str | None = None


@dataclass(frozen=True)
class Replay:
    """What fetching a capture gave back, after following redirects in the archive."""

    requested_url: str
    final_url: str
    status: int
    is_memento: bool
    memento_datetime: datetime | None
    content_type: str | None
    body: bytes
    truncated: bool = False
    original_url: str | None = None  # the URI-R of the final memento, when known
    redirects: tuple[str, ...] = ()  # URLs that answered with a redirect, in order
    archived_redirect: bool = False  # one of those redirects was itself archived
    runtime_error: str | None = None  # playback refused by the archive (exclusions)


class Outcome(enum.StrEnum):
    """The judgement of one fetched capture."""

    VERIFIED = "verified"  # a real copy holding every claim
    UNVERIFIED = "unverified"  # a real copy, but the claims are missing or unreadable
    REJECTED = "rejected"  # not a usable copy (archived error, soft 404, wrong type)
    UNAVAILABLE = "unavailable"  # the archive could not serve it


@dataclass(frozen=True)
class Judgement:
    """Whether one capture can stand in for the source, and why."""

    outcome: Outcome
    reason: str
    claims_found: tuple[str, ...] = ()
    # The memento actually reached (after redirects inside the archive), when known.
    url: str | None = None
    captured_at: datetime | None = None


@dataclass(frozen=True)
class ArchiveOutcome:
    """What one archive offered for one source."""

    archive: str
    status: ArchiveStatus
    reason: str
    candidates: tuple[ArchiveCandidate, ...] = ()
    url: str | None = None
    captured_at: datetime | None = None
    claims_found: tuple[str, ...] = ()
    # Closeness to the access date, for choosing between archives (lower is closer).
    rank: tuple[int, float] | None = None
