"""One check run: which sources, checked once per URL in a bounded pool, stored as they finish."""

from __future__ import annotations

import contextlib
import logging
import queue
import random
import threading
import time
import traceback
from collections import defaultdict
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import partial

import requests

from checks.check import check_url, new_connections, new_session
from checks.content.drift import changed, similarity
from checks.hosts import HostPolicy
from checks.http import PDF_TYPES, media_type
from checks.model import CheckResult, CheckSettings, CheckTarget, ClaimSpec, ExpectOrigin, Verdict
from monitor import schedule
from monitor.clock import Clock, utc_now
from monitor.dispatch import HostQueues
from monitor.fanout import check_in_processes, default_processes
from monitor.heap import collection_paused
from monitor.held import HeldBatch
from monitor.offline import OfflineTally, host_of, looks_offline
from monitor.registry.model import Registry, Source
from monitor.state import Health, HealthPolicy, SourceHealth
from monitor.store import Store, StoredResult
from monitor.store.health import same_resource
from monitor.store.owner import Heartbeat
from monitor.store.records import SourceMemory

_log = logging.getLogger(__name__)
ResultHook = Callable[[CheckResult], None]
# Told the run and the sources whose health it has just folded in, while it goes on;
# answers whether it wants to be told again (if not, the rest is folded at the end).
FoldedHook = Callable[[int, Sequence[str]], bool]
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


@collection_paused()  # a target per URL, all kept for the run
def plan(
    sources: Sequence[Source],
    store: Store | None = None,
    healths: Mapping[str, SourceHealth] | None = None,
) -> RunPlan:
    """Group sources by URL so that each URL is fetched once, merging their claims.

    With ``healths``, the URLs of sources that are failing come first: a failing URL
    is the likeliest to be retried after a backoff, and started early its waits overlap
    the rest of the run instead of trailing after it (owners hear of it sooner, too).

    A URL is expected to serve the content type a source citing it names
    (``expect``); if none names one, a PDF where the newest check that read a document
    at the URL, for any of those sources, was served a PDF (:func:`_served_pdf`), so
    that a PDF replaced by a login or landing page is a ``type_mismatch`` and not a page
    that merely looks fine. The validators and served types come from the sources'
    rows in one grouped read (:meth:`Store.memories_of`); no results are read.
    """
    by_url: dict[str, list[Source]] = defaultdict(list)
    for source in sources:
        by_url[source.url].append(source)
    memories = store.memories_of([s.id for s in sources]) if store else {}
    groups = list(by_url.values())
    if healths:
        groups.sort(key=lambda group: not any(_failing(healths.get(s.id)) for s in group))
    targets = []
    for group in groups:
        first = group[0]
        claims: dict[str, ClaimSpec] = {}
        for source in group:
            for claim in source.claims:
                claims.setdefault(claim.id, claim.spec())
        kept = memories.get(first.id)
        target = replace(
            first.target(),
            claims=tuple(claims.values()),
            etag=kept.etag if kept else None,
            last_modified=kept.last_modified if kept else None,
        )
        targets.append(_with_expectation(target, group, memories))
    return RunPlan(
        targets=tuple(targets),
        sources_by_url={url: tuple(s.id for s in group) for url, group in by_url.items()},
    )


def _served_pdf(source: Source, kept: SourceMemory | None) -> tuple[str, datetime] | None:
    """The PDF type the newest check that read a document at ``source``'s URL was
    served, and when; None when it read something else, or nothing yet."""
    if kept is None or kept.served_type is None or kept.served_type_at is None:
        return None
    # Sources are synced before a run; one whose registry entry names another resource
    # than its row has not been checked there.
    if not same_resource(kept.url, source.url):
        return None
    served = media_type(kept.served_type)
    # Only a PDF is learned: an HTML page that turns into a PDF of it is no loss.
    return (served, kept.served_type_at) if served in PDF_TYPES else None


