"""Source pages written while a run goes on.

A run folds health in as it stores results once it can no longer turn out
inconclusive (:func:`monitor.run.run_sources`, ``on_folded``). From then on a source's
page shows what it would show once the run is over (but for the moment it was
written), so :class:`LivePages` writes it right away, on a thread of its own, while
the run checks the rest: the dashboard is then mostly written by the time the last
check ends, and :func:`write_dashboard <monitor.dashboard.write.write_dashboard>`
writes only the pages left.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock

from monitor.dashboard.data import Facts, inconclusive_runs
from monitor.dashboard.files import LOCK, UNFINISHED, lock_dashboard
from monitor.dashboard.sourcepages import SourcePages, frame_at

if TYPE_CHECKING:
    from monitor.workspace import Workspace

_log = logging.getLogger(__name__)
# Marks the end of the batches.
_DONE = None
# Batches waiting besides the one in hand that show the pages falling behind the run:
# fewer may be a pause (the first large batch, a slow disk); more, with a batch of
# results every few milliseconds, is a run bound by the processor.
MAX_BACKLOG = 8


class LivePages:
    """Writes the pages of the sources it is given (``live(run_id, source_ids)``, from
    the run's thread) on a thread of its own, into ``out_dir``.

    The first batch takes the dashboard's lock and sets its unfinished mark, as a
    whole dashboard write does; :func:`~monitor.dashboard.write.write_dashboard`
    given this object stops the writing (:meth:`finish`), writes the pages left, and
    then lets both go; :meth:`close` lets them go when the run fails before that.

    Writing pages never fails the run: when the dashboard is being written by another
    process, when the pages fall behind the checks, or when writing one fails, this
    stops (saying why in the log) and the pages left are written after the run.
    """

    def __init__(self, workspace: Workspace, out_dir: Path) -> None:
        self.workspace = workspace
        self.out_dir = out_dir
        self.lock: FileLock | None = None
        self.was_unfinished = False  # a write before this one was cut short
        self.written: dict[str, Path] = {}  # source id -> its page
        self._maker: _PageMaker | None = None
        self._batches: queue.SimpleQueue[tuple[int, list[str]] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def __call__(self, run_id: int, source_ids: Sequence[str]) -> bool:
        """Take a batch; whether more are wanted (not once this has stopped: the pages
        left are written after the run)."""
        if self._stop.is_set() or (self._thread is not None and not self.writing):
            return False
        try:
            if self._thread is None:
                self._start()
                if self._thread is None:
                    return False
            self._batches.put((run_id, list(source_ids)))
        except Exception:
            _log.warning("could not write pages during the run", exc_info=True)
            self._stop.set()
            return False
        return True

    def _start(self) -> None:
        # On the run's thread, so it must not wait: the lock of a dashboard another
        # process is writing leaves this run's pages to its end (when it waits for it).
        lock = lock_dashboard(self.out_dir, wait=False)
        if lock is None:
            _log.warning(
                "%s is held by another run (%s): this run's pages are written after it",
                self.out_dir,
                LOCK,
            )
            self._stop.set()
            return
        self.lock = lock
        unfinished = self.out_dir / UNFINISHED
        self.was_unfinished = unfinished.exists()
        unfinished.touch()
        self._thread = threading.Thread(target=self._work, name="live-pages", daemon=True)
        self._thread.start()

    @property
    def stopped(self) -> bool:
        """Whether no more pages are to be written (the rest follow after the run)."""
        return self._stop.is_set()

    @property
    def writing(self) -> bool:
        """Whether pages are being written, or may still be."""
        return self._thread is not None and self._thread.is_alive()

    def entries(self) -> Mapping[str, dict[str, Any]]:
        """The status document's entries of the sources given so far, as read for their
        pages (by id), unpacked: once :meth:`finish` returns, those sources are done
        with, so the document made after the run takes them as they are. Handed over
        once (a second call gives none)."""
        return self._maker.pages.kept_entries() if self._maker is not None else {}

    @property
    def facts(self) -> Mapping[str, Facts]:
        """The index's row figures of the same sources, as their pages show them."""
        return self._maker.pages.facts if self._maker is not None else {}

    def finish(self) -> None:
        """Stop writing once the page in hand is written, leaving the pages not begun
        to the whole dashboard's write (which shares them out to forked workers, where
        this thread has one core at most)."""
        self._stop.set()
        if self._thread is not None:
            self._batches.put(_DONE)
            self._thread.join()
            self._thread = None

    def close(self) -> None:
        """Stop writing and let the lock go. The unfinished mark stays unless a whole
        dashboard was written since."""
        try:
            self.finish()
        finally:
            if self.lock is not None:
                self.lock.release()
                self.lock = None

    def _work(self) -> None:
        try:
            writer = self._maker = _PageMaker(self.workspace, self.out_dir)
            while (batch := self._batches.get()) is not _DONE and not self._stop.is_set():
                if self._batches.qsize() > MAX_BACKLOG:
                    # Results come faster than their pages can be written: the run
                    # is bound by the processor, and this thread would only slow it.
                    break
                run_id, source_ids = batch
                # A batch may be large (the first one holds every result stored before
                # the run settled): stopping does not wait for the rest of it.
                for source_id, page in writer.write(run_id, source_ids):
                    self.written[source_id] = page
                    if self._stop.is_set():
                        break
        except Exception:
            _log.warning(
                "stopped writing pages during the run; the rest follow after it", exc_info=True
            )


class _PageMaker:
    """A batch's pages as of the moment it is written, naming the run going on."""

    def __init__(self, workspace: Workspace, out_dir: Path) -> None:
        self.workspace = workspace
        store = workspace.store()
        self.pages = SourcePages(
            workspace,
            out_dir,
            store,
            citations=workspace.citations_by_url(),
            skipped=inconclusive_runs(store),
            keep=True,
        )

    def write(self, run_id: int, source_ids: Sequence[str]) -> Iterator[tuple[str, Path]]:
        """Each source's id and page, as it is written."""
        now = self.workspace.now()
        frame = frame_at(self.workspace, now, self.pages.store.run(run_id))
        # Every page hands the interpreter back to the run's thread rather than after
        # the switch interval: each result it waits to take holds up its checks too.
        return self.pages.write(source_ids, frame, now, pause=True)
