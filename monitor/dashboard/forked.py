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

    ``meanwhile()``, when given, runs here once the workers have started and before
    this process's own share, so other output is written in the time the pages take.
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
        with ProcessPoolExecutor(processes - 1, mp_context=context) as pool:
            futures = [pool.submit(_run, share) for share in shares[1:]]
            if meanwhile is not None:
                meanwhile()
            here = work(shares[0], False)
            return [here, *(future.result() for future in futures)]
    finally:
        _work = None


def _run(share: Sequence[Any]) -> Any:
    assert _work is not None, "a worker runs only inside map_shares"
    return _work(share, True)
