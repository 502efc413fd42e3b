"""Work shared with forked copies of this process, for a dashboard of many pages.

Rendering a page is Python work that one process does on one core at a time. A run
that rewrites thousands of source pages shares them with forked workers: a fork starts
at once with everything already loaded (the registry, the templates, the store's
settings) and shares that memory with this process until either side changes it.
The pages are handed out a batch at a time to whichever process is free, so this
process, which also writes the other output, simply takes fewer of them.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Generic, TypeVar

from monitor.forks import exit_with_parent, frozen_heap

T = TypeVar("T")
R = TypeVar("R")

# Items a process takes at once: small enough that the processes finish together,
# large enough that a batch's history is read in a few queries.
BATCH = 100

# A worker's work and batches, set as it starts (handed over by the fork itself, since
# a closure could not be pickled).
_work: Callable[[Any, bool], Any] | None = None
_batches: Batches[Any] | None = None


def worker_count(items: int, *, minimum_share: int) -> int:
    """Processes worth using for ``items``: one per core, at most four, while each gets
    at least ``minimum_share`` items; one where fork is not offered."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(4, os.cpu_count() or 1, items // max(1, minimum_share)))


class Batches(Generic[T]):
    """``items`` handed out a batch at a time to whichever process asks, through a
    counter in memory the forked workers share with this process."""

    def __init__(self, items: Sequence[T], size: int, shared: bool) -> None:
        self.items = items
        self.size = size
        context = multiprocessing.get_context("fork") if shared else None
        self._next = context.Value("q", 0) if context is not None else None
        self._local = 0

    def take(self) -> Sequence[T]:
        """The next batch; empty once every item has been handed out."""
        if self._next is None:
            start, self._local = self._local, self._local + 1
        else:
            with self._next.get_lock():
                start = self._next.value
                self._next.value = start + 1
        return self.items[start * self.size : (start + 1) * self.size]

    def stop(self) -> None:
        """Hand out nothing more: the workers finish their batch and stop."""
        end = len(self.items) // self.size + 1
        if self._next is None:
            self._local = end
        else:
            with self._next.get_lock():
                self._next.value = end


def map_shares(
    work: Callable[[Callable[[], Sequence[T]], bool], R],
    items: Sequence[T],
    processes: int,
    *,
    meanwhile: Callable[[], object] | None = None,
    batch: int = BATCH,
) -> list[R]:
    """``work(take, forked)`` here (``forked`` False) and in ``processes - 1`` forked
    workers (``forked`` True, where anything that holds a connection must be opened
    again), each calling ``take()`` for its next batch of ``items`` until it gets an
    empty one. Every item is handed out once. The results, this process's first; a
    worker's exception is raised here.

    ``meanwhile()``, when given, runs here once the workers have started and before
    this process takes its first batch, so other output is written in the time the
    pages take.
    """
    forking = processes > 1
    batches = Batches(items, max(1, batch), shared=forking)
    if not forking:
        if meanwhile is not None:
            meanwhile()
        return [work(batches.take, False)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        processes - 1,
        mp_context=context,
        initializer=_start,
        initargs=(work, batches, os.getpid()),
    ) as pool:
        # The workers fork as the first work is handed over.
        with frozen_heap():
            futures = [pool.submit(_run) for _ in range(processes - 1)]
        try:
            if meanwhile is not None:
                meanwhile()
            here = work(batches.take, False)
            return [here, *(future.result() for future in futures)]
        except BaseException:
            batches.stop()  # the error is raised once the workers' batches are done
            raise


def _start(work: Callable[[Any, bool], Any], batches: Batches[Any], parent: int) -> None:
    global _work, _batches
    _work, _batches = work, batches
    exit_with_parent(parent)


def _run() -> Any:
    assert _work is not None and _batches is not None, "a worker runs only in map_shares"
    return _work(_batches.take, True)
