"""The jobs behind ``check`` and the scheduler's dispatch: one run and its outputs."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.forks import Forked
from monitor.heap import collection_paused
from monitor.reports.formats import FORMATS
from monitor.run import ResultHook, RunOutcome, run_sources
from monitor.store import RunRecord
from monitor.workspace import Workspace

if TYPE_CHECKING:
    from monitor.dashboard.live import LivePages


# A fork's own memory grows with the document it walks: every memory page holding part
# of it is copied as it is read (about 50 MB for 10,000 sources), and every page it
# allocates into. Above this many sources, unless the registry's ``processes`` asks for
# more, this process writes the reports itself.
REPORTS_FORK_MAX_SOURCES = 10_000
# Written here before forking: the JSON encoder makes a string of every value, and in a
# fork each lands on a memory page to be copied (10,000 sources at 50 ms: 204 MB at the
# peak when the fork wrote it too, 185 MB when this process does).
WRITTEN_BEFORE_FORKING = ("json",)


@dataclass(frozen=True)
class CheckJob:
    outcome: RunOutcome
    status: dict[str, Any]
    written: tuple[Path, ...]
    checked: int
    notices: tuple[str, ...] = ()


def check_sources(
    workspace: Workspace,
    *,
    check_all: bool = False,
    source_ids: Sequence[str] = (),
    on_result: ResultHook | None = None,
    notify: bool = True,
) -> CheckJob:
    """Check what is due (or everything, or the named sources), store it, write reports,
    and tell the owners of sources whose health changed (one digest per owner)."""
    registry = workspace.registry
    store = workspace.store()
    now = workspace.now()
    store.sync_sources(((s.id, s.url, s.title, s.owner) for s in registry.sources), now)
    sources = [s for s in registry.sources if not source_ids or s.id in source_ids]
    if not check_all and not source_ids:
        due = set(store.due_sources([s.id for s in sources], now))
        sources = [s for s in sources if s.id in due]
    from monitor.dashboard.live import LivePages

    # Source pages are written as the run folds their health in, while it checks the
    # rest; a database other threads cannot reach leaves them all for the end.
    live = None if store.in_memory else LivePages(workspace, workspace.reports_dir)
    try:
        outcome = run_sources(
            registry,
            store,
            sources,
            settings=workspace.check_settings(),
            on_result=on_result,
            after_check=workspace.after_check(),
            now=workspace.now,
            on_folded=live,
        )
        status, written = write_outputs(workspace, only={s.id for s in sources}, live=live)
    finally:
        if live is not None:
            live.close()
    notices: list[str] = []
    if notify and sources:
        from monitor.notify import notify_run

        report = notify_run(
            store, registry, status, outcome.run_id, now=workspace.now(), environ=os.environ
        )
        notices = report.lines()
    return CheckJob(
        outcome=outcome,
        status=status,
        written=tuple(written),
        checked=len(sources),
        notices=tuple(notices),
    )


def write_outputs(
    workspace: Workspace,
    *,
    only: set[str] | None = None,
    live: LivePages | None = None,
) -> tuple[dict[str, Any], list[Path]]:
    """The status document from the stored results, and every report format and the
    static dashboard written from them: the document and the files written.

    ``only``: the sources whose dashboard pages need rewriting (those just checked);
    ``live``: those written during the run. The document is made while forked workers
    already write the dashboard's source pages; the reports are then written by a fork
    of this process while it writes the rest of the dashboard
    (:data:`REPORTS_FORK_MAX_SOURCES`). Raises :class:`~monitor.forks.ForkedError` when
    that fork fails.
    """
    from monitor.dashboard import write_dashboard

    made: list[dict[str, Any]] = []
    reports: list[Forked] = []
    out = workspace.reports_dir

    def status(at: datetime, run: RunRecord | None) -> dict[str, Any]:
        # Called once the pages written during the run are stopped (see write_dashboard).
        # The entries are unpacked as the document's own: no collection while they are.
        with collection_paused():
            entries = live.entries() if live else None
        made.append(workspace.status(at=at, run=run, entries=entries))
        return made[-1]

    def write_reports(document: Mapping[str, Any]) -> None:
        if not _fork_reports(len(document.get("sources", ())), workspace.settings.processes):
            workspace.write_reports(document)
            return
        # Another core writes the others while this process writes the dashboard's index.
        workspace.write_reports(document, WRITTEN_BEFORE_FORKING)
        others = [name for name in FORMATS if name not in WRITTEN_BEFORE_FORKING]
        reports.append(Forked(lambda: workspace.write_reports(document, others)))

    try:
        pages = write_dashboard(
            workspace,
            status,
            out,
            workspace.now(),
            only=only,
            processes=workspace.settings.processes,
            meanwhile=write_reports,
            live=live,
        )
    except BaseException:
        for forked in reports:
            forked.stop()  # the failure raised is this one, not the fork's
        raise
    for forked in reports:
        forked.wait()
    written = workspace.report_paths()
    return made[-1], [*written, out / "index.html"] if pages else written


def _fork_reports(sources: int, processes: int | None) -> bool:
    """Whether a fork writes the reports: unless the registry's ``processes`` says,
    for documents of at most :data:`REPORTS_FORK_MAX_SOURCES` sources."""
    if processes is not None:
        return processes > 1
    return sources <= REPORTS_FORK_MAX_SOURCES
