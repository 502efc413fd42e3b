"""How a dashboard lies on disk: pages written in place, a mark while it is being
written, and a lock that keeps two writers apart."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from pathlib import Path

from filelock import FileLock, Timeout

# Present in the dashboard's folder while it is being written: pages are rewritten in
# place, so if it is still there when the next dashboard starts, the last one was cut
# short and every page is written again, also those a partial update would keep.
UNFINISHED = ".unfinished"
# Held while a dashboard is written, by whichever process writes it.
LOCK = ".lock"
_log = logging.getLogger(__name__)


def write_page(path: Path, text: str | Iterable[str]) -> Path:
    """Write a page whole or from its pieces into its existing folder, over the page of
    the previous run if there is one.

    The page is rewritten in place rather than through a temporary file renamed over
    it, and cut to its new length only once written rather than emptied first: a
    rename deletes a file and creates one, emptying a file frees its blocks and
    writing allocates them again, and on some file systems (ext4 without a journal
    looks past every recently freed inode and block) either costs several times the
    rendering. A reader opening a page at the moment it is written may see it cut
    short or followed by the end of the old page; a write cut short by a crash is
    mended by the next dashboard (see :data:`UNFINISHED`).
    """
    with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o666), "wb") as out:
        if isinstance(text, str):
            out.write(text.encode("utf-8"))
        else:
            for piece in text:
                out.write(piece.encode("utf-8"))
        out.truncate()  # what is left of a longer old page
    return path


def lock_dashboard(out_dir: Path, *, wait: bool) -> FileLock | None:
    """The lock of the dashboard in ``out_dir``, taken; None when another writer holds
    it and ``wait`` is False, else this waits (and says so in the log).

    Pages are rewritten in place: two runs writing one dashboard at once (a check from
    the command line while the scheduler runs one) would mix their pages. Not bound to
    the thread that takes it.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(out_dir / LOCK), thread_local=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if not wait:
            return None
        # The other writer may be a run still checking, which writes pages as it goes.
        _log.warning("waiting for another run writing the dashboard in %s (%s)", out_dir, LOCK)
        lock.acquire()
    return lock
