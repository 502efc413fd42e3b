"""Writing the static dashboard: a page per source and per document, and the index.

Source pages need only the store (:mod:`monitor.dashboard.sourcepages`), so when the
status document is still to be made, forked workers start on them at once while this
process makes it and writes the other output.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.dashboard.data import Facts, inconclusive_runs, index_facts
from monitor.dashboard.files import UNFINISHED, lock_dashboard, write_page
from monitor.dashboard.forked import BATCH, map_shares, worker_count
from monitor.dashboard.names import DOCUMENTS, SOURCES, document_page, source_page
from monitor.dashboard.render import index_parts, render_document
from monitor.dashboard.sourcepages import SourcePages, entries_of, frame_at, frame_of
from monitor.store import RunRecord, Store

if TYPE_CHECKING:
    from monitor.dashboard.live import LivePages
    from monitor.workspace import Workspace

_log = logging.getLogger(__name__)
# Source pages a forked worker must have to be worth starting.
PAGES_PER_WORKER = 300
# Unasked, forked workers render at most this many pages. A worker's own memory grows
# with what it allocates among this process's objects (each memory page it writes to is
# copied): about 65 MB for 5,000 pages of a 10,000-source run. The registry's
# ``processes`` lifts the bound.
AUTO_FORK_MAX_PAGES = 5000

# The status document, or a function making it as of a moment and naming a run.
StatusSource = Mapping[str, Any] | Callable[[datetime, RunRecord | None], Mapping[str, Any]]


def write_dashboard(
    workspace: Workspace,
    status: StatusSource,
    out_dir: Path,
    now: datetime,
    *,
    only: Collection[str] | None = None,
    processes: int | None = None,
    meanwhile: Callable[[Mapping[str, Any]], object] | None = None,
    live: LivePages | None = None,
) -> list[Path]:
    """Write ``index.html``, ``sources/<id>.html`` and ``documents/<id>.html`` into
    ``out_dir`` from the status document and the store's history. Returns the pages
    written.

    ``status``: the status document, or a function making it as of ``now`` and naming
    the newest run (called once, while forked workers already write the source
    pages, which name the same run). ``meanwhile(status)``
    (other output of the run) is called once it is made, while the workers write.

    ``only`` limits the source pages rewritten to those sources (the ones a run just
    checked); the pages of the others are kept as they are, so a run costs what it
    checked, not the whole history of the registry. Many source pages are shared out to
    forked workers (:mod:`monitor.dashboard.forked`), up to ``processes`` of them; when
    ``processes`` is None, one per core for at most :data:`AUTO_FORK_MAX_PAGES` pages.

    ``live``: the pages written during the run (:mod:`monitor.dashboard.live`); this
    stops them, writes the rest, and ends them.
    """
    # Pages written during the run: the run holds the lock and has set the mark.
    during = live if live is not None and live.lock is not None else None
    lock = lock_dashboard(out_dir, wait=True) if during is None else None
    try:
        if during is not None:
            during.finish()
        return _write_dashboard(
            workspace,
            status,
            out_dir,
            now,
            only=only,
            processes=processes,
            meanwhile=meanwhile,
            written_live=during.written if during is not None else None,
            facts_live=during.facts if during is not None else None,
            was_unfinished=during.was_unfinished if during is not None else None,
        )
    finally:
        if during is not None:
            during.close()
        if lock is not None:
            lock.release()


def _prune(folder: Path, keep: set[Path]) -> None:
    """Remove pages of sources or documents no longer in the registry."""
    if folder.is_dir():
        for page in folder.glob("*.html"):
            if page not in keep:
                page.unlink()


def _write_dashboard(
    workspace: Workspace,
    status: StatusSource,
    out_dir: Path,
    now: datetime,
    *,
    only: Collection[str] | None,
    processes: int | None,
    meanwhile: Callable[[Mapping[str, Any]], object] | None,
    written_live: Mapping[str, Path] | None = None,
    facts_live: Mapping[str, Facts] | None = None,
    was_unfinished: bool | None = None,
) -> list[Path]:
    store = workspace.store()
    unfinished = out_dir / UNFINISHED
    if unfinished.exists() if was_unfinished is None else was_unfinished:
        only = None  # the last write was cut short: any kept page may be cut short too
    unfinished.touch()
    written_live = written_live or {}
    for folder in (SOURCES, DOCUMENTS):
        (out_dir / folder).mkdir(exist_ok=True)
    ids = [source.id for source in workspace.registry.sources]
    written: list[Path] = []
    stale: list[str] = []
    for source_id in ids:
        page = out_dir / source_page(source_id)
        if source_id in written_live:
            written.append(written_live[source_id])
        elif only is not None and source_id not in only and page.exists():
            written.append(page)
        else:
            stale.append(source_id)
    # The status document, its entries and the row figures, once made. Given already,
    # the document is shared with forked workers too; made here, as of the moment and
    # the run the source pages name, it is made while they write.
    made: dict[str, Any] = {}
    run: RunRecord | None = None
    if isinstance(status, Mapping):
        frame = frame_of(status)
        made.update(status=status, entries=entries_of(status))
    else:
        run = store.last_run()
        frame = frame_at(workspace, now, run)
    citations = workspace.citations_by_url()
    skipped = inconclusive_runs(store)
    url = store.engine.url.render_as_string(hide_password=False)

    def write_share(take: Callable[[], Sequence[str]], forked: bool) -> list[str]:
        # A forked worker must not use the connections it inherited: it opens its own.
        reader = Store.open(url, migrate=False) if forked else store
        done: list[str] = []
        try:
            pages = SourcePages(workspace, out_dir, reader, citations=citations, skipped=skipped)
            # This process takes its share once ``other_pages`` has made everything; a
            # forked worker has what was made before it started and reads the rest.
            while batch := take():
                written_now = pages.write(
                    batch, frame, now, entries=made.get("entries"), facts=made.get("facts")
                )
                done.extend(str(page) for _, page in written_now)
        finally:
            if forked:
                reader.close()
        return done

    workers = worker_count(len(stale), minimum_share=PAGES_PER_WORKER)
    if store.in_memory:
        workers = 1  # a forked worker could not open the same database again
    if processes is not None:
        workers = min(workers, processes)
    elif len(stale) > AUTO_FORK_MAX_PAGES:
        workers = 1
    documents: list[Path] = []
    shared_out = workers > 1

    def other_pages() -> None:
        # They do not need the source pages, so they are written while those are.
        if "status" not in made:
            assert not isinstance(status, Mapping)
            document = status(now, run)
            made.update(status=document, entries=entries_of(document))
        document = made["status"]
        if meanwhile is not None:
            meanwhile(document)
        for entry in document.get("documents", []):
            html = render_document(workspace, document, entry["id"], now)
            documents.append(write_page(out_dir / document_page(entry["id"]), html))
        # Row figures of every source in a few grouped queries, not several per source;
        # those of pages written during the run were read for them.
        known = facts_live or {}
        rest = [i for i in ids if i not in known] if known else ids
        made["facts"] = {**known, **(index_facts(store, rest, now) if rest else {})}

    # Shared out in batches small enough that a dashboard of a few pages is shared too;
    # one process takes them all at once (their history is read in large chunks).
    batch = min(BATCH, len(stale) // (4 * workers)) if shared_out else len(stale)
    shares = map_shares(
        write_share, stale, max(1, workers), meanwhile=other_pages, batch=max(1, batch)
    )
    for share in shares:
        written.extend(Path(page) for page in share)
    written.extend(documents)
    _prune(out_dir / SOURCES, set(written))
    _prune(out_dir / DOCUMENTS, set(written))
    # The index comes last, so that it only links to pages that are there, and once the
    # workers are gone: with thousands of sources it is the largest thing written, and
    # the memory it takes is not added to theirs. Written beside the old one and
    # renamed over it, a reader never sees it cut short.
    facts: dict[str, Facts] = made["facts"]
    index = out_dir / "index.html"
    next_index = write_page(
        index.with_name("index.html.next"), index_parts(workspace, made["status"], facts, now)
    )
    next_index.replace(index)
    written.append(index)
    unfinished.unlink()
    return written
