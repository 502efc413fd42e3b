"""Forking worker processes that share this process's memory without copying it."""

from __future__ import annotations

import gc
import multiprocessing
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import Any

# Blocks of ``frozen_heap`` open now: the heap is let go when the outermost ends.
_frozen_depth = 0


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Keep the garbage collector away from the objects that exist now, in this process
    and in the processes forked meanwhile, until the block ends.

    A forked worker shares its parent's memory until either writes to it, and a page
    written to is copied. A full collection writes to every object it looks at, so
    without this both sides soon hold copies of every page with a tracked object: at
    10,000 sources, tens of megabytes more. Objects made before the block and left as
    garbage during it are collected once it ends. Blocks nest: objects are let go when
    the outermost ends.
    """
    global _frozen_depth
    gc.freeze()
    _frozen_depth += 1
    try:
        yield
    finally:
        _frozen_depth -= 1
        if _frozen_depth == 0:
            gc.unfreeze()


class ForkedError(RuntimeError):
    """Work done in a forked process failed: the message is the error it raised there,
    and the traceback there is the exception's note."""


class Forked:
    """``work()`` done in a forked copy of this process while this one goes on, for
    work that needs only what this process holds already and writes only files of its
    own. :meth:`wait` returns once it is done and raises :class:`ForkedError` if it
    failed. Where fork is not offered, the work is done here at once.

    The heap stays frozen (:func:`frozen_heap`) until :meth:`wait`, so neither process
    copies the memory they share by collecting garbage in it.
    """

    def __init__(self, work: Callable[[], object]) -> None:
        self._process: Any = None
        self._reader: Connection | None = None
        self._freeze = frozen_heap()
        if "fork" not in multiprocessing.get_all_start_methods():
            work()
            return
        context = multiprocessing.get_context("fork")
        reader, writer = context.Pipe(duplex=False)
        # Text still buffered here would be written again by the fork as it exits.
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
        self._freeze.__enter__()
        try:
            self._process = context.Process(
                target=_do, args=(work, writer), name="forked-work", daemon=True
            )
            self._process.start()
        except BaseException:
            self._freeze.__exit__(None, None, None)
            raise
        finally:
            writer.close()  # the fork holds the only writing end
        self._reader = reader

    def wait(self) -> None:
        """Return once the work is done; raise :class:`ForkedError` if it failed."""
        if self._process is None or self._reader is None:
            return
        reader, self._reader = self._reader, None
        try:
            try:
                error: str | None = reader.recv()
            except (EOFError, OSError):
                self._process.join()
                error = f"forked work exited with code {self._process.exitcode}"
            self._process.join()
        finally:
            reader.close()
            self._freeze.__exit__(None, None, None)
        if error is not None:
            # The error's own line is the message; the whole traceback goes with it.
            failure = ForkedError(error.strip().splitlines()[-1])
            failure.add_note(f"In the forked process:\n{error.rstrip()}")
            raise failure


def _do(work: Callable[[], object], outbox: Connection) -> None:
    error: str | None = None
    try:
        work()
    except BaseException:
        error = traceback.format_exc()
    outbox.send(error)
    outbox.close()
