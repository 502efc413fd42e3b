"""Checks spread over worker processes, each owning a share of the sites.

One Python process checks at most about one core's worth of pages at a time, however
many threads it runs. A large run is therefore split between processes by site: every
URL of a site goes to the same process, so that process's per-host limits (slots,
spacing, backoff after errors, the catch-all probe) hold for the site exactly as in a
single process. Results come back to the calling process, which alone writes the store.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import re
import signal
import threading
import time
import traceback
from collections import defaultdict, deque
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass
from ipaddress import ip_address
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, cast
from urllib.parse import urlsplit

from checks.model import CheckResult, CheckTarget
from monitor.forks import exit_with_parent, frozen_heap
from monitor.held import HeldBatch

# Below this many URLs a run is not worth starting processes for.
MIN_TARGETS = 200
# Results a worker sends at once: fewer, larger messages cost less than one per result.
_BATCH = 32
_BATCH_DELAY_S = 0.05
# How often a worker's sender looks whether a batch is due or the run has stopped.
_SENDER_WAKE_S = 0.01
# How long a stopped run waits for the results its workers had finished. A worker sends
# them within _SENDER_WAKE_S, so this only bounds one that cannot answer; checks under
# way are never waited for.
_STOP_WAIT_S = 0.5

# A URL's scheme and authority, as urlsplit divides them.
_AUTHORITY = re.compile(r"[^:/?#]*://[^/?#]*")

# Second-level labels under which country domains register names ("nhs.co.uk"), so
# that "www.gov.uk" and "gov.uk" stay one site while "a.co.uk" and "b.co.uk" do not.
_SECOND_LEVELS = frozenset(
    [
        "ac",
        "co",
        "com",
        "edu",
        "gob",
        "gov",
        "govt",
        "gv",
        "mil",
        "ne",
        "net",
        "nic",
        "or",
        "org",
        "sch",
    ]
)

# Builds a worker's results from its share of the targets and its share of the
# concurrency; runs in the worker process.
CheckShare = Callable[[Sequence[CheckTarget], int], Iterator[CheckResult]]


@dataclass(frozen=True)
class _Done:
    worker: int


@dataclass(frozen=True)
class _Failed:
    worker: int
    error: str


@dataclass(frozen=True)
class _Stopped:
    """The worker has sent every result it had finished when the run stopped."""

    worker: int


class WorkerError(RuntimeError):
    """A worker process failed; its message is the worker's traceback."""


def default_processes(targets: int) -> int:
    """How many processes a run of ``targets`` URLs uses unless told: one per core, at
    most four, and one for small runs."""
    if targets < MIN_TARGETS:
        return 1
    return max(1, min(4, os.cpu_count() or 1))