def _with_expectation(
    target: CheckTarget, group: Sequence[Source], memories: Mapping[str, SourceMemory]
) -> CheckTarget:
    """``target`` expecting what any source of ``group`` (all citing its URL) cites,
    else the PDF the newest read of the URL for any of them was served."""
    cited = next((s.expect_content_type for s in group if s.expect_content_type), None)
    if cited is not None:
        return replace(target, expect_content_type=cited, expect_origin=ExpectOrigin.CITED)
    served = (_served_pdf(s, memories.get(s.id)) for s in group)
    seen = [pair for pair in served if pair is not None]
    if not seen:
        return target
    content_type, seen_at = max(seen, key=lambda pair: pair[1])
    return replace(
        target,
        expect_content_type=content_type,
        expect_origin=ExpectOrigin.LEARNED,
        expect_seen_at=seen_at,
    )


class Checker:
    """A bounded pool of workers, one HTTP session per worker thread, all sessions
    sharing one set of connection pools (so a host's connections serve every thread)."""

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
        # ``concurrency`` requests at once; a few more threads than that, so that checks
        # waiting out a retry's backoff (which hold no request) do not idle the run.
        self.hosts = HostPolicy(per_host=per_host, total=self.concurrency)
        self.threads = self.concurrency + max(2, self.concurrency // 4)
        self.after_check = after_check
        self.now = now
        self._local = threading.local()
        # Every thread may hold a connection to the same host at once; a pool that
        # size never has to discard one it is given back.
        self._connections = new_connections(settings, per_host=max(per_host, self.concurrency))

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = new_session(self.settings, connections=self._connections)
            self._local.session = session
        return session

    def check_one(self, target: CheckTarget) -> CheckResult:
        session = self._session()
        result = check_url(target, self.settings, session=session, hosts=self.hosts, now=self.now)
        if self.after_check is not None:
            result = self.after_check(target, result, session)
        return result

    def check_all(
        self, targets: Sequence[CheckTarget], unread: list[CheckResult] | None = None
    ) -> Generator[CheckResult, None, None]:
        """Results in completion order, with at most ``concurrency`` requests at once.

        A free worker takes the next URL of a host that can take a request now
        (:class:`~monitor.dispatch.HostQueues`): a host that is paused or at its limit
        never holds workers that other hosts' URLs could use. The idle connections are
        closed once every check is done. Once stopped, ``unread`` (if given) holds the
        results finished but not yet handed out.
        """
        # One more than a host's limit may be handed out: its slot is free while one of
        # its checks waits to retry; otherwise the extra check waits for the slot.
        queues = HostQueues(targets, self.hosts.per_host + 1, max_wait_s=self.settings.deadline_s)
        # Each check hands itself over as it finishes, so taking the next result costs
        # the same however many checks are in flight.
        finished: queue.SimpleQueue[tuple[CheckTarget, Future[CheckResult]]] = queue.SimpleQueue()
        in_flight = 0
        pool = ThreadPoolExecutor(self.threads, thread_name_prefix="check")
        try:
            while queues.waiting or in_flight:
                pause: float | None = None
                while in_flight < self.threads:
                    target, pause = queues.take(self.hosts.wait_s)
                    if target is None:
                        break
                    future = pool.submit(self.check_one, target)
                    future.add_done_callback(partial(_hand_over, finished, target))
                    in_flight += 1
                if not in_flight:
                    time.sleep(pause or 0.0)  # every host with URLs left is paused
                    continue
                try:
                    # Wake when a check ends, or when a paused host may go on.
                    done, future = finished.get(timeout=pause)
                except queue.Empty:
                    continue
                in_flight -= 1
                queues.done(done)
                yield future.result()
        except BaseException:
            # Stopped (interrupted, or the caller gave up): the results in hand are the
            # caller's to keep now, not after the checks under way, which may take
            # their whole deadline; those are left to end on their own.
            pool.shutdown(wait=False, cancel_futures=True)
            if unread is not None:
                unread.extend(_finished_now(finished))
            raise
        else:
            pool.shutdown(wait=True)
        finally:
            # Pools are made again on demand if this checker is used again.
            self._connections.close()


def _finished_now(
    finished: queue.SimpleQueue[tuple[CheckTarget, Future[CheckResult]]],
) -> list[CheckResult]:
    """The results of the checks that have handed themselves over and went well."""
    results = []
    while not finished.empty():
        _target, future = finished.get()
        if not future.cancelled() and future.exception() is None:
            results.append(future.result())
    return results


def _hand_over(
    finished: queue.SimpleQueue[tuple[CheckTarget, Future[CheckResult]]],
    target: CheckTarget,
    future: Future[CheckResult],
) -> None:
    finished.put((target, future))


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
    on_folded: FoldedHook | None = None,
) -> RunOutcome:
    """Check the given sources, committing each result as it completes.

    Health is folded in once it is known that the run is conclusive: at its end, or,
    with ``on_folded``, as soon as too many hosts have answered for the run to look
    offline, and from then on as results are stored (``on_folded`` is told which
    sources, so that pages showing them can be written during the run, until it
    answers that it wants no more; the rest is then folded in at the end). Runs left
    unfinished by a process that is gone (killed, or this one after the run failed;
    see :func:`monitor.store.owner.abandoned`) are marked interrupted and their
    finished results folded in first; the sources they did not reach are still due, so
    this run (or the next) checks them. A run that another process still has under way
    is left alone.
    """
    policy = HealthPolicy(**registry.settings.health)
    for interrupted in store.mark_interrupted(now()):
        done = [r.result for r in store.results_for_run(interrupted)]
        store.update_health(interrupted, policy, inconclusive=looks_offline(done))
    # Before the run, not after: pages written during it then show the history that
    # stays.
    store.apply_retention(now(), registry.settings.retention_days)
    by_id = {s.id: s for s in sources}
    healths = store.healths(list(by_id))
    run_plan = plan(sources, store, healths)
    run_id = store.start_run(now(), planned=run_plan.source_count)
    # Marked as going on, with its sign of life refreshed, until it finishes or fails:
    # a run started meanwhile elsewhere leaves it alone. A database of this process
    # alone is out of other processes' reach (and of another thread's).
    beat = None if store.in_memory else partial(_alive, store, run_id, now)
    with Heartbeat(run_id, beat):
        fingerprints = store.fingerprints_of(list(by_id))
        jitter = rng or random.Random()
        # Results stream to the store; only counts stay in memory, whatever the run's size.
        tally = OfflineTally(host_of(t.url) for t in run_plan.targets)
        counts: dict[str, int] = defaultdict(int)
        writer = ResultWriter(store, run_id)
        unchanged = UnchangedResults(store)
        live = LiveHealth(store, run_id, policy, on_folded) if on_folded else None
        # Results finished but not yet handed out when the run stops; stopping the checks
        # (closing ``results``) collects them here.
        unread: list[CheckResult] = []
        results = _checked(run_plan.targets, registry, settings, after_check, now, unread)

        def keep(per_source: CheckResult) -> None:
            source_id = per_source.source_id
            assert source_id is not None
            per_source = _with_drift(per_source, fingerprints.get(source_id))
            cadence = _cadence(by_id[source_id], registry, per_source, healths[source_id])
            tally.add(per_source)
            stored = writer.add(
                per_source, schedule.next_due(per_source.checked_at, cadence, jitter)
            )
            if live is not None and stored and tally.settled:
                live.fold()
            counts[per_source.verdict.value] += 1
            if on_result is not None:
                on_result(per_source)

        def take(result: CheckResult) -> None:
            for source_id in run_plan.sources_by_url[result.url]:
                for ready in unchanged.add(result.replace(source_id=source_id)):
                    keep(ready)

        try:
            for result in results:
                take(result)
            for ready in unchanged.drain():
                keep(ready)
            writer.flush()
        except BaseException as stop:
            # The run failed: the results already in hand are still kept where that works,
            # with those finished but not yet handed out, and the run is left unfinished,
            # to be marked interrupted and resumed by the next one. The failure raised is
            # the run's own, not one from keeping.
            if not isinstance(stop, Exception):
                # An interrupt in the middle of a write leaves the statement open in the
                # frames it passed through, and SQLite holds the write lock for it: every
                # write below would wait out the busy timeout, then fail.
                traceback.clear_frames(stop.__traceback__)
            with contextlib.suppress(Exception):
                results.close()
            with contextlib.suppress(Exception):
                for result in unread:
                    take(result)
            with contextlib.suppress(Exception):
                for ready in unchanged.drain():
                    keep(ready)
            with contextlib.suppress(Exception):
                writer.flush()
            raise
        inconclusive = tally.offline
        note = (
            "The network looks unavailable: most hosts failed to resolve or connect at once. "
            "This run is inconclusive and changes no source's health."
            if inconclusive
            else None
        )
        summary = dict(sorted(counts.items()))
        store.finish_run(run_id, now(), inconclusive=inconclusive, note=note, summary=summary)
    # A run that folded health in while it went on was settled, so it is conclusive.
    folded = live.after_id if live is not None else 0
    store.update_health(run_id, policy, inconclusive=inconclusive, after_id=folded)
    store.cache_purge(now())  # expired archive lookups would otherwise pile up
    return RunOutcome(
        run_id=run_id,
        checked=sum(counts.values()),
        counts=summary,
        inconclusive=inconclusive,
        note=note,
    )


