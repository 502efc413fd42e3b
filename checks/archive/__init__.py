"""Archive fallbacks: find a verified archived copy for a failing source.

:func:`find_fallback` asks the Wayback Machine (CDX index, Availability API as a second
opinion) and then each configured Memento archive (TimeMap, TimeGate), tries the
captures closest to the source's access date (or, without one, to the last time the
source was seen healthy), and verifies each by fetching it: a real 200 of the cited
resource and kind of document, not a soft 404 or parked domain, holding every claim.

An archive that cannot be asked (outage, throttling, spent budget) makes the answer
``unknown``, never ``none``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

import requests

from checks.archive.cache import InMemoryLookupCache, KeyedLocks, LookupCache
from checks.archive.choose import (
    accessed_instant,
    candidate,
    combine,
    index_rejection,
    judge_replay,
    plan_replays,
    rank_captures,
    rank_key,
)
from checks.archive.config import ArchiveConfig, MementoEndpoint
from checks.archive.memento import memento_captures
from checks.archive.ratelimit import (
    BUDGET_EXHAUSTED,
    ArchiveLimiter,
    ArchiveUnavailable,
    BudgetExhausted,
)
from checks.archive.records import ArchiveOutcome, Capture, Outcome
from checks.archive.replay import ReplayRefused, fetch_replay
from checks.archive.wayback import ARCHIVE_NAME, availability_capture, cdx_captures
from checks.model import (
    ArchiveCandidate,
    ArchiveFallback,
    ArchiveStatus,
    CheckTarget,
)

__all__ = [
    "ArchiveConfig",
    "ArchiveLimiter",
    "InMemoryLookupCache",
    "LookupCache",
    "find_fallback",
]

# Shared by every lookup in the process so that two threads never ask an archive the
# same question at once; the second waits and then reads the first one's cached answer.
_LOCKS = KeyedLocks()

# Captures ruled out by the index alone are recorded, but not without bound.
_RECORDED_PER_REPLAY = 4


def _utcnow() -> datetime:
    return datetime.now(UTC)


def find_fallback(
    target: CheckTarget,
    config: ArchiveConfig,
    *,
    session: requests.Session,
    limiter: ArchiveLimiter,
    cache: LookupCache | None = None,
    now: Callable[[], datetime] = _utcnow,
    last_healthy: datetime | None = None,
) -> ArchiveFallback:
    """The best archived copy of ``target.url``.

    ``verified``: the first capture (closest before ``target.accessed``, then after)
    that replays as a real copy holding every claim; ``url`` is the reader-facing
    replay URL. Without an access date, ``last_healthy`` (when the monitor last saw the
    source work) takes its place; without either, the newest captures come first.
    ``unverified``: captures exist but none holds the claims (or they cannot be read);
    the closest real copy is offered. ``none``: nothing usable is archived.
    ``unknown``: an archive could not be asked and nothing better was found.
    """
    accessed = accessed_instant(target.accessed)
    reference = accessed or last_healthy
    outcomes: list[ArchiveOutcome] = []
    if limiter.budget_left <= 0:
        return ArchiveFallback(ArchiveStatus.UNKNOWN, reason=BUDGET_EXHAUSTED)
    lookup = _Lookup(target, reference, config, session, limiter, cache)
    archives: list[Callable[[], ArchiveOutcome]] = []
    if config.wayback:
        archives.append(partial(_wayback, lookup))
    for spec in config.memento:
        try:
            endpoint = MementoEndpoint.parse(spec)
        except ValueError as exc:
            # One mistyped entry must not hide what the other archives hold.
            archives.append(partial(ArchiveOutcome, spec, ArchiveStatus.UNKNOWN, str(exc)))
            continue
        archives.append(partial(_memento, lookup, endpoint, reference or now()))
    for ask in archives:
        outcome = ask()
        outcomes.append(outcome)
        if outcome.status is ArchiveStatus.VERIFIED and _near(outcome, reference, config):
            break
    fallback = combine(outcomes)
    if fallback.status is ArchiveStatus.UNKNOWN and any(
        o.reason == BUDGET_EXHAUSTED for o in outcomes
    ):
        return ArchiveFallback(
            ArchiveStatus.UNKNOWN, candidates=fallback.candidates, reason=BUDGET_EXHAUSTED
        )
    return fallback


def _near(outcome: ArchiveOutcome, reference: datetime | None, config: ArchiveConfig) -> bool:
    """Whether a verified copy is close enough to the reference date for the other
    archives not to be asked for a closer one."""
    if reference is None or outcome.captured_at is None:
        return True
    return abs(outcome.captured_at - reference) <= config.verified_near


@dataclass(frozen=True)
class _Lookup:
    """One source's lookup: what every archive step needs."""

    target: CheckTarget
    reference: datetime | None  # the access date, else when last seen healthy
    config: ArchiveConfig
    session: requests.Session
    limiter: ArchiveLimiter
    cache: LookupCache | None

    @property
    def window(self) -> timedelta | None:
        """How near the reference a capture must be to rank by side (before, after)
        rather than by distance: only for sources whose claims cannot tell."""
        return None if self.target.claims else self.config.unchecked_window


