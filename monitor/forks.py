"""Forking worker processes that share this process's memory without copying it."""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

# Blocks of ``frozen_heap`` open now: the heap is let go when the outermost ends.
_frozen_depth = 0
# How often a forked process looks whether the process that started it is still there.
PARENT_POLL_S = 0.5


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


def exit_with_parent(parent: int) -> None:
    """End this forked helper soon after ``parent``, the process that started it, goes
    away (a killed run included): an orphan would go on with work nobody waits for, and
    outlive the locks its parent held while the next run takes them."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class ForkedError(RuntimeError):
    """Work done in a forked process failed: the message is the error it raised there,
    and the traceback there is the exception's note."""


class Forked:
    """``work()`` done in a forked copy of this process while this one goes on, for
    work that needs only what this process holds already and writes only files of its
    own. :meth:`wait` returns once it is done and raises :class:`ForkedError` if it
    failed; :meth:`stop` ends it without a word, for when this process fails first.
    Where fork is not offered, the work is done here at once.

    The heap stays frozen (:func:`frozen_heap`) until then, so neither process copies
    the memory they share by collecting garbage in it. As a context manager, it waits
    on leaving the block, or stops the work when the block raises.
    """

    def __init__(self, work: Callable[[], object]) -> None:
        self._process: BaseProcess | None = None
        self._reader: Connection | None = None
        self._freeze = frozen_heap()
        if "fork" not in multiprocessing.get_all_start_methods():
            work()
            return
        context = multiprocessing.get_context("fork")
        reader, writer = context.Pipe(duplex=False)
        self._freeze.__enter__()
        try:
            self._process = context.Process(
                target=_do, args=(work, writer, os.getpid()), name="forked-work", daemon=True
            )
            self._process.start()
        except BaseException:
            reader.close()
            self._freeze.__exit__(None, None, None)
            raise
        finally:
            writer.close()  # the fork holds the only writing end
        self._reader = reader

    def __enter__(self) -> Forked:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is None:
            self.wait()
        else:
            self.stop()

    def wait(self) -> None:
        """Return once the work is done; raise :class:`ForkedError` if it failed."""
        if self._process is None or self._reader is None:
            return
        reader, self._reader = self._reader, None
        try:
            try:
                failure: tuple[str, str] | None = reader.recv()
            except (EOFError, OSError):
                self._process.join()
                code = self._process.exitcode
                failure = (f"forked work exited with code {code}", "")
            else:
                self._process.join()
        finally:
            reader.close()
            self._freeze.__exit__(None, None, None)
        if failure is not None:
            message, trace = failure
            error = ForkedError(message)
            if trace:
                error.add_note(f"In the forked process:\n{trace.rstrip()}")
            raise error

    def stop(self) -> None:
        """End the work, done or not, and say nothing of how it went."""
        if self._process is None or self._reader is None:
            return
        reader, self._reader = self._reader, None
        try:
            self._process.terminate()
            self._process.join()
        finally:
            reader.close()
            self._freeze.__exit__(None, None, None)


def _do(work: Callable[[], object], outbox: Connection, parent: int) -> None:
    # Interrupting the run is for the process that started this one to handle.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent(parent)
    failure: tuple[str, str] | None = None
    try:
        work()
    except BaseException as exc:
        said = str(exc)
        name = type(exc).__name__
        failure = (f"{name}: {said}" if said else name, traceback.format_exc())
    try:
        outbox.send(failure)
        outbox.close()
    finally:
        # Leave without the exit handlers this fork inherited (the threads, pools and
        # pipes of the process that started it are not its own).
        os._exit(0)