def _alive(store: Store, run_id: int, now: Clock) -> None:
    store.run_alive(run_id, now())


def _checked(
    targets: Sequence[CheckTarget],
    registry: Registry,
    settings: CheckSettings,
    after_check: AfterCheck | None,
    now: Clock,
    unread: list[CheckResult],
) -> Generator[CheckResult, None, None]:
    """Every target's result in completion order, from worker processes split by site
    when the run is large enough to gain from them (:mod:`monitor.fanout`). Once they
    are stopped, ``unread`` holds those finished but not handed out."""
    concurrency, per_host = registry.settings.concurrency, registry.settings.per_host
    processes = registry.settings.processes or default_processes(len(targets))
    processes = min(processes, concurrency)  # each process makes at least one request
    if processes <= 1 or len(targets) < 2:
        checker = Checker(
            settings, concurrency=concurrency, per_host=per_host, after_check=after_check, now=now
        )
        return checker.check_all(targets, unread)
    results = check_in_processes(
        targets,
        ShareChecker(settings, per_host, now),
        processes=processes,
        concurrency=concurrency,
        unread=unread,
    )
    if after_check is None:
        return results
    # Archive look-ups stay in this process: they share one rate limit, one budget and
    # the store's lookup cache.
    return _after_each(results, targets, after_check, settings, threads=concurrency, unread=unread)


