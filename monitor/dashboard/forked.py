"""Work shared with forked copies of this process, for a dashboard of many pages.

Rendering a page is Python work that one process does on one core at a time. A run
that rewrites thousands of source pages gives shares of them to forked workers: a fork
starts at once with everything already loaded (the registry, the status document, the
templates) and shares that memory with this process until either side changes it.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# The work of the current call, inherited by the forked workers (a closure cannot be
# sent to them; a fork needs nothing sent).
_work: Callable[[Any, bool], Any] | None = None


def worker_count(items: int, *, minimum_share: int) -> int:
    """Processes worth using for ``items``: one per core, at most four, while each gets
    at least ``minimum_share`` items; one where fork is not offered."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(4, os.cpu_count() or 1, items // max(1, minimum_share)))


def map_shares(
    work: Callable[[Sequence[T], bool], R],
    items: Sequence[T],
    processes: int,
    *,
    meanwhile: Callable[[], object] | None = None,
) -> list[R]:
    """``work(share, forked)`` for ``processes`` interleaved shares of ``items``: the
    first share here (``forked`` False), the others in forked workers (``forked`` True,
    where anything that holds a connection must be opened again). Results in share
    order; a worker's exception is raised here.

    With ``meanwhile``, every share goes to a forked worker and this process runs
    ``meanwhile()`` while they work, so other output is written in the time the pages
    take; with one process, ``meanwhile()`` runs here first.
    """
    global _work
    shares = [items[i::processes] for i in range(processes)]
    if processes <= 1:
        if meanwhile is not None:
            meanwhile()
        return [work(items, False)]
    _work = work
    try:
        context = multiprocessing.get_context("fork")
        forked = shares if meanwhile is not None else shares[1:]
        with ProcessPoolExecutor(len(forked), mp_context=context) as pool:
            futures = [pool.submit(_run, share) for share in forked]
            if meanwhile is not None:
                meanwhile()
                return [future.result() for future in futures]
            here = work(shares[0], False)
            return [here, *(future.result() for future in futures)]
    finally:
        _work = None


def _run(share: Sequence[Any]) -> Any:
    assert _work is not None, "a worker runs only inside map_shares"
    return _work(share, True)
