"""Forking worker processes that share this process's memory without copying it."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Keep the garbage collector away from the objects that exist now, in this process
    and in the processes forked meanwhile, until the block ends.

    A forked worker shares its parent's memory until either writes to it, and a page
    written to is copied. A full collection writes to every object it looks at, so
    without this both sides soon hold copies of every page with a tracked object: at
    10,000 sources, tens of megabytes more. Objects made before the block and left as
    garbage during it are collected once it ends.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