@dataclass(frozen=True)
class ShareChecker:
    """Checks one worker process's share of a run; picklable for spawned workers."""

    settings: CheckSettings
    per_host: int
    now: Clock = utc_now

    def __call__(self, share: Sequence[CheckTarget], threads: int) -> Iterator[CheckResult]:
        checker = Checker(self.settings, concurrency=threads, per_host=self.per_host, now=self.now)
        return checker.check_all(share)


def _after_each(
    results: Generator[CheckResult, None, None],
    targets: Sequence[CheckTarget],
    after_check: AfterCheck,
    settings: CheckSettings,
    *,
    threads: int,
    unread: list[CheckResult],
) -> Generator[CheckResult, None, None]:
    """``after_check`` applied to each result on a few threads, in completion order,
    with at most ``2 x threads`` results waiting. Once stopped, ``unread`` holds the
    results not handed out: with their look-up where it is done, else as their check
    left them (a look-up may wait long on an archive's rate limit)."""
    by_url = {t.url: t for t in targets}
    local = threading.local()

    def after(result: CheckResult) -> CheckResult:
        session: requests.Session | None = getattr(local, "session", None)
        if session is None:
            session = local.session = new_session(settings)
        return after_check(by_url[result.url], result, session)

    finished: queue.SimpleQueue[Future[CheckResult]] = queue.SimpleQueue()
    # Each look-up not yet handed out, with the result it was given.
    waiting: dict[Future[CheckResult], CheckResult] = {}

    def next_looked_up() -> CheckResult:
        future = finished.get()
        looked_up = future.result()
        del waiting[future]
        return looked_up

    pool = ThreadPoolExecutor(threads, thread_name_prefix="after-check")
    try:
        for result in results:
            future = pool.submit(after, result)
            waiting[future] = result
            future.add_done_callback(finished.put)
            if len(waiting) >= 2 * threads:
                yield next_looked_up()
        while waiting:
            yield next_looked_up()
    except BaseException:
        results.close()  # collects the checks' own unread results
        unread.extend(_looked_up_or(future, result) for future, result in waiting.items())
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


