"""A loaded registry with everything the commands share: settings, store, scans, reports."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from checks.model import CheckSettings
from monitor.archiving import ArchiveLookups, StoreLookupCache, archive_config
from monitor.clock import Clock, utc_now
from monitor.gate.policy import GatePolicy
from monitor.heap import collection_paused
from monitor.registry.loader import load_registry
from monitor.registry.model import Registry, Settings
from monitor.reports.formats import FORMATS, ReportFormat, formats_for
from monitor.reports.status import build_status
from monitor.scan import DocumentScan, ScanReport, compare, scan_file
from monitor.scan.model import Citation
from monitor.settings import check_settings
from monitor.store import RunRecord, Store


@dataclass
class Workspace:
    registry: Registry
    now: Clock = utc_now
    _store: Store | None = field(default=None, repr=False)

    @classmethod
    def load(cls, path: Path, *, required: bool = True, **overrides: Any) -> Workspace:
        """Load and validate the registry; ``overrides`` replace settings (None = keep).

        With ``required=False`` a missing registry file gives default settings and no
        sources (for ad-hoc checks).
        """
        if required or path.exists():
            registry = load_registry(path)
        else:
            registry = Registry(path.resolve(), Settings(), (), (), ())
        changes = {k: v for k, v in overrides.items() if v is not None}
        if changes:
            registry = dataclasses.replace(
                registry, settings=dataclasses.replace(registry.settings, **changes)
            )
        return cls(registry)

    def override(self, **changes: Any) -> None:
        """Replace some settings after loading (command-line options)."""
        settings = dataclasses.replace(self.registry.settings, **changes)
        self.registry = dataclasses.replace(self.registry, settings=settings)

    def archive_lookups(self, *, use_store: bool = True) -> ArchiveLookups:
        """The after-check step that finds archived copies, caching in the database."""
        cache = StoreLookupCache(self.store(), self.now) if use_store else None
        return ArchiveLookups(archive_config(self.settings), cache, now=self.now)

    def after_check(self) -> ArchiveLookups | None:
        """The run's archive step, or None when it has nothing to do (no archive to ask
        and no capture keys), so that a run does not pass every result through it."""
        lookups = self.archive_lookups()
        return lookups if lookups.active else None

    @property
    def settings(self) -> Settings:
        return self.registry.settings

    @property
    def base_dir(self) -> Path:
        return self.registry.path.parent

    @property
    def reports_dir(self) -> Path:
        return self.base_dir / self.settings.reports_dir

    def check_settings(self) -> CheckSettings:
        return check_settings(self.settings)

    def store(self) -> Store:
        if self._store is None:
            self._store = Store.open(self.settings.database, self.base_dir)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None

    @cached_property
    def scans(self) -> tuple[DocumentScan, ...]:
        return tuple(scan_file(d.id, d.path) for d in self.registry.documents)

    @cached_property
    def scan_report(self) -> ScanReport:
        texts = {d.id: d.path.read_text(encoding="utf-8") for d in self.registry.documents}
        return compare(self.registry, self.scans, texts)

    def citations_by_url(self) -> Mapping[str, Sequence[Citation]]:
        """:meth:`ScanReport.citations_by_url`, worked out once (the status document and
        the dashboard's pages each read it)."""
        return self._citations_by_url

    @cached_property
    def _citations_by_url(self) -> dict[str, list[Citation]]:
        return self.scan_report.citations_by_url()

    # The document lives on: a collection while it is made would find nothing.
    @collection_paused()
    def status(
        self,
        *,
        at: datetime | None = None,
        run: RunRecord | None = None,
        entries: Mapping[str, dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """The status document from the newest stored result of every source, as of
        ``at`` (now by default), naming ``run`` (the newest by default).

        ``entries``: sources' entries made already from what the store holds now (those
        whose pages were written during the run); only the others are read."""
        store = self.store()
        ids = [s.id for s in self.registry.sources]
        rest = [i for i in ids if i not in entries] if entries else ids
        # With no entry made, every newest result is read in one pass, not by id.
        wanted = rest if len(rest) < len(ids) else None
        return build_status(
            self.registry,
            store.latest_result_data(wanted) if rest else {},
            run or store.last_run(),
            self.citations_by_url(),
            at or self.now(),
            unresolved=[
                {
                    "id": u.reference.id,
                    "document": u.reference.document,
                    "text": u.reference.text,
                    "line": u.line,
                    "note": u.reference.note,
                }
                for u in self.scan_report.unresolved_references
            ],
            unregistered=self.scan_report.unregistered_links,
            health=store.healths(rest),
            entries=entries,
        )

    def report_formats(self, documents: Sequence[str] | None = None) -> dict[str, ReportFormat]:
        """Every report format, the gate's findings judged under the registry's policy
        (for the citations of ``documents`` only, when given)."""
        policy = GatePolicy.from_settings(self.settings.policy)
        return formats_for(policy, documents, from_repository_top(self.base_dir))

    def report_paths(self) -> list[Path]:
        """Where :meth:`write_reports` writes, one file per report format."""
        return [self.reports_dir / fmt.filename for fmt in FORMATS.values()]

    def write_reports(
        self, status: Mapping[str, Any], formats: Collection[str] | None = None
    ) -> list[Path]:
        """Every report format's file (or those of the named ``formats``)."""
        self.reports_dir.mkdir(parents=True, exist_ok=True)
        written = []
        for name, fmt in self.report_formats().items():
            if formats is not None and name not in formats:
                continue
            path = self.reports_dir / fmt.filename
            tmp = path.with_suffix(path.suffix + ".tmp")
            with tmp.open("w", encoding="utf-8") as out:
                fmt.write(status, out)
            tmp.replace(path)  # readers never see a half-written report
            written.append(path)
        return written


def from_repository_top(folder: Path) -> str:
    """``folder`` as a path from the top of the git repository holding it ("" at the
    top, or outside any repository): code scanning places findings by such paths."""
    folder = folder.resolve()
    for top in (folder, *folder.parents):
        if (top / ".git").exists():  # a folder, or a file in a worktree or submodule
            return folder.relative_to(top).as_posix() if top != folder else ""
    return ""