def site_of(url: str) -> str:
    """The site a URL belongs to: its registrable-looking domain (``www.cdc.gov`` and
    ``cdc.gov`` together, so redirects between them stay in one process), or the address
    itself for an IP literal."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    try:
        ip_address(host)
        return host
    except ValueError:
        pass
    labels = host.removeprefix("www.").split(".")
    # "example.co.uk", "example.gov.au": keep the label before a generic second level.
    generic = len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVELS
    keep = 3 if generic else 2
    return ".".join(labels[-keep:])


def partition(targets: Sequence[CheckTarget], parts: int) -> list[list[CheckTarget]]:
    """Targets split into at most ``parts`` shares, whole sites at a time, the largest
    sites first to the share with the fewest URLs so far. Deterministic; empty shares
    are dropped. Targets keep their order within a share."""
    sites = sites_of([target.url for target in targets])
    by_site: dict[str, list[int]] = defaultdict(list)
    for index, site in enumerate(sites):
        by_site[site].append(index)
    loads = [0] * max(1, parts)
    owner: dict[str, int] = {}
    for site, indexes in sorted(by_site.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        lightest = min(range(len(loads)), key=loads.__getitem__)
        owner[site] = lightest
        loads[lightest] += len(indexes)
    shares: list[list[CheckTarget]] = [[] for _ in loads]
    for target, site in zip(targets, sites, strict=True):
        shares[owner[site]].append(target)
    return [share for share in shares if share]


def sites_of(urls: Sequence[str]) -> list[str]:
    """Each URL's :func:`site_of`, worked out once per network location: a registry
    holds many URLs of each site, and parsing every URL costs more than the split."""
    known: dict[str, str] = {}
    sites = []
    for url in urls:
        # The authority (between "//" and the path, query or fragment) fixes the host.
        found = _AUTHORITY.match(url)
        location = found.group(0) if found else url
        site = known.get(location)
        if site is None:
            site = known[location] = site_of(url)
        sites.append(site)
    return sites


def concurrency_shares(total: int, shares: Sequence[int]) -> list[int]:
    """``total`` worker threads divided in proportion to each share's URLs, at least one
    each, never more than a share has URLs."""
    count = sum(shares) or 1
    return [max(1, min(size, round(total * size / count))) for size in shares]


def check_in_processes(
    targets: Sequence[CheckTarget],
    check_share: CheckShare,
    *,
    processes: int,
    concurrency: int,
    unread: list[CheckResult] | None = None,
) -> Generator[CheckResult, None, None]:
    """Results of every target in completion order, checked by up to ``processes``
    worker processes. A worker that fails raises :class:`WorkerError` here once the
    results it sent have been yielded; closing the iterator stops the workers.

    A stop (closing the iterator, an exception while it waits, a worker that dies)
    with ``unread`` given first puts there the results the workers had finished and
    that were not yielded yet, still in the pipes or held back in a worker's batch,
    within :data:`_STOP_WAIT_S`: the caller keeps them as it keeps the rest."""
    shares = partition(targets, processes)
    threads = concurrency_shares(concurrency, [len(s) for s in shares])
    context = _context()
    # Set when the run stops. A flag the workers look at, not an event they wait on: a
    # worker that ends while waiting would leave an event's waiters miscounted, and
    # setting it would then hang.
    stop = context.RawValue(ctypes.c_bool, False)
    readers: list[Connection] = []
    workers: list[BaseProcess] = []
    # The workers and this process leave alone what they share for the whole run.
    with frozen_heap():
        for number, share in enumerate(shares):
            # One pipe per worker: a worker that dies, even in the middle of a message,
            # closes its end, and the wait below wakes with an end of file instead of
            # hanging. Made as its worker starts, so that no other worker inherits the
            # writing end (and keeps it open).
            reader, writer = context.Pipe(duplex=False)
            worker = context.Process(
                target=_work,
                args=(number, share, threads[number], check_share, writer, stop, os.getpid()),
                name=f"check-worker-{number}",
                daemon=True,  # never outlive the run that started them
            )
            readers.append(reader)
            workers.append(worker)
            worker.start()
            writer.close()  # the worker holds the only writing end
        running = dict(zip(readers, range(len(workers)), strict=True))
        batch: deque[CheckResult] = deque()  # received, not yet yielded
        failure: str | None = None
        try:
            while running:
                for reader in cast(list[Connection], wait(list(running))):
                    number = running[reader]
                    try:
                        message = reader.recv()
                    except (EOFError, OSError):
                        workers[number].join(timeout=5)
                        code = workers[number].exitcode
                        del running[reader]
                        raise WorkerError(
                            f"check worker {number} exited with code {code}"
                        ) from None
                    if isinstance(message, _Done):
                        del running[reader]
                    elif isinstance(message, _Failed):
                        del running[reader]
                        failure = failure or message.error
                    else:
                        batch.extend(message)
                        while batch:
                            yield batch.popleft()
            if failure is not None:
                raise WorkerError(failure)
        except BaseException:
            if unread is not None:
                unread.extend(batch)
                stop.value = True
                unread.extend(_finished_by(list(running)))
            raise
        finally:
            for worker in workers:
                if worker.is_alive():
                    worker.terminate()
            for worker in workers:
                worker.join(timeout=5)
            for reader in readers:
                reader.close()


def _finished_by(readers: list[Connection]) -> list[CheckResult]:
    """The results that stopped workers had finished: the batches in their pipes, then
    what each held back, which it sends once it sees the run stop, before it says it
    has stopped. Waits for those messages at most :data:`_STOP_WAIT_S`, never for a
    check."""
    finished: list[CheckResult] = []
    deadline = time.monotonic() + _STOP_WAIT_S
    while readers and (left := deadline - time.monotonic()) > 0:
        for reader in cast(list[Connection], wait(readers, timeout=left)):
            try:
                message = reader.recv()
            except Exception:  # the worker is gone (even mid-message): nothing more comes
                readers.remove(reader)
                continue
            if isinstance(message, list):
                finished.extend(message)
            else:  # stopped, done or failed: its last message
                readers.remove(reader)
    return finished


def _context() -> Any:
    # Forking shares the loaded modules with the workers at no cost; where fork is not
    # offered, spawn (everything passed to a worker is picklable).
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _work(
    number: int,
    share: Sequence[CheckTarget],
    threads: int,
    check_share: CheckShare,
    outbox: Connection,
    stop: ctypes.c_bool,
    parent: int,
) -> None:
    """A worker's life: check its share, sending results in small batches."""
    # Ctrl-C reaches every process of the terminal's group; stopping is for the run's
    # process, which then asks for what was finished (an interrupt here could also cut
    # a message in half).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent(parent)
    results = _Sender(outbox, stop, number)
    try:
        for result in check_share(share, threads):
            results.add(result)
        results.close(_Done(number))
    except BaseException:  # reported to the parent, which decides what a failure means
        # What was checked before the failure still counts.
        results.close(_Failed(number, traceback.format_exc()))
    finally:
        outbox.close()


class _Sender:
    """A worker's results, sent a batch at a time: when :data:`_BATCH` are held, or
    :data:`_BATCH_DELAY_S` after the oldest was held, whether or not another result
    comes (a thread of its own sees to that). A result is thus in the run's process
    soon after its check ends: there it is written, and kept if the run is stopped.
    Once ``stop`` is set, that thread sends what is held, then :class:`_Stopped`."""

    def __init__(self, outbox: Connection, stop: ctypes.c_bool, number: int) -> None:
        self._outbox = outbox
        self._stop = stop
        self._number = number
        self._held: HeldBatch[CheckResult] = HeldBatch(_BATCH, _BATCH_DELAY_S)
        self._lock = threading.Lock()
        self._closed = threading.Event()  # the last message is sent: nothing follows it
        threading.Thread(target=self._send_late, name="result-sender", daemon=True).start()

    def add(self, result: CheckResult) -> None:
        with self._lock:
            if self._closed.is_set():
                return  # stopped: the run's process reads no more
            self._held.hold(result)
            if self._held.due():
                self._outbox.send(self._held.release())

    def close(self, last: _Done | _Failed) -> None:
        """Send what is held, then ``last``; nothing is sent after it."""
        with self._lock:
            self._send_last(last)

    def _send_last(self, last: _Done | _Failed | _Stopped) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        if self._held.items:
            self._outbox.send(self._held.release())
        self._outbox.send(last)

    def _send_late(self) -> None:
        while not self._closed.wait(_SENDER_WAKE_S):
            with self._lock:
                try:
                    if self._stop.value:
                        self._send_last(_Stopped(self._number))
                    elif self._held.due():
                        self._outbox.send(self._held.release())
                except OSError:
                    return  # the run's process is gone; the worker follows it
