"""Source pages from what the store holds: each source's newest result, health, row
figures and history, read a batch of sources at a time.

Pages need nothing of the status document but its frame (when it was generated, the
run it names, the registry's documents), so they can be written before the document
is made (by forked workers while this process makes it) or during the run
(:mod:`monitor.dashboard.live`), and are the same pages either way.
"""

from __future__ import annotations

import marshal
import time
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.dashboard.data import Facts, index_facts, source_histories
from monitor.dashboard.files import write_page
from monitor.dashboard.names import SOURCES, source_page
from monitor.dashboard.render import source_html
from monitor.reports.status import document_entries, run_entry, source_entry
from monitor.scan.model import Citation
from monitor.store import RunRecord, Store

if TYPE_CHECKING:
    from monitor.workspace import Workspace

# The parts of the status document a source's page shows besides the source's own.
FRAME_KEYS = ("generated_at", "run", "documents")


def frame_of(status: Mapping[str, Any]) -> dict[str, Any]:
    """The frame of a status document already made."""
    return {key: status.get(key) for key in FRAME_KEYS}


def frame_at(workspace: Workspace, now: datetime, run: RunRecord | None) -> dict[str, Any]:
    """The frame of the status document made as of ``now`` naming ``run``."""
    return {
        "generated_at": now.isoformat(),
        "run": run_entry(run),
        "documents": document_entries(workspace.registry),
    }


def entries_of(status: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Each source's entry in a status document, by id."""
    return {str(entry["id"]): entry for entry in status["sources"]}


class SourcePages:
    """Writes source pages into ``out_dir`` from ``store`` (one this process may use:
    a forked worker opens its own), with the registry's ``citations`` by URL and the
    ``skipped`` (inconclusive) runs, read once by the caller."""

    def __init__(
        self,
        workspace: Workspace,
        out_dir: Path,
        store: Store,
        *,
        citations: Mapping[str, Sequence[Citation]],
        skipped: frozenset[int],
        keep: bool = False,
    ) -> None:
        self.workspace = workspace
        # With ``keep``, the entries and row figures read for the pages, by source id:
        # a run's pages written while it goes on are of sources it is done with, so
        # the status document and the index made after it take them as they are. The
        # entries are kept packed (:meth:`kept_entries`): as dictionaries they would
        # take twice the memory while the run goes on.
        self.keep = keep
        self.packed: dict[str, bytes] = {}
        self.facts: dict[str, Facts] = {}
        self.out_dir = out_dir
        self.store = store
        self.sources = {s.id: s for s in workspace.registry.sources}
        self.citations = citations
        self.skipped = skipped
        (out_dir / SOURCES).mkdir(parents=True, exist_ok=True)

    def write(
        self,
        source_ids: Sequence[str],
        frame: Mapping[str, Any],
        now: datetime,
        *,
        entries: Mapping[str, Mapping[str, Any]] | None = None,
        facts: Mapping[str, Facts] | None = None,
        pause: bool = False,
    ) -> Iterator[tuple[str, Path]]:
        """Each source's id and page, as it is written. ``entries`` and ``facts``: the
        sources' entries in the status document and every source's row figures, when
        already made, instead of reading the same from the store again. ``pause``: hand
        the interpreter to other threads after every page (see
        :mod:`monitor.dashboard.live`)."""
        ids = [i for i in dict.fromkeys(source_ids) if i in self.sources]
        given = entries or {}
        read = self._entries([i for i in ids if i not in given])
        if facts is None:
            facts = index_facts(self.store, ids, now)
            if self.keep:
                self.facts.update(facts)
        if self.keep:
            self.packed.update((i, marshal.dumps(entry)) for i, entry in read.items())
        urls = [(i, self.sources[i].url) for i in ids]
        for source_id, history in source_histories(
            self.store, urls, now, skipped_runs=self.skipped, facts=facts
        ):
            entry = given[source_id] if source_id in given else read[source_id]
            html = source_html(self.workspace, frame, source_id, history, now, entry=entry)
            yield source_id, write_page(self.out_dir / source_page(source_id), html)
            if pause:
                time.sleep(0)

    def kept_entries(self) -> dict[str, dict[str, Any]]:
        """The entries kept (``keep``), as :func:`source_entry` made them, handed over
        once: the packed copies go, so that they are not held beside the document."""
        packed, self.packed = self.packed, {}
        return {source_id: marshal.loads(entry) for source_id, entry in packed.items()}

    def _entries(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The sources' entries as the status document has them, from the store."""
        if not ids:
            return {}
        latest = self.store.latest_result_data(ids)
        healths = self.store.healths(ids)
        entries: dict[str, dict[str, Any]] = {}
        for source_id in ids:
            source = self.sources[source_id]
            entries[source_id] = source_entry(
                latest.get(source_id),
                source,
                self.citations.get(source.url, ()),
                healths.get(source_id),
            )
        return entries
