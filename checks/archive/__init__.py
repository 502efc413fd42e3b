"""Archive fallbacks: find a verified archived copy for a failing source.

:func:`find_fallback` asks the Wayback Machine (CDX index, Availability API as a second
opinion) and then each configured Memento archive (TimeMap, TimeGate), tries the
captures closest to the source's access date, and verifies each by fetching it: a
real 200 of the cited kind of document, not a soft 404, holding every claim.

An archive that cannot be asked (outage, throttling, spent budget) makes the answer
``unknown``, never ``none``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial

import requests

from checks.archive.cache import InMemoryLookupCache, KeyedLocks, LookupCache
from checks.archive.choose import (
    accessed_instant,
    candidate,
    combine,
    index_rejection,
    judge_replay,
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
from checks.archive.replay import fetch_replay
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
) -> ArchiveFallback:
    """The best archived copy of ``target.url``.

    ``verified``: the first capture (closest before ``target.accessed``, then after)
    that replays as a real copy holding every claim; ``url`` is the reader-facing
    replay URL. ``unverified``: captures exist but none holds the claims (or they
    cannot be read); the closest real copy is offered. ``none``: nothing usable is
    archived. ``unknown``: an archive could not be asked and nothing better was found.
    """
    accessed = accessed_instant(target.accessed)
    outcomes: list[ArchiveOutcome] = []
    if limiter.budget_left <= 0:
        return ArchiveFallback(ArchiveStatus.UNKNOWN, reason=BUDGET_EXHAUSTED)
    archives: list[Callable[[], ArchiveOutcome]] = []
    if config.wayback:
        archives.append(partial(_wayback, target, accessed, config, session, limiter, cache))
    for endpoint in config.memento_endpoints:
        moment = accessed or now()
        archives.append(
            partial(_memento, target, endpoint, moment, config, session, limiter, cache)
        )
    for ask in archives:
        outcome = ask()
        outcomes.append(outcome)
        if outcome.status is ArchiveStatus.VERIFIED:
            break
    fallback = combine(outcomes)
    if fallback.status is ArchiveStatus.UNKNOWN and any(
        o.reason == BUDGET_EXHAUSTED for o in outcomes
    ):
        return ArchiveFallback(
            ArchiveStatus.UNKNOWN, candidates=fallback.candidates, reason=BUDGET_EXHAUSTED
        )
    return fallback


def _wayback(
    target: CheckTarget,
    accessed: datetime | None,
    config: ArchiveConfig,
    session: requests.Session,
    limiter: ArchiveLimiter,
    cache: LookupCache | None,
) -> ArchiveOutcome:
    try:
        answer = cdx_captures(
            target.url, config, session=session, limiter=limiter, cache=cache, locks=_LOCKS
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
                accessed,
                config,
                session=session,
                limiter=limiter,
                cache=cache,
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
        return ArchiveOutcome(ARCHIVE_NAME, ArchiveStatus.NONE, "no captures")
    outcome = _try_captures(ARCHIVE_NAME, captures, target, accessed, config, session, limiter)
    if outcome.status is ArchiveStatus.NONE and problems:
        # Another variant might hold a good capture: an error is not an answer.
        return ArchiveOutcome(
            ARCHIVE_NAME,
            ArchiveStatus.UNKNOWN,
            f"{outcome.reason}; " + "; ".join(problems),
            outcome.candidates,
        )
    return outcome


def _memento(
    target: CheckTarget,
    endpoint: MementoEndpoint,
    moment: datetime,
    config: ArchiveConfig,
    session: requests.Session,
    limiter: ArchiveLimiter,
    cache: LookupCache | None,
) -> ArchiveOutcome:
    try:
        captures = memento_captures(
            target.url,
            endpoint,
            moment,
            config,
            session=session,
            limiter=limiter,
            cache=cache,
            locks=_LOCKS,
        )
    except ArchiveUnavailable as exc:
        return ArchiveOutcome(endpoint.name, ArchiveStatus.UNKNOWN, exc.reason)
    if not captures:
        return ArchiveOutcome(endpoint.name, ArchiveStatus.NONE, "no mementos")
    return _try_captures(
        endpoint.name,
        captures,
        target,
        accessed_instant(target.accessed),
        config,
        session,
        limiter,
        require_memento_header=False,
    )


def _try_captures(
    archive: str,
    captures: Sequence[Capture],
    target: CheckTarget,
    accessed: datetime | None,
    config: ArchiveConfig,
    session: requests.Session,
    limiter: ArchiveLimiter,
    *,
    require_memento_header: bool = True,
) -> ArchiveOutcome:
    """Replay captures in order until one verifies or ``max_candidates`` were fetched."""
    expect_pdf = "pdf" in (target.expect_content_type or "").lower()
    tried: list[ArchiveCandidate] = []
    replays = 0
    index_rejected = 0
    unavailable: str | None = None
    best: ArchiveOutcome | None = None
    for capture in rank_captures(captures, accessed):
        if replays >= config.max_candidates:
            break
        rejection = index_rejection(capture)
        if rejection is not None:
            index_rejected += 1
            if len(tried) < _RECORDED_PER_REPLAY * config.max_candidates:
                tried.append(
                    ArchiveCandidate(capture.url, capture.captured_at, archive, False, rejection)
                )
            continue
        replays += 1
        try:
            replay = fetch_replay(
                capture.replay_url,
                config,
                session=session,
                limiter=limiter,
                expect_pdf=expect_pdf,
            )
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
        if judgement.outcome is Outcome.VERIFIED:
            return ArchiveOutcome(
                archive,
                ArchiveStatus.VERIFIED,
                judgement.reason,
                tuple(tried),
                url=judgement.url,
                captured_at=judgement.captured_at,
                claims_found=judgement.claims_found,
                rank=rank_key(judgement.captured_at, accessed),
            )
        if judgement.outcome is Outcome.UNVERIFIED and best is None:
            best = ArchiveOutcome(
                archive,
                ArchiveStatus.UNVERIFIED,
                judgement.reason,
                url=judgement.url,
                captured_at=judgement.captured_at,
                claims_found=judgement.claims_found,
                rank=rank_key(judgement.captured_at, accessed),
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
        reason = f"only archived errors or redirects ({index_rejected} captures)"
    else:
        reason = f"no usable capture among the {replays} tried"
    return ArchiveOutcome(archive, ArchiveStatus.NONE, reason, tuple(tried))