def _wayback(lookup: _Lookup) -> ArchiveOutcome:
    target, config = lookup.target, lookup.config
    try:
        answer = cdx_captures(
            target.url,
            config,
            session=lookup.session,
            limiter=lookup.limiter,
            cache=lookup.cache,
            locks=_LOCKS,
            around=lookup.reference,
            newest=lookup.reference is None,
        )
    except BudgetExhausted as exc:
        return ArchiveOutcome(ARCHIVE_NAME, ArchiveStatus.UNKNOWN, exc.reason)
    if answer.excluded:
        return ArchiveOutcome(
            ARCHIVE_NAME, ArchiveStatus.NONE, "the site is excluded from the Wayback Machine"
        )
    captures = list(answer.captures)
    problems = list(answer.errors)
    if not any(index_rejection(c) is None for c in captures):
        # The CDX index knows no usable capture; the Availability API sometimes does.
        try:
            extra = availability_capture(
                target.url,
                lookup.reference,
                config,
                session=lookup.session,
                limiter=lookup.limiter,
                cache=lookup.cache,
                locks=_LOCKS,
            )
        except BudgetExhausted as exc:
            return ArchiveOutcome(ARCHIVE_NAME, ArchiveStatus.UNKNOWN, exc.reason)
        except ArchiveUnavailable as exc:
            problems.append(exc.reason)
        else:
            if extra is not None:
                captures.append(extra)
    if not captures:
        if problems:
            return ArchiveOutcome(ARCHIVE_NAME, ArchiveStatus.UNKNOWN, "; ".join(problems))
        reason = "no captures"
        if answer.foreign:
            reason += f" ({answer.foreign} of other URLs the index files under it ignored)"
        return ArchiveOutcome(ARCHIVE_NAME, ArchiveStatus.NONE, reason)
    outcome = _try_captures(ARCHIVE_NAME, captures, lookup)
    if outcome.status is ArchiveStatus.NONE and problems:
        # Another variant might hold a good capture: an error is not an answer.
        return ArchiveOutcome(
            ARCHIVE_NAME,
            ArchiveStatus.UNKNOWN,
            f"{outcome.reason}; " + "; ".join(problems),
            outcome.candidates,
        )
    return outcome


def _memento(lookup: _Lookup, endpoint: MementoEndpoint, moment: datetime) -> ArchiveOutcome:
    try:
        captures = memento_captures(
            lookup.target.url,
            endpoint,
            moment,
            lookup.config,
            session=lookup.session,
            limiter=lookup.limiter,
            cache=lookup.cache,
            locks=_LOCKS,
        )
    except ArchiveUnavailable as exc:
        return ArchiveOutcome(endpoint.name, ArchiveStatus.UNKNOWN, exc.reason)
    if not captures:
        return ArchiveOutcome(endpoint.name, ArchiveStatus.NONE, "no mementos")
    return _try_captures(endpoint.name, captures, lookup, require_memento_header=False)


