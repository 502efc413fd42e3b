"""The cyclic garbage collector kept out of work that builds many lasting objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from threading import Lock

# Blocks open now in any thread, and whether the collector was on before the first.
_lock = Lock()
_depth = 0
_was_enabled = True


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block.

    A collection is due after every few hundred new objects, and each full one visits
    every object alive. Building something large that lives on (a registry of 10,000
    sources, with its YAML nodes) sets off full collections over an ever larger heap,
    and they find nothing to free: half of reading such a registry. What the block
    leaves in reference cycles is collected after it. Blocks nest, in one thread or in
    several (the web dashboard makes status documents on a thread per request): the
    collector is on again once the last block open ends, if it was on before the first.
    """
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _was_enabled:
                gc.enable()
