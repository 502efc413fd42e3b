"""One check run: which sources, checked once per URL in a bounded pool, stored as they finish."""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import datetime

import requests

from checks.check import check_url, new_session
from checks.content.drift import changed, similarity
from checks.hosts import HostPolicy
from checks.model import CheckResult, CheckSettings, CheckTarget, ClaimSpec, Verdict
from monitor import schedule
from monitor.clock import Clock, utc_now
from monitor.offline import OfflineTally, looks_offline
from monitor.registry.model import Registry, Source
from monitor.state import Health, HealthPolicy, SourceHealth
from monitor.store import Store

ResultHook = Callable[[CheckResult], None]
# Runs in the worker after a check, e.g. to look up an archived copy of a failing source.
AfterCheck = Callable[[CheckTarget, CheckResult, requests.Session], CheckResult]


@dataclass(frozen=True)
class RunPlan:
    """The URLs to check in a run, each once, with the sources that cite it."""

    targets: tuple[CheckTarget, ...]
    sources_by_url: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def source_count(self) -> int:
        return sum(len(ids) for ids in self.sources_by_url.values())


@dataclass(frozen=True)
class RunOutcome:
    run_id: int
    checked: int
    counts: dict[str, int]
    inconclusive: bool
    note: str | None


def plan(sources: Sequence[Source], store: Store | None = None) -> RunPlan:
    """Group sources by URL so that each URL is fetched once, merging their claims."""
    by_url: dict[str, list[Source]] = defaultdict(list)
    for source in sources:
        by_url[source.url].append(source)
    validators = store.validators_of([s.id for s in sources]) if store else {}
    targets = []
    for group in by_url.values():
        first = group[0]
        claims: dict[str, ClaimSpec] = {}
        for source in group:
            for claim in source.claims:
                claims.setdefault(claim.id, claim.spec())
        etag, last_modified = validators.get(first.id, (None, None))
        targets.append(
            replace(
                first.target(),
                claims=tuple(claims.values()),
                etag=etag,
                last_modified=last_modified,
            )
        )
    return RunPlan(
        targets=tuple(targets),
        sources_by_url={url: tuple(s.id for s in group) for url, group in by_url.items()},
    )


class Checker:
    """A bounded pool of workers, one HTTP session per worker thread."""

    def __init__(
        self,
        settings: CheckSettings,
        *,
        concurrency: int,
        per_host: int,
        after_check: AfterCheck | None = None,
        now: Clock = utc_now,
    ) -> None:
        self.settings = settings
        self.concurrency = max(1, concurrency)
        self.hosts = HostPolicy(per_host=per_host)
        self.after_check = after_check
        self.now = now
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = new_session(self.settings)
            self._local.session = session
        return session

    def check_one(self, target: CheckTarget) -> CheckResult:
        session = self._session()
        result = check_url(target, self.settings, session=session, hosts=self.hosts, now=self.now)
        if self.after_check is not None:
            result = self.after_check(target, result, session)
        return result

    def check_all(self, targets: Sequence[CheckTarget]) -> Iterator[CheckResult]:
        """Results in completion order; at most ``2 x concurrency`` checks queued at once,
        so memory stays bounded however many targets there are."""
        window = self.concurrency * 2
        pending: set[Future[CheckResult]] = set()
        todo = iter(targets)
        with ThreadPoolExecutor(self.concurrency, thread_name_prefix="check") as pool:
            for target in todo:
                pending.add(pool.submit(self.check_one, target))
                if len(pending) >= window:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for future in done:
                        yield future.result()
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()


