"""The cyclic garbage collector kept out of work that builds many lasting objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block.

    A collection is due after every few hundred new objects, and each full one visits
    every object alive. Building something large that lives on (a registry of 10,000
    sources, with its YAML nodes) sets off full collections over an ever larger heap,
    and they find nothing to free: half of reading such a registry. What the block
    leaves in reference cycles is collected after it. Blocks nest.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