def _looked_up_or(future: Future[CheckResult], result: CheckResult) -> CheckResult:
    """The look-up's result if it is done and went well, else ``result``."""
    if future.done() and not future.cancelled() and future.exception() is None:
        return future.result()
    return result


class ResultWriter:
    """Results written in small transactions as checks finish: at most ``max_batch``
    results or ``max_delay_s`` seconds are ever in memory unwritten (besides the 304
    answers :class:`UnchangedResults` holds, as many again), so a killed run loses at
    most those, while the store is not asked for a commit per result."""

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
        self._pending: HeldBatch[tuple[CheckResult, datetime | None]] = HeldBatch(
            max_batch, max_delay_s, clock
        )

    def add(self, result: CheckResult, next_due_at: datetime | None) -> bool:
        """Hold ``result``; whether this wrote it, with every result held before it."""
        self._pending.hold((result, next_due_at))
        if self._pending.due():
            self.flush()
            return True
        return False

    def flush(self) -> None:
        # Released only once written: a write that fails keeps them for the next try.
        if self._pending.items:
            self.store.save_results(self.run_id, self._pending.items)
            self._pending.release()


class LiveHealth:
    """Health folded in while a run goes on, for a run that can no longer turn out
    inconclusive: each :meth:`fold` folds what was stored since the last one and tells
    ``on_folded`` which sources it was about."""

    def __init__(
        self, store: Store, run_id: int, policy: HealthPolicy, on_folded: FoldedHook
    ) -> None:
        self.store = store
        self.run_id = run_id
        self.policy = policy
        self.on_folded = on_folded
        self.after_id = 0  # the run's results up to this id are folded in
        self.stopped = False

    def fold(self) -> None:
        """Fold in the results stored since the last fold. A failure is logged and
        ends folding during the run, not the run: what is left is folded at its end,
        as it is once ``on_folded`` wants no more (folding a few results at a time
        costs more than folding them all at once)."""
        if self.stopped:
            return
        try:
            folded = self.store.fold_health(self.run_id, self.policy, after_id=self.after_id)
            self.after_id = folded.last_result_id
            if folded.sources and not self.on_folded(self.run_id, folded.sources):
                self.stopped = True
        except Exception:
            _log.warning("health is folded in at the end of the run instead", exc_info=True)
            self.stopped = True


def _failing(health: SourceHealth | None) -> bool:
    return health is not None and health.health in (Health.SUSPECT, Health.DEAD)


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


class UnchangedResults:
    """304 answers held until their sources' previous results are read, a batch at a
    time: a run over mostly unchanged sources reads them in a few queries instead of
    one per source. At most ``max_batch`` answers or ``max_delay_s`` seconds are held,
    as in :class:`ResultWriter`."""

    def __init__(
        self,
        store: Store,
        *,
        max_batch: int = 64,
        max_delay_s: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self._held: HeldBatch[CheckResult] = HeldBatch(max_batch, max_delay_s, clock)

    def add(self, result: CheckResult) -> list[CheckResult]:
        """The results ready to keep: ``result`` itself unless it is a 304, and the
        held 304s once the batch is full or old enough."""
        ready = [result]
        if result.not_modified and result.source_id is not None:
            self._held.hold(result)
            ready = []
        if self._held.due():
            ready.extend(self.drain())
        return ready

    def drain(self) -> list[CheckResult]:
        """Every held 304, each with its source's previous content verdict."""
        held = self._held.release()
        if not held:
            return []
        previous = self.store.latest_results(
            [r.source_id for r in held if r.source_id], answered=True
        )
        return [_reuse_if_unchanged(r, previous.get(r.source_id or "")) for r in held]


def _reuse_if_unchanged(result: CheckResult, previous: StoredResult | None) -> CheckResult:
    """A 304 keeps the previous content verdict (claims, fingerprint, type) with new timings."""
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
