"""Pure decisions: which captures to try first, whether a fetched capture can stand in
for the source, and what to report once every archive has answered."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta

from checks.archive.records import ArchiveOutcome, Capture, Judgement, Outcome, Replay
from checks.archive.urls import human_url, same_resource
from checks.content import ContentAnalysis, analyse
from checks.model import ArchiveCandidate, ArchiveFallback, ArchiveStatus, CheckTarget, ClaimSpec
from checks.soft404 import parked_reason, soft404_reason

# Statuses whose capture is the page itself (InternetArchiveBot's list).
GOOD_STATUSES = frozenset({200, 203, 206})

Analyser = Callable[[bytes, str | None, str, Sequence[ClaimSpec]], ContentAnalysis]
Soft404 = Callable[[str, str, int, str | None, str], str | None]
# (visible text, markup, original URL of the capture, cited URL) -> why it is parked
Parked = Callable[[str, str, str, str], str | None]


def accessed_instant(accessed: date | None) -> datetime | None:
    """The end of the access day (UTC): captures made that day count as "before"."""
    if accessed is None:
        return None
    return datetime.combine(accessed, time(23, 59, 59), tzinfo=UTC)


def rank_key(
    captured_at: datetime | None,
    reference: datetime | None,
    window: timedelta | None = None,
) -> tuple[int, float]:
    """Sort key, lower first: the nearest capture before ``reference`` (the access
    date), then the nearest after it; without a reference, the newest first; undated
    captures last.

    With a ``window`` (sources without claims, whose captures nothing can check), the
    captures within it come first, before then after, and the rest follow by distance:
    a capture two days after the citation is more likely the cited page than one ten
    years before it, which may be a previous owner's site.
    """
    if captured_at is None:
        return (3, 0.0)
    if reference is None:
        return (0, -captured_at.timestamp())
    delta = (captured_at - reference).total_seconds()
    if window is not None and abs(delta) > window.total_seconds():
        return (2, abs(delta))
    if delta <= 0:
        return (0, -delta)
    return (1, delta)


def rank_captures(
    captures: Iterable[Capture],
    reference: datetime | None,
    window: timedelta | None = None,
) -> list[Capture]:
    """Captures in the order to try them (see :func:`rank_key`), duplicates (same
    replay URL) removed."""
    seen: set[str] = set()
    unique: list[Capture] = []
    for capture in captures:
        if capture.replay_url not in seen:
            seen.add(capture.replay_url)
            unique.append(capture)
    return sorted(unique, key=lambda c: rank_key(c.captured_at, reference, window))


def plan_replays(
    ranked: Sequence[Capture],
    reference: datetime | None,
    slots: int,
    reserved_after: int,
) -> list[Capture]:
    """At most ``slots`` of the ``ranked`` captures to replay, in their order, keeping
    up to ``reserved_after`` slots for the nearest captures after ``reference``.

    A page updated just before it was cited has its older versions nearest before the
    access date; without the reserve they would take every slot and the first capture
    of the cited version, just after, would never be read.
    """
    if slots <= 0:
        return []
    if reference is None:
        return list(ranked[:slots])
    after = [c for c in ranked if c.captured_at is not None and c.captured_at > reference]
    kept_after = after[: max(0, min(reserved_after, slots - 1))]
    reserved = {id(c) for c in kept_after}
    others = [c for c in ranked if id(c) not in reserved][: slots - len(kept_after)]
    chosen = reserved | {id(c) for c in others}
    return [c for c in ranked if id(c) in chosen]


def index_rejection(capture: Capture) -> str | None:
    """Why the archive's own index already rules a capture out, or None.

    Captures whose status is unknown (revisit records) are kept: replay will tell.
    """
    status = capture.status
    if status is None or status in GOOD_STATUSES:
        return None
    if 300 <= status < 400:
        return f"archived redirect (HTTP {status})"
    if 400 <= status < 600:
        return f"archived error page (HTTP {status})"
    return f"archived HTTP {status}"


def is_pdf(content_type: str | None, body: bytes) -> bool:
    """A PDF by its declared type or by its ``%PDF-`` magic."""
    if _media_type(content_type) == "application/pdf":
        return True
    return b"%PDF-" in body[:1024]


def type_mismatch(expected: str | None, content_type: str | None, body: bytes) -> str | None:
    """Why the archived bytes are not the kind of document cited, or None."""
    wanted = _media_type(expected)
    if not wanted:
        return None
    got = _media_type(content_type)
    shown = got or "no content type"
    if wanted == "application/pdf":
        return None if is_pdf(content_type, body) else f"expected a PDF, archived {shown}"
    if wanted in ("text/html", "application/xhtml+xml"):
        if got in ("text/html", "application/xhtml+xml"):
            return None
        if not got and not is_pdf(None, body):
            return None
        return f"expected an HTML page, archived {shown}"
    if not got or got == wanted:
        return None
    return f"expected {wanted}, archived {shown}"


def parked_page(text: str, html: str, original: str, cited: str) -> str | None:
    """The parked-domain test of live pages, on an archived copy (whose replay headers
    are the archive's, not the site's)."""
    return parked_reason(text, html, {}, original, requested_url=cited)


def judge_replay(
    capture: Capture,
    replay: Replay,
    target: CheckTarget,
    *,
    require_memento_header: bool = True,
    analyser: Analyser = analyse,
    soft404: Soft404 = soft404_reason,
    parked: Parked = parked_page,
) -> Judgement:
    """Whether one fetched capture is a real copy of the source holding every claim.

    Rejected: an archived error or redirect, playback refused, a replay that is not a
    memento (when the archive always marks mementos), a copy of another URL (archives
    fold letter case), the wrong kind of document, a soft 404 or a parked domain.
    Unverified: a real copy whose claims are missing or cannot be read.
    """
    captured_at = replay.memento_datetime or capture.captured_at
    # Archives redirect to the nearest capture they hold; name the one reached.
    url = human_url(replay.final_url) if replay.redirects else capture.url

    def rejected(reason: str) -> Judgement:
        return Judgement(Outcome.REJECTED, reason, url=url, captured_at=captured_at)

    if replay.runtime_error:
        return rejected(f"playback refused by the archive: {replay.runtime_error}")
    if replay.status not in GOOD_STATUSES:
        if replay.is_memento:
            after = " after an archived redirect" if replay.archived_redirect else ""
            return rejected(f"archived HTTP {replay.status}{after}")
        if 300 <= replay.status < 400:
            return rejected("replay kept redirecting inside the archive")
        return rejected(f"not replayable (HTTP {replay.status} without Memento-Datetime)")
    if require_memento_header and not replay.is_memento:
        return rejected("replay is not a memento (no Memento-Datetime)")
    final_original = replay.original_url or capture.original
    # After an archived redirect the original is another URL by design (the soft-404
    # test below judges where it led); otherwise it must be the cited resource.
    if not replay.archived_redirect and not same_resource(target.url, final_original):
        return rejected(f"capture of another URL: {final_original}")
    mismatch = type_mismatch(target.expect_content_type, replay.content_type, replay.body)
    if mismatch:
        return rejected(mismatch)
    if replay.truncated and is_pdf(replay.content_type, replay.body):
        # A cut PDF cannot be parsed, but the capture itself is real.
        return Judgement(
            Outcome.UNVERIFIED if target.claims else Outcome.VERIFIED,
            "capture too large to read in full",
            url=url,
            captured_at=captured_at,
        )
    try:
        analysis = analyser(replay.body, replay.content_type, final_original, target.claims)
    except Exception as exc:  # a malformed archived document must not end the lookup
        return Judgement(
            Outcome.UNVERIFIED,
            f"capture could not be analysed: {type(exc).__name__}",
            url=url,
            captured_at=captured_at,
        )
    extracted = analysis.extracted
    soft = soft404(target.url, final_original, replay.status, extracted.title, extracted.text)
    if soft:
        return rejected(f"archived soft 404: {soft}")
    if not is_pdf(replay.content_type, replay.body):
        html = replay.body.decode("utf-8", "replace")
        lander = parked(extracted.text, html, final_original, target.url)
        if lander:
            return rejected(f"archived {lander}")
    found = tuple(f.claim_id for f in analysis.findings if f.found)
    if target.claims and extracted.unreadable:
        return Judgement(
            Outcome.UNVERIFIED,
            "capture unreadable; claims could not be checked",
            url=url,
            captured_at=captured_at,
        )
    if analysis.missing:
        return Judgement(
            Outcome.UNVERIFIED,
            "claims missing from capture: " + ", ".join(analysis.missing),
            claims_found=found,
            url=url,
            captured_at=captured_at,
        )
    reason = "capture holds every claim" if target.claims else "real 200 capture"
    return Judgement(Outcome.VERIFIED, reason, claims_found=found, url=url, captured_at=captured_at)


def candidate(capture: Capture, judgement: Judgement) -> ArchiveCandidate:
    """The record of one capture tried."""
    return ArchiveCandidate(
        url=judgement.url or capture.url,
        captured_at=judgement.captured_at or capture.captured_at,
        archive=capture.archive,
        accepted=judgement.outcome is Outcome.VERIFIED,
        reason=judgement.reason,
    )


def combine(outcomes: Sequence[ArchiveOutcome]) -> ArchiveFallback:
    """One fallback from every archive's answer.

    Verified anywhere wins, the closest to the reference date first (the first asked
    among equals); otherwise the closest unverified copy; otherwise, if any archive
    could not be asked, unknown (an outage never reads as "no archive"); otherwise none.
    """
    candidates = tuple(c for o in outcomes for c in o.candidates)
    if not outcomes:
        return ArchiveFallback(ArchiveStatus.UNKNOWN, reason="no archive configured")
    verified = [o for o in outcomes if o.status is ArchiveStatus.VERIFIED]
    if verified:
        return _fallback(min(verified, key=_distance), candidates)
    unverified = [o for o in outcomes if o.status is ArchiveStatus.UNVERIFIED]
    if unverified:
        best = min(unverified, key=lambda o: o.rank or (4, 0.0))
        return _fallback(best, candidates, _others(outcomes, best))
    unknown = [o for o in outcomes if o.status is ArchiveStatus.UNKNOWN]
    if unknown:
        return ArchiveFallback(
            ArchiveStatus.UNKNOWN, candidates=candidates, reason=_joined(unknown)
        )
    return ArchiveFallback(ArchiveStatus.NONE, candidates=candidates, reason=_joined(outcomes))


def _distance(outcome: ArchiveOutcome) -> float:
    """How far a verified copy is from the reference date, either side (the second
    part of its rank); undated copies last. Within one archive captures before the
    date go first; between two verified copies, the nearer one is the better citation."""
    if outcome.rank is None or outcome.captured_at is None:
        return float("inf")
    return abs(outcome.rank[1])


def _fallback(
    outcome: ArchiveOutcome, candidates: tuple[ArchiveCandidate, ...], extra: str = ""
) -> ArchiveFallback:
    return ArchiveFallback(
        status=outcome.status,
        url=outcome.url,
        captured_at=outcome.captured_at,
        claims_found=outcome.claims_found,
        candidates=candidates,
        reason=f"{outcome.archive}: {outcome.reason}{extra}",
    )


def _others(outcomes: Sequence[ArchiveOutcome], chosen: ArchiveOutcome) -> str:
    rest = [o for o in outcomes if o is not chosen and o.status is ArchiveStatus.UNKNOWN]
    return f" (also unknown: {_joined(rest)})" if rest else ""


def _joined(outcomes: Iterable[ArchiveOutcome]) -> str:
    return "; ".join(f"{o.archive}: {o.reason}" for o in outcomes)


def _media_type(content_type: str | None) -> str:
    if not content_type:
        return ""
    return content_type.split(";", 1)[0].strip().lower()