def run_sources(
    registry: Registry,
    store: Store,
    sources: Sequence[Source],
    *,
    settings: CheckSettings,
    now: Clock = utc_now,
    on_result: ResultHook | None = None,
    after_check: AfterCheck | None = None,
    rng: random.Random | None = None,
) -> RunOutcome:
    """Check the given sources, committing each result as it completes.

    Health is folded in once the run is over, because only then is it known whether
    the run was conclusive. Runs that an earlier process left unfinished are marked
    interrupted and their finished results folded in first; the sources they did not
    reach are still due, so this run (or the next) checks them.
    """
    policy = HealthPolicy(**registry.settings.health)
    for interrupted in store.mark_interrupted(now()):
        done = [r.result for r in store.results_for_run(interrupted)]
        store.update_health(interrupted, policy, inconclusive=looks_offline(done))
    run_plan = plan(sources, store)
    run_id = store.start_run(now(), planned=run_plan.source_count)
    checker = Checker(
        settings,
        concurrency=registry.settings.concurrency,
        per_host=registry.settings.per_host,
        after_check=after_check,
        now=now,
    )
    by_id = {s.id: s for s in sources}
    healths = store.healths(list(by_id))
    fingerprints = store.fingerprints_of(list(by_id))
    jitter = rng or random.Random()
    # Results stream to the store; only counts stay in memory, whatever the run's size.
    tally = OfflineTally()
    counts: dict[str, int] = defaultdict(int)
    writer = ResultWriter(store, run_id)
    for result in checker.check_all(run_plan.targets):
        for source_id in run_plan.sources_by_url[result.url]:
            per_source = _reuse_if_unchanged(store, result.replace(source_id=source_id))
            per_source = _with_drift(per_source, fingerprints.get(source_id))
            cadence = _cadence(by_id[source_id], registry, per_source, healths[source_id])
            writer.add(per_source, schedule.next_due(per_source.checked_at, cadence, jitter))
            tally.add(per_source)
            counts[per_source.verdict.value] += 1
            if on_result is not None:
                on_result(per_source)
    writer.flush()
    inconclusive = tally.offline
    note = (
        "The network looks unavailable: most hosts failed to resolve or connect at once. "
        "This run is inconclusive and changes no source's health."
        if inconclusive
        else None
    )
    summary = dict(sorted(counts.items()))
    store.finish_run(run_id, now(), inconclusive=inconclusive, note=note, summary=summary)
    store.update_health(run_id, policy, inconclusive=inconclusive)
    store.apply_retention(now(), registry.settings.retention_days)
    store.cache_purge(now())  # expired archive lookups would otherwise pile up
    return RunOutcome(
        run_id=run_id,
        checked=sum(counts.values()),
        counts=summary,
        inconclusive=inconclusive,
        note=note,
    )


class ResultWriter:
    """Results written in small transactions as checks finish: at most ``max_batch``
    results or ``max_delay_s`` seconds are ever in memory unwritten, so a killed run
    loses at most those, while the store is not asked for a commit per result."""

    def __init__(
        self,
        store: Store,
        run_id: int,
        *,
        max_batch: int = 64,
        max_delay_s: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.run_id = run_id
        self.max_batch = max_batch
        self.max_delay_s = max_delay_s
        self.clock = clock
        self._pending: list[tuple[CheckResult, datetime | None]] = []
        self._oldest = 0.0

    def add(self, result: CheckResult, next_due_at: datetime | None) -> None:
        if not self._pending:
            self._oldest = self.clock()
        self._pending.append((result, next_due_at))
        if len(self._pending) >= self.max_batch or self.clock() - self._oldest >= self.max_delay_s:
            self.flush()

    def flush(self) -> None:
        if self._pending:
            self.store.save_results(self.run_id, self._pending)
            self._pending = []


def _cadence(
    source: Source, registry: Registry, result: CheckResult, health: SourceHealth
) -> schedule.Cadence:
    """How soon to look again: sooner after a failure, later for long-stable sources."""
    interval = source.interval or registry.settings.interval
    if result.verdict is not Verdict.OK and result.verdict is not Verdict.MOVED:
        return schedule.Cadence(interval, health=Health.SUSPECT.value)
    healthy_for = result.checked_at - health.since if health.since else None
    return schedule.Cadence(interval, health=health.health.value, healthy_for=healthy_for)


def _with_drift(result: CheckResult, before: tuple[str, datetime] | None) -> CheckResult:
    """Record how much the source's main text changed since its last fingerprint, even
    when every claim is still found, so that maintainers can review changed sources."""
    if before is None or result.fingerprint is None or result.not_modified:
        return result
    previous, taken_at = before
    if not changed(previous, result.fingerprint):
        return result
    drift = {
        "similarity": round(similarity(previous, result.fingerprint), 3),
        "since": taken_at.isoformat(),
    }
    return result.replace(extra={**result.extra, "similarity": drift["similarity"], "drift": drift})


def _reuse_if_unchanged(store: Store, result: CheckResult) -> CheckResult:
    """A 304 keeps the previous content verdict (claims, fingerprint, type) with new timings."""
    if not result.not_modified or result.source_id is None:
        return result
    previous = store.previous_result(result.source_id)
    if previous is None:
        return result
    before = previous.result
    return before.replace(
        checked_at=result.checked_at,
        elapsed_ms=result.elapsed_ms,
        bytes_read=result.bytes_read,
        hops=result.hops,
        attempts=result.attempts,
        not_modified=True,
        reason=f"{before.reason} (unchanged since the previous check: 304)",
        archive=before.archive if result.archive is None else result.archive,
    )