def _replay_order(
    captures: Sequence[Capture], lookup: _Lookup
) -> tuple[list[Capture], list[Capture]]:
    """The captures to replay, in order, and those the index alone rules out.

    Real captures first, within ``max_candidates`` and keeping slots for the nearest
    after the reference; then, if configured, archived redirects with the slots left,
    since a URL that had already moved when cited has only those, and replaying one
    reaches the copy it led to.
    """
    config, reference = lookup.config, lookup.reference
    ranked = rank_captures(captures, reference, lookup.window)
    real = [c for c in ranked if index_rejection(c) is None]
    planned = plan_replays(real, reference, config.max_candidates, config.reserved_after)
    if config.replay_archived_redirects:
        redirects = [c for c in ranked if c.status is not None and 300 <= c.status < 400]
        slots = config.max_candidates - len(planned)
        planned += plan_replays(redirects, reference, slots, config.reserved_after)
    ruled_out = [c for c in ranked if index_rejection(c) is not None and c not in planned]
    return planned, ruled_out


def _try_captures(
    archive: str,
    captures: Sequence[Capture],
    lookup: _Lookup,
    *,
    require_memento_header: bool = True,
) -> ArchiveOutcome:
    """Replay captures in order until one verifies or ``max_candidates`` were fetched."""
    target, config, reference = lookup.target, lookup.config, lookup.reference
    expect_pdf = "pdf" in (target.expect_content_type or "").lower()
    planned, ruled_out = _replay_order(captures, lookup)
    tried = [
        ArchiveCandidate(c.url, c.captured_at, archive, False, index_rejection(c) or "")
        for c in ruled_out[: _RECORDED_PER_REPLAY * config.max_candidates]
    ]
    replays = 0
    unavailable: str | None = None
    best: ArchiveOutcome | None = None
    for capture in planned:
        replays += 1
        try:
            replay = fetch_replay(
                capture.replay_url,
                config,
                session=lookup.session,
                limiter=lookup.limiter,
                expect_pdf=expect_pdf,
            )
        except ReplayRefused as exc:
            # Not the archive failing: this capture can never be used. The others can.
            tried.append(
                ArchiveCandidate(capture.url, capture.captured_at, archive, False, exc.reason)
            )
            continue
        except ArchiveUnavailable as exc:
            unavailable = exc.reason
            tried.append(
                ArchiveCandidate(capture.url, capture.captured_at, archive, False, exc.reason)
            )
            if isinstance(exc, BudgetExhausted):
                break
            continue
        judgement = judge_replay(
            capture, replay, target, require_memento_header=require_memento_header
        )
        tried.append(candidate(capture, judgement))
        rank = rank_key(judgement.captured_at, reference, lookup.window)
        if judgement.outcome is Outcome.VERIFIED:
            return ArchiveOutcome(
                archive,
                ArchiveStatus.VERIFIED,
                judgement.reason,
                tuple(tried),
                url=judgement.url,
                captured_at=judgement.captured_at,
                claims_found=judgement.claims_found,
                rank=rank,
            )
        if judgement.outcome is Outcome.UNVERIFIED and best is None:
            best = ArchiveOutcome(
                archive,
                ArchiveStatus.UNVERIFIED,
                judgement.reason,
                url=judgement.url,
                captured_at=judgement.captured_at,
                claims_found=judgement.claims_found,
                rank=rank,
            )
    if best is not None:
        return ArchiveOutcome(
            archive,
            ArchiveStatus.UNVERIFIED,
            best.reason,
            tuple(tried),
            url=best.url,
            captured_at=best.captured_at,
            claims_found=best.claims_found,
            rank=best.rank,
        )
    if unavailable is not None:
        return ArchiveOutcome(archive, ArchiveStatus.UNKNOWN, unavailable, tuple(tried))
    if replays == 0:
        reason = f"only archived errors or redirects ({len(ruled_out)} captures)"
    else:
        reason = f"no usable capture among the {replays} tried"
    return ArchiveOutcome(archive, ArchiveStatus.NONE, reason, tuple(tried))
